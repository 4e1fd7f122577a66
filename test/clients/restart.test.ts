/**
 * Accepted means durable across a restart of the Worker itself: signals
 * answered 202 by a local Worker that is stopped straight away are all
 * accounted for once it is started again on the same state (the local queue
 * does not survive the restart; the D1 outbox does, and the launcher re-sends
 * what is pending at start).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createProject, startLocalWorker, waitFor, type LocalWorker } from "../../scripts/local-worker";

const N = 400;

function signal(i: number) {
  // 20 problems, each with its own stack, so grouping has real work to do
  const p = i % 20;
  return {
    id: `r-${i}`,
    source_product: "errors",
    source_type: "exception",
    content: `TypeError: value ${p} is undefined\n    at handler${p} (src/routes/r${p}.ts:${10 + p}:5)\n    at run (src/server.ts:1:1)`,
  };
}

describe("a restart of the Worker", () => {
  it("loses no accepted signal: every 202 is in a report after the Worker comes back", { timeout: 300_000 }, async () => {
    const state = mkdtempSync(join(tmpdir(), "nightshift-restart-"));
    let worker: LocalWorker | null = await startLocalWorker({ persistTo: state, cronEveryMs: 0 });
    try {
      const project = await createProject(worker, { name: "restart" });
      let accepted = 0;
      for (let i = 0; i < N; i += 100) {
        const res = await fetch(`${worker.url}/v1/signals`, {
          method: "POST",
          headers: { authorization: `Bearer ${project.key}`, "content-type": "application/json" },
          body: JSON.stringify({ signals: Array.from({ length: 100 }, (_, k) => signal(i + k)) }),
        });
        expect(res.status).toBe(202);
        accepted += ((await res.json()) as { accepted: number }).accepted;
      }
      expect(accepted).toBe(N);
      // stop at once: whatever the consumer had not finished was only in the local queue
      await worker.stop();
      worker = await startLocalWorker({ persistTo: state, port: Number(new URL(worker.url).port) });
      const w = worker;
      const ledger = await waitFor(
        "every accepted signal to be accounted for after the restart",
        async () => {
          const res = await fetch(`${w.url}/v1/stats`, { headers: { authorization: `Bearer ${project.key}` } });
          const s = ((await res.json()) as { signals: Record<string, number> }).signals;
          return s.pending === 0 && s.unaccounted === 0 ? s : undefined;
        },
        240_000,
      );
      expect(ledger).toMatchObject({ received: N, accepted: N, pending: 0, in_reports: N, dead_lettered: 0, unaccounted: 0 });
    } finally {
      await worker?.stop();
      rmSync(state, { recursive: true, force: true });
    }
  });
});
