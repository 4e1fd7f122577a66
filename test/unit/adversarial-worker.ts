/**
 * Runs the adversarial stages for test/unit/adversarial-inputs.test.ts in a
 * worker thread, so that the test can stop (terminate) a call that runs past
 * its budget: a super-linear regex never returns on its own in time, and
 * nothing interrupts synchronous code on the test's own thread.
 *
 * Message in: { stage, size, input, runs, clock }; out: { ms } (the best of
 * `runs` calls, wall-clock or CPU milliseconds) or { error }.
 */
import { parentPort } from "node:worker_threads";
import { adversarialInputs, cpuMs, STAGES, wallMs, type AdversarialInput } from "../../evals/bench/adversarial";

export interface Job {
  stage: string;
  size: number;
  /** index into adversarialInputs(size) */
  input: number;
  runs: number;
  clock: "wall" | "cpu";
}

const bySize = new Map<number, AdversarialInput[]>();

parentPort!.on("message", (job: Job) => {
  try {
    const stage = STAGES.find((s) => s.name === job.stage);
    if (!stage) throw new Error(`no stage ${job.stage}`);
    let inputs = bySize.get(job.size);
    if (!inputs) bySize.set(job.size, (inputs = adversarialInputs(job.size)));
    const text = inputs[job.input].text;
    const measure = job.clock === "cpu" ? cpuMs : wallMs;
    let best = Infinity;
    for (let r = 0; r < job.runs; r++) best = Math.min(best, measure(() => stage.run(text)));
    parentPort!.postMessage({ ms: best });
  } catch (e) {
    parentPort!.postMessage({ error: String((e as Error)?.stack ?? e) });
  }
});
parentPort!.postMessage({ ready: true });
