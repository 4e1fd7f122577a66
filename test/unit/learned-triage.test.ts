/**
 * The offline triage tier: rules with the learned model (learned-triage.ts).
 * The rules alone decide errors and structural noise; the model has the last
 * word elsewhere. Cases written for these tests; none is in evals/data.
 */
import { describe, expect, it } from "vitest";
import { trainTriage } from "../../evals/train/triage-model";
import { claimMatchesFailure, claimsItWorks, sameQuantityCompared } from "../../workers/triage/contradiction";
import { HeuristicTriageClassifier } from "../../workers/triage/heuristic";
import { LearnedTriageClassifier, shippedTriageModel } from "../../workers/triage/learned-triage";
import { cues, decodeTriageModel, echoCues, TRIAGE_FEATURE_BITS, type TriageModel } from "../../workers/triage/triage-model";
import { askCues } from "../../workers/triage/ask";
import { takenBack, takenBackCues } from "../../workers/triage/taken-back";
import { TRIAGE_MODEL } from "../../workers/triage/triage-model-weights";
import type { TriageInput } from "../../workers/triage/triage";

const s = (content: string, source_product = "intercom", source_type = "conversation"): TriageInput => ({ source_product, source_type, content });

/** a model that answers `p` for every signal: no cue or n-gram weight, only a bias */
function constant(p: number): TriageModel {
  return { version: "const", bias: Math.log(p / (1 - p)), scale: 1, weights: new Int8Array(1 << TRIAGE_FEATURE_BITS), cues: new Map(), noiseBelow: 0.5 };
}

const exception = s("TypeError: Cannot read properties of undefined (reading 'id')\n    at loadOrder (src/orders/load.ts:41:17)", "sentry", "exception");
const outOfOffice = s("Subject: Automatic reply: renewal\nBody: I am on holiday until the 9th and will reply on my return.", "email", "message");
const vague = s("Meh. Honestly expected more from it.", "app_store", "review");
const wish = s("Could the weekly summary e-mail list overdue tasks first?");

