/**
 * Safety suite: each line is one candidate signal labelled malicious or
 * benign (../shared/eval-formats.md). The classifier the Worker would use
 * (`--provider offline`: heuristic; `anthropic`: heuristic + LLM judge)
 * decides drop/allow; "positive" is malicious/drop.
 * Metrics: recall (malicious dropped), fpr (benign dropped), precision, f1,
 * n, llm_calls, and the ids of every miss and every false alarm. A metric
 * whose denominator is 0 is null.
 */
import { z } from "zod";
import type { SafetyClassifier, SafetyVerdict } from "../../workers/safety/classifier";
import { readJsonl } from "../jsonl";
import { makeSafetyClassifier, ProviderUnavailable } from "../providers";
import type { Suite } from "../suite";
import { metricTable } from "../table";

export const SafetyLine = z.object({
  id: z.string().min(1),
  source_product: z.string().min(1),
  source_type: z.string().min(1),
  content: z.string(),
  label: z.enum(["malicious", "benign"]),
  /** optional: the attack family or kind of benign text, for per-family numbers */
  family: z.string().optional(),
});
export type SafetyLine = z.infer<typeof SafetyLine>;

export interface SafetyRun {
  n: number;
  malicious: number;
  benign: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  recall: number | null;
  fpr: number | null;
  precision: number | null;
  f1: number | null;
  llm_calls: number;
  embed_calls: number;
  /** signals the LLM judge could not judge (decided by the fail-safe) */
  judge_failures: number;
  /** signals the offline tier could not clear (what the LLM judge would read under the default policy) */
  uncertain: number;
  misses: string[];
  false_alarms: string[];
  /** per family (lines that name one): share dropped — recall for attacks, false-positive rate for benign */
  by_family: Record<string, { label: SafetyLine["label"]; n: number; dropped: number; share: number }>;
  decisions: { id: string; label: SafetyLine["label"]; family?: string; verdict: SafetyVerdict }[];
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

export async function runSafety(lines: SafetyLine[], classifier: SafetyClassifier): Promise<SafetyRun> {
  let llm = 0;
  let judgeFailures = 0;
  const decisions: SafetyRun["decisions"] = [];
  for (const line of lines) {
    const verdict = await classifier.classify(line);
    // the tiered classifier reports its calls (0 when the heuristic decided); any other LLM classifier costs one
    llm += "llm_calls" in verdict && typeof verdict.llm_calls === "number" ? verdict.llm_calls : classifier.usesLlm ? 1 : 0;
    if ("judge_failure" in verdict && verdict.judge_failure) judgeFailures++;
    decisions.push({ id: line.id, label: line.label, family: line.family, verdict });
  }
  const dropped = (d: (typeof decisions)[number]) => d.verdict.action === "drop";
  const misses = decisions.filter((d) => d.label === "malicious" && !dropped(d)).map((d) => d.id);
  const falseAlarms = decisions.filter((d) => d.label === "benign" && dropped(d)).map((d) => d.id);
  const malicious = decisions.filter((d) => d.label === "malicious").length;
  const benign = decisions.length - malicious;
  const tp = malicious - misses.length;
  const fp = falseAlarms.length;
  const byFamily: SafetyRun["by_family"] = {};
  for (const d of decisions) {
    if (!d.family) continue;
    const key = `${d.label}:${d.family}`;
    const f = (byFamily[key] ??= { label: d.label, n: 0, dropped: 0, share: 0 });
    f.n++;
    if (dropped(d)) f.dropped++;
  }
  for (const f of Object.values(byFamily)) f.share = Math.round((f.dropped / f.n) * 10000) / 10000;
  const uncertain = decisions.filter((d) => "uncertain" in d.verdict && d.verdict.uncertain === true).length;
  const recall = ratio(tp, malicious);
  const precision = ratio(tp, tp + fp);
  const f1 = recall === null || precision === null ? null : recall + precision === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    n: decisions.length,
    malicious,
    benign,
    tp,
    fp,
    tn: benign - fp,
    fn: misses.length,
    recall,
    fpr: ratio(fp, benign),
    precision,
    f1,
    llm_calls: llm,
    embed_calls: 0,
    judge_failures: judgeFailures,
    uncertain,
    misses,
    false_alarms: falseAlarms,
    by_family: byFamily,
    decisions,
  };
}

export function readSafety(path: string): SafetyLine[] {
  return readJsonl(path, SafetyLine);
}

const METRIC_KEYS = ["recall", "fpr", "precision", "f1", "n", "malicious", "benign", "tp", "fp", "tn", "fn", "llm_calls", "embed_calls", "judge_failures", "uncertain"] as const;

export const safetySuite: Suite = {
  name: "safety",
  usage: "safety --data F [--provider offline|anthropic] [--baseline rules] [--verbose]",
  options: { verbose: { type: "boolean" }, baseline: { type: "string" } },
  async run({ data, provider, values }) {
    const lines = readSafety(data);
    const classifier = makeSafetyClassifier(provider);
    const run = await runSafety(lines, classifier);
    const metrics = Object.fromEntries(METRIC_KEYS.map((k) => [k, run[k]]));
    const rows: [string, Record<string, number | null>][] = [["value", metrics]];
    let baseline: Omit<SafetyRun, "decisions"> | undefined;
    if (values.baseline !== undefined) {
      if (values.baseline !== "rules") throw new ProviderUnavailable(`--baseline ${String(values.baseline)}: the safety suite's baseline is 'rules' (the offline tier without its learned model)`);
      const { decisions: _d, ...b } = await runSafety(lines, makeSafetyClassifier("offline", { SAFETY_LEARNED_MODEL: "off" }));
      baseline = b;
      rows.push(["rules", Object.fromEntries(METRIC_KEYS.map((k) => [k, b[k]]))]);
    }
    const out = [
      `safety eval: ${run.n} signals (${run.malicious} malicious, ${run.benign} benign) from ${data}, provider ${provider}, classifier ${classifier.name}`,
      metricTable(METRIC_KEYS, rows),
      ...Object.entries(run.by_family)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, f]) => `  ${k.padEnd(30)} n ${String(f.n).padStart(4)}  ${f.label === "malicious" ? "recall" : "fpr   "} ${f.share.toFixed(3)}${baseline?.by_family[k] ? `  (rules ${baseline.by_family[k].share.toFixed(3)})` : ""}`),
      `misses (malicious allowed): ${run.misses.join(", ") || "none"}`,
      `false alarms (benign dropped): ${run.false_alarms.join(", ") || "none"}`,
    ];
    if (values.verbose) {
      for (const d of run.decisions) {
        out.push(`${d.id}\t${d.label}\t${d.verdict.action}\t${d.verdict.score}\t${d.verdict.classifier}\t${d.verdict.matched.join(",")}`);
      }
    }
    const { decisions: _decisions, ...summary } = run;
    return { lines: out, result: { suite: "safety", provider, classifier: classifier.name, ...summary, ...(baseline ? { baseline } : {}) } };
  },
};
