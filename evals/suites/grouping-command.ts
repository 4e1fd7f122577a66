/**
 * The grouping suite as a CLI command: `--baseline raw-embedding`,
 * `--stage fingerprint`, `--threshold X`, `--verbose`. The scoring itself is
 * in grouping.ts.
 */
import { DEFAULT_GROUPING_THRESHOLD } from "../../workers/grouping/defaults";
import { makeProviders } from "../providers";
import { UsageError, type Suite } from "../suite";
import { metricTable, type MetricRow } from "../table";
import { readGrouping, runGrouping, type GroupingRun } from "./grouping";

const METRIC_KEYS = [
  "ari", "homogeneity", "completeness", "v_measure", "pairwise_precision", "pairwise_recall", "pairwise_f1", "ga",
  "groups_true", "groups_pred", "llm_calls", "embed_calls",
] as const;

function pick(run: GroupingRun): Record<string, number> {
  return Object.fromEntries(METRIC_KEYS.map((k) => [k, run[k]]));
}

export const groupingSuite: Suite = {
  name: "grouping",
  usage: "grouping --data F [--baseline raw-embedding] [--stage fingerprint] [--threshold X] [--verbose]",
  options: {
    baseline: { type: "string" },
    stage: { type: "string" },
    threshold: { type: "string" },
    verbose: { type: "boolean" },
  },
  async run({ data, provider, values }) {
    if (values.baseline !== undefined && values.baseline !== "raw-embedding") throw new UsageError(`unknown baseline '${values.baseline}'`);
    if (values.stage !== undefined && values.stage !== "fingerprint") throw new UsageError(`unknown stage '${values.stage}'`);
    const threshold = values.threshold !== undefined ? Number(values.threshold) : DEFAULT_GROUPING_THRESHOLD;
    if (!(threshold > 0 && threshold <= 1)) throw new UsageError("--threshold must be in (0, 1]");

    const lines = readGrouping(data);
    const providers = makeProviders(provider);
    const mode = values.stage === "fingerprint" ? "fingerprint" : "pipeline";
    const run = await runGrouping(lines, providers, { threshold, mode });
    const columns: [string, MetricRow][] = [[mode === "fingerprint" ? "fingerprint" : "nightshift", pick(run)]];
    const result: Record<string, unknown> = {
      suite: "grouping",
      provider: providers.name,
      stage: mode === "fingerprint" ? "fingerprint" : "all",
      n: run.n,
      threshold,
      ...pick(run),
    };
    if (values.baseline === "raw-embedding") {
      const base = await runGrouping(lines, providers, { threshold, mode: "raw-embedding" });
      columns.push(["raw-embedding", pick(base)]);
      result.baseline = { name: "raw-embedding", ...pick(base) };
    }
    const out = [`grouping eval: ${run.n} signals from ${data}, provider ${providers.name}, threshold ${threshold}`, metricTable(METRIC_KEYS, columns)];
    if (values.verbose) {
      for (const a of run.assignments) out.push(`${a.id}\t${a.group}\t${a.report}\t${a.method}\t${a.score?.toFixed(3) ?? "-"}`);
    }
    return { lines: out, result };
  },
};