describe("LearnedTriageClassifier: who decides", () => {
  it("leaves errors and structural noise to the rules, whatever the model says", () => {
    const never = new LearnedTriageClassifier(constant(0.001));
    const always = new LearnedTriageClassifier(constant(0.999));
    expect(never.classifySync(exception)).toEqual({ verdict: "signal", reason: null, matched: ["error_shaped"] });
    expect(always.classifySync(outOfOffice)).toEqual({ verdict: "noise", reason: "auto_reply", matched: ["auto_reply"] });
    // a report contradicting its own values is read from its form too
    const sameValue = s("The invoice total is wrong: it shows 14 seats and should show 14 seats.", "zendesk", "ticket");
    expect(always.classifySync(sameValue)).toMatchObject({ verdict: "noise", reason: "self_contradictory", matched: expect.arrayContaining(["same_quantity_compared"]) });
  });

  it("lets the model overrule the word-weighing rules both ways, recording its probability", () => {
    const rules = new HeuristicTriageClassifier();
    expect(rules.classifySync(vague).verdict).toBe("noise");
    expect(rules.classifySync(wish).verdict).toBe("signal");
    const admit = new LearnedTriageClassifier(constant(0.9)).classifySync(vague);
    expect(admit).toMatchObject({ verdict: "signal", reason: null });
    expect(admit.matched).toContain("model:p=0.900");
    const drop = new LearnedTriageClassifier(constant(0.1)).classifySync(wish);
    // no rule named a reason: the model's own
    expect(drop).toMatchObject({ verdict: "noise", reason: "unspecific" });
    // a rule's reason is kept when the rules had one, even one a problem overrode
    const thanksBug = s("Thanks! Sadly the export button does nothing on Safari.");
    expect(rules.classifySync(thanksBug)).toMatchObject({ verdict: "signal", matched: expect.arrayContaining(["thank_you"]) });
    expect(new LearnedTriageClassifier(constant(0.1)).classifySync(thanksBug)).toMatchObject({ verdict: "noise", reason: "thank_you" });
  });

  it("reads the rules' stage, verdict and cues as named features", () => {
    const rules = new HeuristicTriageClassifier();
    const checklist = s("Title: Release 7.1 tasks\nBody: - [ ] changelog\n- [x] tag\n- [ ] announce", "github", "issue");
    const c = cues(checklist, rules.explain(checklist));
    expect(c).toEqual(expect.arrayContaining(["stage:soft", "verdict:signal", "task_list", "task_list&evidence:0", "type:issue"]));
    const pointer = s("Same problem as the one in #2291, any news?", "github", "issue_comment");
    expect(cues(pointer, rules.explain(pointer))).toEqual(expect.arrayContaining(["issue_ref", "points_elsewhere&evidence:0"]));
  });

  it("reads what an echo adds: nothing, the failure again, a new case, or a failure in a new case", () => {
    expect(echoCues("+1")).toEqual(["echo", "echo&adds:none"]);
    expect(echoCues("me too!! so annoying, when is this getting fixed?")).toEqual(["echo", "echo&adds:none"]);
    expect(echoCues("Subject: Re: outage\n\nSame here. Any news?")).toEqual(["echo", "echo&adds:none"]);
    // the failure the thread is about, said again: "for me too" is the echo, not a new case
    expect(echoCues("same, the import fails for me too")).toEqual(["echo", "echo&adds:failure"]);
    expect(echoCues("me too on Android")).toEqual(["echo", "echo&adds:case"]);
    expect(echoCues("Same here, and the weekly digest also arrives twice on Mondays.")).toEqual(["echo", "echo&adds:failure+case"]);
    expect(echoCues("#support — lee: +1, but now the totals are wrong for invoices over 1,000 lines")).toEqual(["echo", "echo&adds:failure+case"]);
    expect(echoCues("Same as #210, except for us it only breaks when the file name has a space.")).toEqual(["echo", "echo&adds:failure+case"]);
    // not an echo: "the same" inside a report, an opener past the head
    expect(echoCues("The export is broken on Safari.")).toEqual([]);
    expect(echoCues(`${"Export times out on large files. ".repeat(6)}Same here.`)).toEqual([]);
  });

  it("reads echoes in linear time on adversarial text", () => {
    const inputs = ["same ".repeat(13_000), "+1 ".repeat(20_000), `same here${" too also".repeat(8_000)}`, `me too${", ".repeat(30_000)}`, `: same${" — ".repeat(20_000)}x`, `same here ${"only ".repeat(12_000)}`];
    for (const t of inputs) {
      const t0 = performance.now();
      echoCues(t);
      expect(performance.now() - t0, t.slice(0, 20)).toBeLessThan(200);
    }
  });
});

describe("the shipped model", () => {
  it("decodes, and refuses weights of another size", () => {
    const m = shippedTriageModel();
    expect(m.weights.length).toBe(1 << TRIAGE_FEATURE_BITS);
    expect(m.noiseBelow).toBeGreaterThan(0);
    expect(m.noiseBelow).toBeLessThan(1);
    expect(() => decodeTriageModel({ ...TRIAGE_MODEL, featureBits: 17 })).toThrow(/17-bit/);
    expect(() => decodeTriageModel({ ...TRIAGE_MODEL, weights: btoa("abc") })).toThrow(/weights/);
  });

  // lines written for this test, in shapes the fixtures use: reports that must not be dropped, and noise the rules alone let through
  const actionable = [
    s("Subject: usage cap ignored\nBody: Our spending limit is $200 but this month's bill is $640. The limit did not stop anything.", "zendesk", "ticket"),
    s("Session replay: the video freezes at 1:15 while the event timeline keeps running.", "posthog", "replay_finding"),
    s("The 'Assign to me' button in the task drawer assigns the task to the previous user.", "github", "issue"),
    s("+1, and on our side it also happens in the Android app 8.2, not only on the web.", "github", "issue_comment"),
    // an echo that adds a failure in a new case (a bare echo is noise: below)
    s("same here, and for us the weekly digest also arrives twice on Mondays", "slack", "message"),
    s("Please add a way to export the audit log as CSV.", "feedback", "form"),
  ];
  // (not asserted: "Honestly it has just gone downhill, so many bugs, so slow." scored P(actionable) ≈ 0.24,
  // above the cut, until stop 24 (docs/notes/triage.md); the model of stop 24 scores it ≈ 0.01)
  const notActionable = [
    s("Title: Release 7.1 tasks\nBody: - [ ] changelog\n- [x] tag\n- [ ] announce", "github", "issue"),
    // an echo with only a question about the fix: the rules admit it (more than one word besides the echo)
    s("me too, when will this be fixed??", "discord", "message"),
  ];

  it("keeps specific reports, however short or angry, and drops unspecific ones the rules admit", () => {
    const c = new LearnedTriageClassifier();
    for (const a of actionable) expect(c.classifySync(a).verdict, a.content).toBe("signal");
    const rules = new HeuristicTriageClassifier();
    for (const n of notActionable) {
      expect(rules.classifySync(n).verdict, n.content).toBe("signal");
      expect(c.classifySync(n).verdict, n.content).toBe("noise");
    }
  });
});

