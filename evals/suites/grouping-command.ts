/**
 * The grouping suite as a CLI command: `--baseline raw-embedding`,
 * `--stage fingerprint`, `--threshold X` (default: the embedder's own),
 * `--sweep [--thresholds a,b,…]` (the metrics at each threshold, 0.05…0.95 by default,
 * each signal written and each text embedded once), `--verbose`. The
 * scoring itself is in grouping.ts.
 */
import { memoEmbedder, memoQueryWriter } from "../memo";
import { makeProviders, type Providers } from "../providers";
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
  usage: "grouping --data F [--baseline raw-embedding] [--stage fingerprint] [--threshold X] [--sweep [--thresholds a,b,…]] [--verbose]",
  options: {
    baseline: { type: "string" },
    stage: { type: "string" },
    threshold: { type: "string" },
    sweep: { type: "boolean" },
    thresholds: { type: "string" },
    verbose: { type: "boolean" },
  },
  async run({ data, provider, values }) {
    if (values.baseline !== undefined && values.baseline !== "raw-embedding") throw new UsageError(`unknown baseline '${values.baseline}'`);
    if (values.stage !== undefined && values.stage !== "fingerprint") throw new UsageError(`unknown stage '${values.stage}'`);
    if (values.thresholds !== undefined && !values.sweep) throw new UsageError("--thresholds goes with --sweep");
    const sweep = values.sweep ? sweepThresholds(String(values.thresholds ?? "")) : null;
    const lines = readGrouping(data);
    const providers = makeProviders(provider);
    const threshold = values.threshold !== undefined ? Number(values.threshold) : providers.embedder.defaultThreshold;
    if (!(threshold > 0 && threshold <= 1)) throw new UsageError("--threshold must be in (0, 1]");
    if (sweep) return runSweep(data, lines, providers, sweep);
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

/** without `--thresholds`: 0.05…0.95 by 0.05; else its comma-separated list */
function sweepThresholds(arg: string): number[] {
  if (!arg.trim()) return Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100);
  const out = arg.split(",").map((x) => Number(x.trim()));
  if (!out.length || out.some((t) => !(t > 0 && t <= 1))) throw new UsageError("--thresholds takes thresholds in (0, 1], comma-separated");
  return out;
}

const SWEEP_KEYS = ["ari", "pairwise_precision", "pairwise_recall", "pairwise_f1", "v_measure", "groups_true", "groups_pred"] as const;

async function runSweep(data: string, lines: ReturnType<typeof readGrouping>, providers: Providers, thresholds: number[]) {
  // each signal is written and each text embedded once, whatever the number of thresholds
  const memo: Providers = { ...providers, queryWriter: memoQueryWriter(providers.queryWriter), embedder: memoEmbedder(providers.embedder) };
  const rows: Record<string, number>[] = [];
  let calls = { llm_calls: 0, embed_calls: 0 };
  for (const t of thresholds) {
    const run = await runGrouping(lines, memo, { threshold: t, mode: "pipeline" });
    if (rows.length === 0) calls = { llm_calls: run.llm_calls, embed_calls: run.embed_calls };
    rows.push({ threshold: t, ...Object.fromEntries(SWEEP_KEYS.map((k) => [k, run[k]])) });
  }
  const best = rows.reduce((a, b) => (b.ari > a.ari ? b : a));
  const fmt = (k: string, v: number) => (k.startsWith("groups") ? String(v) : v.toFixed(4));
  const header = ["threshold", ...SWEEP_KEYS].map((h) => h.padStart(h === "threshold" ? 9 : Math.max(8, h.length))).join("  ");
  const table = rows.map((r) =>
    [r.threshold.toFixed(2).padStart(9), ...SWEEP_KEYS.map((k) => fmt(k, r[k]).padStart(Math.max(8, k.length)))].join("  ") + (r === best ? "  <- best ari" : ""),
  );
  return {
    lines: [
      `grouping sweep: ${lines.length} signals from ${data}, provider ${providers.name} (embedder ${providers.embedder.model}, default threshold ${providers.embedder.defaultThreshold})`,
      header,
      ...table,
      `calls for the whole sweep (each signal written and embedded once): llm ${calls.llm_calls}, embed ${calls.embed_calls}`,
    ],
    result: { suite: "grouping", provider: providers.name, n: lines.length, default_threshold: providers.embedder.defaultThreshold, best_threshold: best.threshold, ...calls, sweep: rows },
  };
}
