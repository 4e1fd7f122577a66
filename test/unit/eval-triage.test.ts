import { describe, expect, it } from "vitest";
import { lastJson, runEval, tmpJsonl } from "./eval-run";

// lines written for these tests
const line = (id: string, actionable: boolean, content: string, source_product = "zendesk") => ({
  id,
  source_product,
  source_type: "ticket",
  content,
  actionable,
});
const data = [
  line("n1", false, "Subject: Automatic reply: order 12\nBody: I am out of the office until Friday."),
  line("n2", false, "Please send me the invoice for May."),
  line("n3", false, "The export button returns a 500 error since the 4.2 update."), // labelled not actionable on purpose: a false admit
  line("a1", true, "The invoice PDF download button returns a 404."),
  line("a2", true, "Subject: thanks!\nBody: Thanks for the update. Sadly the calendar sync still duplicates every event."),
  line("a3", true, "You can close this, thanks. Anyway"), // labelled actionable on purpose: a false drop
];

describe("eval CLI (triage)", () => {
  it("prints the table and, with --json, the rates and the ids of every error", () => {
    const r = runEval(["triage", "--data", tmpJsonl(data), "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^false_admit_rate\s+0\.3333$/m);
    expect(r.stdout).toContain("false drops (actionable called noise): a3");
    const last = lastJson(r);
    expect(last).toMatchObject({
      suite: "triage",
      provider: "offline",
      n: 6,
      actionable: 3,
      not_actionable: 3,
      false_admits: ["n3"],
      false_drops: ["a3"],
      errors: ["n3", "a3"],
      llm_calls: 0,
    });
    expect(last.false_admit_rate).toBeCloseTo(1 / 3, 9);
    expect(last.false_drop_rate).toBeCloseTo(1 / 3, 9);
    expect(last.accuracy).toBeCloseTo(4 / 6, 9);
    expect(last.reasons).toMatchObject({ auto_reply: 1, billing_request: 1, resolved: 1 });
  });

  it("exits 2 naming the line and field of a line without `actionable`", () => {
    const r = runEval(["triage", "--data", tmpJsonl([data[0], { ...data[1], actionable: "yes" }])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/data\.jsonl:2: actionable/);
  });

  it("exits 2 for a provider it does not have", () => {
    const r = runEval(["triage", "--data", tmpJsonl(data), "--provider", "anthropic"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/triage suite/);
  });
});