describe("contradictions", () => {
  it("finds the same quantity on both sides of a claimed discrepancy, not two different values or versions", () => {
    expect(sameQuantityCompared("The cart total is wrong: it says €18.40 and should say €18.40.")).toBe(true);
    expect(sameQuantityCompared("I ran 12.5 km and the app recorded 12.5 km, it's doubling my runs.")).toBe(true);
    expect(sameQuantityCompared("The cart total is wrong: it says €18.40 and should say €14.80.")).toBe(false);
    expect(sameQuantityCompared("It says €18.40 and the receipt also says €18.40.")).toBe(false); // no discrepancy claimed
    expect(sameQuantityCompared("Wrong on 3.2.1 and fine on 3.2.0, again wrong on 3.2.1.")).toBe(false); // versions
  });

  it("finds a plain claim that the thing works, not one bounded to a platform or case", () => {
    expect(claimsItWorks("Import hangs. Imported 3 files today and they went through fine.")).toBe(true);
    expect(claimsItWorks("It has never crashed on me.")).toBe(true);
    expect(claimsItWorks("Import hangs on Edge but works fine on Chrome.")).toBe(false);
    expect(claimsItWorks("It works fine if I disable the extension.")).toBe(false);
    expect(claimsItWorks("Before the update it worked fine.")).toBe(false);
  });

  it("finds the same action said to fail and to work, not one working in another case", () => {
    expect(claimMatchesFailure("Backups never upload. Uploaded fine every night this week.")).toBe(true);
    expect(claimMatchesFailure("Backups never upload when the file is over 2 GB. With smaller files it uploads fine.")).toBe(false);
    expect(claimMatchesFailure("Backups never upload. The app opens fine.")).toBe(false);
    // other claims of the same action are no failure; a bounded number of claims is tried: linear on a text of many
    expect(claimMatchesFailure("Saves fine. ".repeat(5000))).toBe(false);
    expect(claimMatchesFailure("Saves fine. ".repeat(5000) + "Never saves my drafts though.")).toBe(true);
  });
});

