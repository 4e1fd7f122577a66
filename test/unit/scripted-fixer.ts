/** A Fixer for unit tests of the fix steps: runs `edit` in the checkout and answers `answer`; an empty agent record. */
import type { RunRecord } from "../../workers/agent/run-record";
import type { FixAnswer, Fixer, FixInput } from "../../workers/fix/fixer";
import type { ResearchOutput } from "../../workers/research/output";

export function emptyRecord(): RunRecord {
  return { v: 1, purpose: "fix", agent: "scripted", model: null, started_at: 0, finished_at: 0, duration_ms: 0, stop_reason: "done", tool_calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0, system: null, prompt: null, steps: [] };
}

export function scriptedFixer(edit: (input: FixInput) => Promise<void>, answer: FixAnswer): Fixer & { seen: FixInput[] } {
  const seen: FixInput[] = [];
  return {
    name: "scripted",
    seen,
    async fix(input) {
      seen.push(input);
      await edit(input);
      return { answer, run: emptyRecord() };
    },
  };
}

/** research of the sample app's plural-search bug, pointing at `line` of src/search/index.js */
export function pluralSearchResearch(line: number, snippet: string): ResearchOutput {
  return {
    title: "A plural search finds nothing",
    summary: "Searching 'shoes' returns no products although 'shoe' does.",
    findings: [{ signal_ids: ["sig_1"], what: "the query is not stemmed", locations: [{ path: "src/search/index.js", line, snippet }], commits: [] }],
    reviewers: [],
    priority: "P2",
    confidence: 0.8,
    actionability: { bucket: "actionable", rule: "located_in_code", reason: "the search code is named" },
    already_addressed: null,
  } as unknown as ResearchOutput;
}
