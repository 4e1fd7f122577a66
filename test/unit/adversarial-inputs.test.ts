/**
 * Every classifier and normalizer a signal's text goes through stays linear
 * in the input on adversarial 64 KiB inputs (evals/bench/adversarial.ts: long
 * runs of one character class, base64 of letters and of prose, one-line
 * minified code, deep nesting, lines without spaces, near-misses of each
 * safety rule's trigger words, stack- and log-like lines) — the stages of
 * `npm run bench -- adversarial`: the safety heuristic, triage, normalize and
 * stack parsing, fingerprint, the offline query writer, the hashed embedder,
 * the evidence researcher, the Sentry, PostHog and log source helpers, log
 * level and line parsing, Slack mrkdwn and the judge's answer parsing.
 *
 * The work runs in a worker thread (adversarial-worker.ts) so that a call past
 * its budget is stopped rather than hanging the run. Both checks are made to
 * hold on a busy machine:
 *  1. Budget: each call finishes within 1.5 s of wall-clock time. On this
 *     2-core machine a linear stage takes about 1-10 ms for 64 KiB (~50 ms
 *     under heavy load); the quadratic paths this test guards against took
 *     seconds at 64 KiB (splitIdentifier on capitals ~6 s, the base64 check
 *     on letters ~4 s) and the exponential one never finished. A 150x margin
 *     over a linear stage, and far below any super-linear one.
 *  2. Scaling: on each stage's three slowest inputs, CPU time (process CPU,
 *     not wall clock, so waiting for a core does not count) of 64 KiB vs 16 KiB,
 *     best of 3 runs each: a linear stage gives ~4 (measured 2.5-5), a
 *     quadratic one 16. Asserted < 10, and only where the three 64 KiB runs
 *     take ≥ 3 ms together: below that, timer and GC noise dominate, and a
 *     stage that cheap at 64 KiB is harmless whatever its shape.
 * Same results as before the rewrites: test/unit/linear-text-equivalence.test.ts.
 */
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adversarialInputs, STAGES } from "../../evals/bench/adversarial";
import type { Job } from "./adversarial-worker";

const SIZE = 64 * 1024;
const SMALL = 16 * 1024;
const BUDGET_MS = 1_500;
const MAX_RATIO = 10;
const MIN_MEASURABLE_MS = 3;

const names = adversarialInputs(SIZE).map((i) => i.name);

let worker: Worker | null = null;

async function startWorker(): Promise<Worker> {
  const target = new URL("./adversarial-worker.ts", import.meta.url).href;
  // tsx's loader, registered inside the worker, compiles the TypeScript modules
  const w = new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(target)}); });`, { eval: true });
  await new Promise<void>((resolve, reject) => {
    w.once("message", () => resolve());
    w.once("error", reject);
  });
  return w;
}

/** the job's time in ms, or Infinity when it ran past `budgetMs` (the worker is then replaced) */
async function measure(job: Job, budgetMs = BUDGET_MS): Promise<number> {
  worker ??= await startWorker();
  const w = worker;
  const answer = await new Promise<{ ms?: number; error?: string } | null>((resolve, reject) => {
    const timer = setTimeout(() => resolve(null), budgetMs * job.runs);
    w.once("message", (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    w.once("error", reject);
    w.postMessage(job);
  });
  if (answer === null) {
    worker = null;
    await w.terminate();
    return Infinity;
  }
  if (answer.error) throw new Error(answer.error);
  return answer.ms!;
}

beforeAll(async () => {
  worker = await startWorker();
}, 60_000);

afterAll(async () => {
  await worker?.terminate();
});

/** wall-clock ms of each input at 64 KiB, per stage, from the budget test */
const wallTimes = new Map<string, number[]>();

describe.each(STAGES.map((s) => s.name))("%s", (stage) => {
  it(`answers each of the ${names.length} adversarial 64 KiB inputs within ${BUDGET_MS} ms`, async () => {
    const times: number[] = [];
    const over: string[] = [];
    for (let input = 0; input < names.length && over.length < 3; input++) {
      const ms = await measure({ stage, size: SIZE, input, runs: 1, clock: "wall" });
      times.push(ms);
      if (ms > BUDGET_MS) over.push(`${names[input]}: ${ms === Infinity ? `stopped after ${BUDGET_MS} ms` : `${ms.toFixed(0)} ms`}`);
    }
    wallTimes.set(stage, times);
    expect(over).toEqual([]);
  }, 180_000);

  it(`scales linearly: its slowest inputs at 4x the size take < ${MAX_RATIO}x the CPU time`, async () => {
    const times = wallTimes.get(stage);
    if (!times || times.length < names.length || times.some((ms) => ms > BUDGET_MS)) return; // the budget test failed (or did not run)
    const slowest = times
      .map((ms, input) => ({ ms, input }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3);
    let small = 0;
    let large = 0;
    for (const { input } of slowest) {
      small += await measure({ stage, size: SMALL, input, runs: 3, clock: "cpu" });
      large += await measure({ stage, size: SIZE, input, runs: 3, clock: "cpu" });
    }
    const label = slowest.map(({ input }) => names[input]).join(", ");
    if (process.env.ADVERSARIAL_VERBOSE) console.log(`${stage}: ${(large / Math.max(small, 0.05)).toFixed(2)} (${small.toFixed(2)} ms -> ${large.toFixed(2)} ms; ${label})`);
    if (large < MIN_MEASURABLE_MS) return; // too fast to measure a ratio (see the header)
    expect(large / Math.max(small, 0.05), `${label}: ${small.toFixed(2)} ms at 16 KiB, ${large.toFixed(2)} ms at 64 KiB`).toBeLessThan(MAX_RATIO);
  }, 60_000);
});