describe("a failure taken back (taken-back.ts) and an ask (ask.ts)", () => {
  it("finds a failure a later sentence sees working, by an observed success and/or the same verb, and whether that is bound to another case", () => {
    expect(takenBack("The weekly report e-mail never arrives. Three of them arrived this week, right on time.")).toEqual({ kind: "both", bound: false, shown: false });
    expect(takenBack("Can't upload receipts at all. Uploaded four receipts an hour ago, no problem.")).toEqual({ kind: "both", bound: false, shown: false });
    expect(takenBack("Dashboard is down. Checked the status page: all 6 services green.")).toEqual({ kind: "marker", bound: false, shown: true });
    // another case, another subject, an earlier time: a real report's contrast
    expect(takenBack("Receipt upload never works on Safari. On Chrome it uploads fine.").bound).toBe(true);
    expect(takenBack("Large receipts never upload. Small ones are fine.").bound).toBe(true);
    expect(takenBack("Report e-mails stopped after we changed the sender domain. Before the change they arrived on time.").bound).toBe(true);
    // no success seen, or only a repro attempt
    expect(takenBack("The weekly report e-mail never arrives, not even in spam.").kind).toBe("none");
    expect(takenBack("Receipts never upload. Tried four times today.").kind).toBe("none");
    expect(takenBackCues("All good here, thanks!")).toEqual([]);
  });

  it("lets the rules call the unbound same-verb form a contradiction, and the model drop a marker-only one", () => {
    const rules = new HeuristicTriageClassifier();
    const both = rules.explain(s("The weekly report e-mail never arrives. Three of them arrived this week, right on time."));
    expect(both.stage).toBe("form_contradiction");
    expect(both.verdict.matched).toContain("taken_back");
    const bound = s("Receipt upload never works on Safari. On Chrome it uploads fine.");
    expect(rules.explain(bound).stage).toBe("soft");
    expect(new LearnedTriageClassifier().classifySync(bound).verdict).toBe("signal");
  });

  it("leaves a failure against what a system shows to the model: the display may be what is wrong", () => {
    const rules = new HeuristicTriageClassifier();
    const shown = s("Our invoices never sync to Xero. The integration page says 'Last sync: successful' and lists every invoice as synced.");
    expect(takenBack(shown.content).kind).toBe("both"); // precondition: the strict form, but its success is displayed
    expect(takenBack(shown.content).shown).toBe(true);
    expect(rules.explain(shown).stage).not.toBe("form_contradiction");
    expect(new LearnedTriageClassifier().classifySync(shown).verdict).toBe("signal");
  });

  it("reads a how-to question or a request for manual work, and whether a failure comes with it", () => {
    expect(askCues("How do I add a second admin to our workspace?")).toEqual(["ask:question&failure:0"]);
    // the user's own search is not a failure of the product
    expect(askCues("@acme where can I find the API key? Couldn't find it in settings.")).toEqual(["ask:question&failure:0"]);
    expect(askCues("¿Cómo puedo cambiar la moneda?")).toEqual(["ask:question&failure:0"]);
    expect(askCues("Hi, could you switch our plan to annual billing from next month?")).toEqual(["ask:manual&failure:0"]);
    expect(askCues("How do I reconnect Stripe? The Reconnect button errors out.")).toEqual(["ask:question&failure:1"]);
    expect(askCues("how do I get the old export back? it used to include archived rows")).toEqual(["ask:question&failure:1"]);
    // a feature request is not a manual ask
    expect(askCues("Could you add an option to export as XLSX?")).toEqual([]);
    const c = new LearnedTriageClassifier();
    expect(c.classifySync(s("How do I add a second admin to our workspace?")).verdict).toBe("noise");
    expect(c.classifySync(s("How do I reconnect Stripe? The Reconnect button errors out.")).verdict).toBe("signal");
  });

  it("reads both in linear time on adversarial text", () => {
    const n = 64 * 1024;
    const inputs = [
      "never ".repeat(n / 6),
      `x never works.${" fine".repeat(n / 5)}`,
      "never works. all 5 there. ".repeat(n / 26),
      "can't upload. uploaded fine. ".repeat(n / 29),
      "\n".repeat(n),
      `.${" ".repeat(n)}how`,
      `@${"a".repeat(n)}`,
      "@a ".repeat(n / 3),
      `please${" ".repeat(n)}reset`,
      "hi,".repeat(n / 3),
      "a".repeat(n),
      "all ".repeat(n / 4),
      "is not ".repeat(n / 7),
    ];
    for (const t of inputs) {
      const t0 = performance.now();
      takenBack(t);
      askCues(t);
      expect(performance.now() - t0, JSON.stringify(t.slice(0, 20))).toBeLessThan(200);
    }
  });
});

describe("npm run train -- triage", () => {
  it("refuses held-out and test files", async () => {
    await expect(trainTriage(["--data", "evals/data/triage-heldout.jsonl", "--quiet", "--out", "/dev/null"])).rejects.toThrow(/refusing/);
    await expect(trainTriage(["--data", "evals/data/triage-dev3-test.jsonl", "--quiet", "--out", "/dev/null"])).rejects.toThrow(/refusing/);
  });
});
