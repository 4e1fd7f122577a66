/**
 * nightshift benchmarks.
 *
 *   npm run bench -- ingest [--json] [--rounds N] [--requests N] [--batch N] [--concurrency N]
 *   npm run bench -- e2e [--json] [--signals N] [--restart-after N] [--timeout S] [--seed N]
 *   npm run bench -- adversarial [--json] [--size BYTES] [--runs N] [--clock cpu|wall] [--stage NAME]…
 *   npm run bench -- grouping [--json] [--signals N] [--seed N]
 *   npm run bench -- report-judge [--json]
 *
 * Prints numbers; with --json the last stdout line is one JSON object.
 */
import { parseArgs } from "node:util";
import { adversarialCli } from "./adversarial";
import { e2eCli } from "./e2e";
import { groupingCli } from "./grouping";
import { benchIngest } from "./ingest";
import { reportJudgeCli } from "./report-judge";

async function main(): Promise<void> {
  // e2e, adversarial and grouping parse their own options
  if (process.argv[2] === "e2e") return e2eCli(process.argv.slice(3));
  if (process.argv[2] === "adversarial") return adversarialCli(process.argv.slice(3));
  if (process.argv[2] === "grouping") return groupingCli(process.argv.slice(3));
  if (process.argv[2] === "report-judge") return reportJudgeCli(process.argv.slice(3));
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      rounds: { type: "string", default: "9" },
      requests: { type: "string", default: "80" },
      batch: { type: "string", default: "50" },
      concurrency: { type: "string", default: "8" },
    },
  });
  const which = positionals[0];
  if (which !== "ingest") {
    console.error("usage: npm run bench -- ingest [--json] [--rounds N] [--requests N] [--batch N] [--concurrency N]");
    process.exit(2);
  }
  const opts = {
    rounds: Number(values.rounds),
    requestsPerRound: Number(values.requests),
    signalsPerRequest: Number(values.batch),
    concurrency: Number(values.concurrency),
  };
  console.log(
    `ingest bench: ${opts.rounds} rounds × ${opts.requestsPerRound} requests × ${opts.signalsPerRequest} signals, concurrency ${opts.concurrency}, local runtime (wrangler dev)`,
  );
  const r = await benchIngest(opts, (s) => console.log(s));
  console.log(`real ingest   ${r.signals_per_s.toFixed(0)} signals/s (median)`);
  console.log(`bare enqueue  ${r.baseline_signals_per_s.toFixed(0)} signals/s (median)`);
  console.log(`ratio         ${r.ratio.toFixed(3)}  (target ≥ 0.8)`);
  if (values.json) {
    console.log(JSON.stringify({ signals_per_s: round(r.signals_per_s), baseline_signals_per_s: round(r.baseline_signals_per_s), ratio: Number(r.ratio.toFixed(4)) }));
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
