/**
 * Triage suite: each line is one candidate signal labelled `actionable`
 * (../shared/eval-formats.md). The triage classifier says "signal" or
 * "noise"; a false admit is a not-actionable line let through as "signal",
 * a false drop an actionable line called "noise".
 * Metrics: false_admit_rate, false_drop_rate, accuracy, n, llm_calls, and
 * the ids of every error. A rate whose denominator is 0 is null.
 */
import { z } from "zod";
import type { TriageClassifier, TriageVerdict } from "../../workers/triage/triage";
import { readJsonl } from "../jsonl";
import { makeTriageClassifier } from "../providers";
import type { Suite } from "../suite";
import { metricTable } from "../table";

export const TriageLine = z.object({
  id: z.string().min(1),
  source_product: z.string().min(1),
  source_type: z.string().min(1),
  content: z.string(),
  actionable: z.boolean(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type TriageLine = z.infer<typeof TriageLine>;

export interface TriageRun {
  n: number;
  actionable: number;
  not_actionable: number;
  false_admit_rate: number | null;
  false_drop_rate: number | null;
  accuracy: number;
  llm_calls: number;
  embed_calls: number;
  errors: string[];
  false_admits: string[];
  false_drops: string[];
  /** noise verdicts by reason */
  reasons: Record<string, number>;
  decisions: { id: string; actionable: boolean; verdict: TriageVerdict }[];
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

export async function runTriage(lines: TriageLine[], classifier: TriageClassifier): Promise<TriageRun> {
  const decisions: TriageRun["decisions"] = [];
  for (const line of lines) decisions.push({ id: line.id, actionable: line.actionable, verdict: await classifier.classify(line) });
  const falseAdmits = decisions.filter((d) => !d.actionable && d.verdict.verdict === "signal").map((d) => d.id);
  const falseDrops = decisions.filter((d) => d.actionable && d.verdict.verdict === "noise").map((d) => d.id);
  const errors = new Set([...falseAdmits, ...falseDrops]);
  const actionable = decisions.filter((d) => d.actionable).length;
  const reasons: Record<string, number> = {};
  for (const d of decisions) if (d.verdict.reason) reasons[d.verdict.reason] = (reasons[d.verdict.reason] ?? 0) + 1;
  return {
    n: decisions.length,
    actionable,
    not_actionable: decisions.length - actionable,
    false_admit_rate: ratio(falseAdmits.length, decisions.length - actionable),
    false_drop_rate: ratio(falseDrops.length, actionable),
    accuracy: (decisions.length - errors.size) / decisions.length,
    llm_calls: classifier.usesLlm ? decisions.length : 0,
    embed_calls: 0,
    errors: decisions.filter((d) => errors.has(d.id)).map((d) => d.id),
    false_admits: falseAdmits,
    false_drops: falseDrops,
    reasons,
    decisions,
  };
}

export function readTriage(path: string): TriageLine[] {
  return readJsonl(path, TriageLine);
}

const METRIC_KEYS = ["false_admit_rate", "false_drop_rate", "accuracy", "n", "actionable", "not_actionable", "llm_calls", "embed_calls"] as const;

export const triageSuite: Suite = {
  name: "triage",
  usage: "triage --data F [--provider offline] [--verbose]",
  options: { verbose: { type: "boolean" } },
  async run({ data, provider, values }) {
    const lines = readTriage(data);
    const classifier = makeTriageClassifier(provider);
    const run = await runTriage(lines, classifier);
    const metrics = Object.fromEntries(METRIC_KEYS.map((k) => [k, run[k]]));
    const out = [
      `triage eval: ${run.n} signals (${run.actionable} actionable, ${run.not_actionable} not) from ${data}, provider ${provider}, classifier ${classifier.name}`,
      metricTable(METRIC_KEYS, [["value", metrics]]),
      `false admits (noise let through): ${run.false_admits.join(", ") || "none"}`,
      `false drops (actionable called noise): ${run.false_drops.join(", ") || "none"}`,
    ];
    if (values.verbose) {
      for (const d of run.decisions) out.push(`${d.id}\t${d.actionable ? "actionable" : "noise"}\t${d.verdict.verdict}\t${d.verdict.reason ?? "-"}\t${d.verdict.matched.join(",")}`);
    }
    const { decisions: _decisions, ...summary } = run;
    return { lines: out, result: { suite: "triage", provider, classifier: classifier.name, ...summary } };
  },
};
