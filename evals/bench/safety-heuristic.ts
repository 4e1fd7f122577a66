/**
 * Micro-benchmark of the offline safety heuristic: µs per signal with its
 * prefilters (trigger literals per rule, base64 prescan) and without them
 * (`prefilter: false`: every regex and the base64 scan on every text), on the
 * same inputs in the same run, in alternating rounds.
 *
 *   npx tsx evals/bench/safety-heuristic.ts [--data file.jsonl]… [--rounds N] [--ms N] [--json]
 *
 * Inputs: the `content` of every line of the given JSONL files (default: the
 * demo stream, scripts/demo/sample-stream.jsonl). With --json the last stdout
 * line is one JSON object.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { HeuristicSafetyClassifier } from "../../workers/safety/heuristic";
import type { SafetyInput } from "../../workers/safety/classifier";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

function load(files: string[]): SafetyInput[] {
  return files.flatMap((f) =>
    readFileSync(f, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l))
      .map(({ source_product, source_type, content }) => ({ source_product, source_type, content })),
  );
}

/** µs per signal for one pass over the inputs, repeated for about `ms` milliseconds */
function measure(c: HeuristicSafetyClassifier, inputs: SafetyInput[], ms: number): number {
  let passes = 0;
  let sink = 0;
  const started = performance.now();
  do {
    for (const input of inputs) sink += c.classifySync(input).score;
    passes++;
  } while (performance.now() - started < ms);
  if (sink < 0) console.log(sink); // keeps the work observable
  return ((performance.now() - started) * 1000) / (passes * inputs.length);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const { values } = parseArgs({
    options: {
      data: { type: "string", multiple: true },
      rounds: { type: "string", default: "7" },
      ms: { type: "string", default: "300" },
      json: { type: "boolean", default: false },
    },
  });
  const files = values.data?.length ? values.data : [join(root, "scripts/demo/sample-stream.jsonl")];
  const inputs = load(files);
  const rounds = Number(values.rounds);
  const ms = Number(values.ms);
  const sides = {
    unfiltered: new HeuristicSafetyClassifier({ prefilter: false }),
    prefiltered: new HeuristicSafetyClassifier(),
  };

  const same = inputs.every((i) => JSON.stringify(sides.unfiltered.classifySync(i)) === JSON.stringify(sides.prefiltered.classifySync(i)));
  for (const c of Object.values(sides)) measure(c, inputs, ms); // warm-up (JIT)
  const times: Record<keyof typeof sides, number[]> = { unfiltered: [], prefiltered: [] };
  for (let r = 0; r < rounds; r++) {
    // alternate which side goes first so drift hits both alike
    const order = r % 2 === 0 ? (["unfiltered", "prefiltered"] as const) : (["prefiltered", "unfiltered"] as const);
    for (const side of order) times[side].push(measure(sides[side], inputs, ms));
  }
  const result = {
    bench: "safety-heuristic",
    signals: inputs.length,
    data: files.map((f) => f.replace(`${root}/`, "")),
    rounds,
    unfiltered_us_per_signal: median(times.unfiltered),
    prefiltered_us_per_signal: median(times.prefiltered),
    speedup: median(times.unfiltered) / median(times.prefiltered),
    same_verdicts: same,
  };
  console.log(`safety heuristic: ${inputs.length} signals from ${result.data.join(", ")}, ${rounds} rounds of ~${ms} ms per side (median)`);
  console.log(`without prefilters  ${result.unfiltered_us_per_signal.toFixed(2)} µs/signal`);
  console.log(`with prefilters     ${result.prefiltered_us_per_signal.toFixed(2)} µs/signal`);
  console.log(`speed-up            ${result.speedup.toFixed(1)}×   same verdicts: ${same ? "yes" : "NO"}`);
  if (values.json) console.log(JSON.stringify(result));
  if (!same) process.exitCode = 1;
}

main();
