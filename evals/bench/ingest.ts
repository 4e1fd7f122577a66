/**
 * Ingest benchmark: signals per second through the real ingest path against a
 * bare enqueue-only handler, both served by one local Worker (workerd via
 * wrangler dev) and driven by the same load in alternating rounds.
 */
import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProject, root, startLocalWorker } from "../../scripts/local-worker";

export interface IngestBenchOptions {
  rounds: number;
  requestsPerRound: number;
  signalsPerRequest: number;
  concurrency: number;
}

export interface IngestBenchResult {
  signals_per_s: number;
  baseline_signals_per_s: number;
  ratio: number;
  rounds: { real: number; bare: number }[];
  options: IngestBenchOptions;
}

function sampleSignals(): { source_product: string; source_type: string; content: string }[] {
  return readFileSync(join(root, "scripts/demo/sample-stream.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
    .filter((s) => !s.id.startsWith("h")) // benign only: the bench measures throughput, not drops
    .map(({ source_product, source_type, content }) => ({ source_product, source_type, content }));
}

async function drive(url: string, headers: Record<string, string>, bodies: string[], concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const res = await fetch(url, { method: "POST", headers, body });
        if (res.status !== 202) throw new Error(`${url}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchIngest(opts: IngestBenchOptions, log: (s: string) => void = () => {}): Promise<IngestBenchResult> {
  const state = mkdtempSync(join(tmpdir(), "nightshift-bench-"));
  const worker = await startLocalWorker({ configPath: join(root, "evals/bench/wrangler.toml"), environment: null, persistTo: state });
  try {
    const { key } = await createProject(worker, { name: "bench" });
    const samples = sampleSignals();
    let n = 0;
    const makeBodies = () =>
      Array.from({ length: opts.requestsPerRound }, () =>
        JSON.stringify({
          signals: Array.from({ length: opts.signalsPerRequest }, () => ({ ...samples[n % samples.length], id: `b${n++}` })),
        }),
      );
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const real = `${worker.url}/v1/signals`;
    const bare = `${worker.url}/bare/v1/signals`;
    // warm both paths (JIT, D1, queue) before measuring
    await drive(real, headers, makeBodies().slice(0, 10), opts.concurrency);
    await drive(bare, headers, makeBodies().slice(0, 10), opts.concurrency);
    const rounds: { real: number; bare: number }[] = [];
    const perRound = opts.requestsPerRound * opts.signalsPerRequest;
    for (let r = 0; r < opts.rounds; r++) {
      // alternate which side goes first so drift hits both alike
      const first = r % 2 === 0 ? "real" : "bare";
      const t: Record<string, number> = {};
      for (const side of first === "real" ? ["real", "bare"] : ["bare", "real"]) {
        t[side] = perRound / (await drive(side === "real" ? real : bare, headers, makeBodies(), opts.concurrency));
      }
      rounds.push({ real: t.real, bare: t.bare });
      log(`round ${r + 1}: real ${t.real.toFixed(0)} signals/s, bare ${t.bare.toFixed(0)} signals/s`);
    }
    const realMed = median(rounds.map((x) => x.real));
    const bareMed = median(rounds.map((x) => x.bare));
    return { signals_per_s: realMed, baseline_signals_per_s: bareMed, ratio: realMed / bareMed, rounds, options: opts };
  } finally {
    await worker.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
