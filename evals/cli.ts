/**
 * nightshift eval CLI.
 *
 *   npm run eval -- <suite> --data <file.jsonl> [--provider offline|anthropic|workers-ai] [--json]
 *   grouping extras: [--baseline raw-embedding] [--stage fingerprint] [--threshold X]
 *
 * Prints a table; with --json the last stdout line is one JSON object.
 * Exit codes: 0 ok, 2 bad arguments or malformed data.
 */
import { parseArgs } from "node:util";
import { EvalDataError } from "./jsonl";
import { makeProviders, ProviderUnavailable, type ProviderName } from "./providers";
import { readGrouping, runGrouping, type GroupingRun } from "./suites/grouping";
import { DEFAULT_GROUPING_THRESHOLD } from "../workers/grouping/defaults";

const SUITES = ["grouping"] as const;
const PROVIDERS: ProviderName[] = ["offline", "anthropic", "workers-ai"];

function usage(msg: string): never {
  console.error(`eval: ${msg}`);
  console.error("usage: npm run eval -- <suite> --data <file.jsonl> [--provider offline|anthropic|workers-ai] [--json]");
  console.error(`suites: ${SUITES.join(", ")}`);
  process.exit(2);
}

const METRIC_KEYS = [
  "ari", "homogeneity", "completeness", "v_measure", "pairwise_precision", "pairwise_recall", "pairwise_f1", "ga",
  "groups_true", "groups_pred", "llm_calls", "embed_calls",
] as const;

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

function table(rows: [string, Record<string, number>][]): string {
  const header = ["metric", ...rows.map(([name]) => name)];
  const body = METRIC_KEYS.filter((k) => rows.some(([, r]) => k in r)).map((k) => [k, ...rows.map(([, r]) => (k in r ? fmt(r[k]) : "-"))]);
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
}

function pick(run: GroupingRun): Record<string, number> {
  return Object.fromEntries(METRIC_KEYS.map((k) => [k, run[k]]));
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        data: { type: "string" },
        provider: { type: "string", default: "offline" },
        json: { type: "boolean", default: false },
        baseline: { type: "string" },
        stage: { type: "string" },
        threshold: { type: "string" },
        verbose: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  const suite = positionals[0];
  if (!suite) usage("missing suite");
  if (!(SUITES as readonly string[]).includes(suite)) usage(`unknown suite '${suite}'`);
  if (!values.data) usage("missing --data <file.jsonl>");
  if (!PROVIDERS.includes(values.provider as ProviderName)) usage(`unknown provider '${values.provider}'`);
  if (values.baseline && values.baseline !== "raw-embedding") usage(`unknown baseline '${values.baseline}'`);
  if (values.stage && values.stage !== "fingerprint") usage(`unknown stage '${values.stage}'`);
  const threshold = values.threshold ? Number(values.threshold) : DEFAULT_GROUPING_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) usage("--threshold must be in (0, 1]");

  const lines = readGrouping(values.data);
  const providers = makeProviders(values.provider as ProviderName);
  const mode = values.stage === "fingerprint" ? "fingerprint" : "pipeline";
  const run = await runGrouping(lines, providers, { threshold, mode });
  const rows: [string, Record<string, number>][] = [[mode === "fingerprint" ? "fingerprint" : "nightshift", pick(run)]];
  const result: Record<string, unknown> = {
    suite,
    provider: providers.name,
    stage: mode === "fingerprint" ? "fingerprint" : "all",
    n: run.n,
    threshold,
    ...pick(run),
  };
  if (values.baseline === "raw-embedding") {
    const base = await runGrouping(lines, providers, { threshold, mode: "raw-embedding" });
    rows.push(["raw-embedding", pick(base)]);
    result.baseline = { name: "raw-embedding", ...pick(base) };
  }
  console.log(`grouping eval: ${run.n} signals from ${values.data}, provider ${providers.name}, threshold ${threshold}`);
  console.log(table(rows));
  if (values.verbose) {
    for (const a of run.assignments) console.log(`${a.id}\t${a.group}\t${a.report}\t${a.method}\t${a.score?.toFixed(3) ?? "-"}`);
  }
  if (values.json) console.log(JSON.stringify(result));
}

main().catch((e) => {
  if (e instanceof EvalDataError || e instanceof ProviderUnavailable) {
    console.error(`eval: ${e.message}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
