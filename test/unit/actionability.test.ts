import { describe, expect, it } from "vitest";
import { judgeByRules } from "../../workers/actionability/actionability";
import { summarizeEvidence } from "../../workers/research/evidence";

const sig = (id: string, source_product: string, content: string, received_at = 1) => ({
  id,
  source_product,
  source_type: "x",
  content,
  weight: 1,
  received_at,
});

const judge = (...signals: ReturnType<typeof sig>[]) =>
  judgeByRules(summarizeEvidence({ reportId: "r", project: "p", weight: signals.length, signals }));

describe("offline actionability rules", () => {
  it("acts on an in-app stack frame", () => {
    const trace = "TypeError: x\n    at f (src/a/b.ts:1:1)";
    expect(judge(sig("1", "errors", trace), sig("2", "errors", trace))).toMatchObject({ bucket: "actionable", rule: "in_app_frame" });
  });
  it("acts on a file the signals name", () => {
    expect(
      judge(sig("1", "github", "Title: CSV export\nBody: `exportOrdersCsv` in src/reports/export.ts writes latin1"), sig("2", "support", "CSV is garbled")),
    ).toMatchObject({ bucket: "actionable", rule: "named_file" });
  });
  it("never turns a generic complaint into a code change", () => {
    expect(judge(sig("1", "slack", "onboarding is broken"), sig("2", "support", "onboarding is so bad"))).toMatchObject({
      bucket: "needs_human",
      rule: "no_concrete_location",
    });
  });
  it("waits for more evidence on a single signal", () => {
    expect(judge(sig("1", "errors", "TypeError: x\n    at f (src/a/b.ts:1:1)"))).toMatchObject({ bucket: "not_actionable" });
  });
  it("ignores dependency files named in prose", () => {
    const e = summarizeEvidence({ reportId: "r", project: "p", weight: 1, signals: [sig("1", "github", "see node_modules/react/index.js and src/app/x.ts")] });
    expect(e.top_files.map((f) => f.value)).toEqual(["src/app/x.ts"]);
  });
});
