/**
 * A judgement with nothing to look at (workers/triage/unspecific.ts): an
 * evaluation and/or a disclaimer of specifics, and whether anything concrete
 * is left once both are blanked.
 */
import { describe, expect, it } from "vitest";
import { LearnedTriageClassifier } from "../../workers/triage/learned-triage";
import { cues } from "../../workers/triage/triage-model";
import { HeuristicTriageClassifier } from "../../workers/triage/heuristic";
import { unspecific, unspecificCues } from "../../workers/triage/unspecific";
import type { TriageInput } from "../../workers/triage/triage";

const s = (content: string, source_product = "intercom", source_type = "conversation"): TriageInput => ({ source_product, source_type, content });

describe("unspecific.ts", () => {
  it("reads an evaluation, a disclaimer and what concrete is left", () => {
    expect(unspecificCues("Such a letdown, honestly. Two stars.")).toEqual(["unspecific:evaluation", "unspecific:evaluation&concrete:0"]);
    expect(unspecificCues("Intro call with Alder & Co: they are not sold yet, nothing concrete.")).toEqual(["unspecific:disclaimer", "unspecific:disclaimer&concrete:0"]);
    expect(unspecific("Renewal note: customer is unhappy but couldn't say what exactly.").kind).toBe("both");
    // a feature and what it does wrong, or a number, stay concrete next to the judgement
    expect(unspecificCues("Frustrating: the calendar sync is so slow it takes 10 minutes for a new event to show up.")).toEqual(["unspecific:evaluation", "unspecific:evaluation&concrete:1"]);
    expect(unspecific("Terrible: every export to CSV drops the last column.")).toMatchObject({ evidence: false, named: true });
    // evidence.ts reads "no errors" as a problem word; blanked here, nothing is left
    expect(unspecific("Replay 31c: user browsed pricing, no errors, no rage clicks.")).toMatchObject({ kind: "disclaimer", evidence: false });
    expect(unspecific("Nothing wrong with the product, we just need fewer seats.")).toMatchObject({ kind: "disclaimer", evidence: false });
    expect(unspecificCues("The invoice PDF shows the wrong VAT rate.")).toEqual([]);
  });

  it("is a model cue, and the shipped model tells the two apart", () => {
    const rules = new HeuristicTriageClassifier();
    const text = "Account note: the customer calls the product unreliable. Nothing concrete, no examples.";
    expect(cues(s(text), rules.explain(s(text)))).toContain("unspecific:both&concrete:0");
    const c = new LearnedTriageClassifier();
    expect(c.classifySync(s("CSM note: customer says the product 'feels flaky' lately. No specific issues raised on the call.", "hubspot", "note")).verdict).toBe("noise");
    expect(c.classifySync(s("Really frustrating: the calendar sync is so slow it takes 10 minutes for a new event to show up on my phone.")).verdict).toBe("signal");
  });

  it("reads in linear time on adversarial text", () => {
    const n = 64 * 1024;
    const inputs = [
      "1".repeat(n),
      "1.".repeat(n / 2),
      "no errors, ".repeat(n / 11),
      "no errors".repeat(n / 9),
      "couldn't say ".repeat(n / 13),
      `not worth${" ".repeat(n)}`,
      "'".repeat(n),
      "/a".repeat(n / 2),
      "bad ".repeat(n / 4),
      "nothing wrong with the app ".repeat(n / 27),
      "a".repeat(n),
      "\n".repeat(n),
    ];
    for (const t of inputs) {
      const t0 = performance.now();
      unspecific(t);
      expect(performance.now() - t0, JSON.stringify(t.slice(0, 20))).toBeLessThan(200);
    }
  });
});
