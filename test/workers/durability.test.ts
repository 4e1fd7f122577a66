/**
 * Accepted means durable: a signal answered 202 is in the intake outbox
 * before the answer, and reaches a report (or another settled outcome) even
 * when its queue message is lost, the enqueue fails after the outbox write,
 * or the consumer crashes. One bad message never takes others with it.
 */
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import type { Env } from "../../workers/env";
import type { SignalMessage } from "../../workers/normalize/message";
import { redrivePending } from "../../workers/sweep/redrive";
import { ADMIN, api, BASE, createProject, message } from "./helpers";

type Ledger = Record<string, number>;

async function stats(key: string): Promise<Ledger> {
  return ((await (await api(key, "/v1/stats")).json()) as { signals: Ledger }).signals;
}

/** Polls the ledger until `done` holds (the queue consumer runs in the background). */
async function ledgerWhen(key: string, done: (s: Ledger) => boolean): Promise<Ledger> {
  let last: Ledger = {};
  for (let i = 0; i < 600; i++) {
    last = await stats(key);
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ledger never settled: ${JSON.stringify(last)}`);
}

/** Posts through the real fetch handler with a Queue that loses (or refuses) every message. */
async function postWithQueue(key: string, signals: unknown[], sendBatch: () => Promise<void>): Promise<Response> {
  const lossy = { ...env, SIGNALS: { sendBatch, send: sendBatch } } as unknown as Env;
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/v1/signals`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ signals }),
    }),
    lossy,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const err = (i: number) => ({
  id: `d${i}`,
  source_product: "errors",
  source_type: "exception",
  content: `TypeError: cart is null\n    at computeTotals (src/checkout/totals.ts:4${i % 2}:7)`,
});

async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("accepted means durable", () => {
  it("a signal whose queue message was lost after the 202 is redriven and reaches a report", async () => {
    const key = await createProject("lost-msg");
    const res = await postWithQueue(key, [err(1), err(2), err(3)], async () => undefined);
    expect(res.status).toBe(202);
    expect(await stats(key)).toMatchObject({ received: 3, accepted: 3, pending: 3, in_reports: 0, unaccounted: 0 });

    // an operator (or the local launcher after a restart) re-sends what is pending now
    const redrive = await SELFfetch("/v1/admin/redrive", { older_than_s: 0 });
    expect(redrive).toMatchObject({ redriven: 3, dead_lettered: 0, more: false });
    const settled = await ledgerWhen(key, (s) => s.pending === 0 && s.in_reports === 3);
    expect(settled).toMatchObject({ received: 3, accepted: 3, pending: 0, in_reports: 3, dead_lettered: 0, unaccounted: 0 });
  });

  it("a failed enqueue still answers 202 once the outbox holds the signals; the cron sweep sends them", async () => {
    const key = await createProject("enqueue-down");
    const res = await postWithQueue(key, [err(1), err(2)], async () => {
      throw new Error("queue unavailable");
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(2);
    expect(await stats(key)).toMatchObject({ accepted: 2, pending: 2 });
    await runCron();
    expect(await ledgerWhen(key, (s) => s.pending === 0)).toMatchObject({ accepted: 2, pending: 0, in_reports: 2, unaccounted: 0 });
  });

  it("the same id posted again is not enqueued twice and counts once", async () => {
    const key = await createProject("dup-outbox");
    let sent = 0;
    const count = async (...args: unknown[]) => void (sent += (args[0] as unknown[]).length);
    expect((await postWithQueue(key, [err(1), err(1), err(2)], count)).status).toBe(202);
    expect((await postWithQueue(key, [err(2)], count)).status).toBe(202);
    expect(sent).toBe(2);
    expect(await stats(key)).toMatchObject({ accepted: 2, pending: 2 });
  });

  it("a consumer that crashed between storing and grouping is finished by a redelivery", async () => {
    const key = await createProject("crash-mid");
    // first delivery: the report Durable Object is down, and the message is then lost
    const broken = { ...env, REPORTS: { idFromName: () => ({}), get: () => ({ addSignals: async () => Promise.reject(new Error("DO down")) }) } } as unknown as Env;
    const lostMessages: SignalMessage[] = [];
    const res = await postWithQueue(key, [err(7)], async (...args: unknown[]) => void lostMessages.push(...(args[0] as { body: SignalMessage }[]).map((m) => m.body)));
    expect(res.status).toBe(202);
    const batch = createMessageBatch<SignalMessage>("nightshift-signals", [{ id: "x1", timestamp: new Date(), attempts: 1, body: lostMessages[0] }]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, broken, ctx);
    expect((await getQueueResult(batch, ctx)).retryMessages).toHaveLength(1);
    const stored = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = 'crash-mid' AND id = 'd7'").first<{ report_id: string | null }>();
    expect(stored).not.toBeNull();
    expect(await stats(key)).toMatchObject({ pending: 1, in_reports: 0 });
    // the retry was lost too (say the Worker restarted): the redrive brings it back
    await SELFfetch("/v1/admin/redrive", { older_than_s: 0, project: "crash-mid" });
    expect(await ledgerWhen(key, (s) => s.pending === 0)).toMatchObject({ accepted: 1, in_reports: 1, unaccounted: 0 });
  });

  it("a backlog bigger than one redrive run is worked off by passing the run's cutoff back, each signal sent once", async () => {
    const key = await createProject("backlog");
    const signals = Array.from({ length: 7 }, (_, i) => err(i));
    expect((await postWithQueue(key, signals, async () => undefined)).status).toBe(202);
    const sent: string[] = [];
    const counting = {
      ...env,
      SIGNALS: { sendBatch: async (b: { body: SignalMessage }[]) => void sent.push(...b.map((m) => m.body.signal.id)), send: async () => undefined },
    } as unknown as Env;
    const first = await redrivePending(counting, { olderThanMs: 0, project: "backlog", maxRows: 3 });
    expect(first).toMatchObject({ redriven: 3, more: true });
    // without the cutoff the rows just sent would be due again; with it they are not
    const second = await redrivePending(counting, { olderThanMs: 0, project: "backlog", maxRows: 3, cutoffMs: first.cutoff_ms, now: first.cutoff_ms + 5 });
    const third = await redrivePending(counting, { olderThanMs: 0, project: "backlog", maxRows: 3, cutoffMs: first.cutoff_ms, now: first.cutoff_ms + 10 });
    expect([second.redriven, third.redriven]).toEqual([3, 1]);
    expect(third.more).toBe(false);
    expect(sent.slice().sort()).toEqual(signals.map((s) => s.id).sort());
  });

  it("a signal still pending after the last redrive is dead-lettered with the reason, so the ledger closes", async () => {
    const key = await createProject("exhausted");
    expect((await postWithQueue(key, [err(1)], async () => undefined)).status).toBe(202);
    await env.DB.prepare("UPDATE intake_outbox SET redrives = 10, enqueued_at = 0 WHERE project_id = 'exhausted'").run();
    await runCron();
    const s = await stats(key);
    expect(s).toMatchObject({ accepted: 1, pending: 0, dead_lettered: 1, unaccounted: 0 });
    const dead = ((await (await api(key, "/v1/dead-letters")).json()) as { dead_letters: { signal_id: string; reason: string }[] }).dead_letters;
    expect(dead).toMatchObject([{ signal_id: "d1", reason: "redrive_exhausted" }]);
  });
});

describe("one bad message never takes others with it", () => {
  it("a message that fails is retried or dead-lettered alone; its batch-mates reach reports", async () => {
    const key = await createProject("bad-batch");
    const bodies = [
      message("bad-batch", { id: "ok-1", content: "TypeError: a is undefined\n    at f (src/a.ts:1:1)" }),
      message("bad-batch", { id: "bad-1", content: "TypeError: nested\n    at g (src/g.ts:1:1)" }),
      message("bad-batch", { id: "ok-2", content: "RangeError: bad length\n    at h (src/h.ts:2:2)" }),
      message("bad-batch", { id: "ok-3", content: "SyntaxError: unexpected token\n    at p (src/p.ts:3:3)" }),
    ];
    // the report Durable Object fails for bad-1 only
    const faulty = {
      ...env,
      REPORTS: {
        idFromName: (n: string) => env.REPORTS.idFromName(n),
        get: (id: DurableObjectId) => ({
          addSignals: async (input: { items: { signal: { id: string } }[] }) => {
            if (input.items.some((i) => i.signal.id === "bad-1")) throw new Error("injected fault");
            return env.REPORTS.get(id).addSignals(input as never);
          },
        }),
      },
    } as unknown as Env;
    const run = async (attempts: number) => {
      const batch = createMessageBatch<SignalMessage>(
        "nightshift-signals",
        bodies.map((body, i) => ({ id: `bad-m${i}`, timestamp: new Date(), attempts, body })),
      );
      const ctx = createExecutionContext();
      await worker.queue(batch as MessageBatch<unknown>, faulty, ctx);
      return getQueueResult(batch, ctx);
    };
    const first = await run(1);
    expect(first.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["bad-m1"]);
    expect([...first.explicitAcks].sort()).toEqual(["bad-m0", "bad-m2", "bad-m3"]);
    // the last attempt: the failure becomes a dead letter at once; the others are already settled
    const last = await run(5);
    expect(last.retryMessages).toEqual([]);
    expect([...last.explicitAcks].sort()).toEqual(["bad-m0", "bad-m1", "bad-m2", "bad-m3"]);
    // messages straight from the Queue (another Worker) are in the ledger too
    expect(await stats(key)).toMatchObject({ accepted: 4, pending: 0, in_reports: 3, dead_lettered: 1, unaccounted: 0 });
    const letter = await env.DB.prepare("SELECT signal_id, reason, detail FROM dead_letters WHERE project_id = 'bad-batch'").first<{ detail: string }>();
    expect(letter).toMatchObject({ signal_id: "bad-1", reason: "processing_failed" });
    expect(letter!.detail).toContain("injected fault");
  });

  it("metadata nested too deep from another Worker is an invalid message, dead-lettered alone at once", async () => {
    const key = await createProject("deep-meta");
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const bad = message("deep-meta", { id: "deep-1", content: "TypeError: nested\n    at g (src/g.ts:1:1)" });
    const batch = createMessageBatch<SignalMessage>("nightshift-signals", [
      { id: "dm-0", timestamp: new Date(), attempts: 1, body: { ...bad, signal: { ...bad.signal, metadata: deep } } },
      { id: "dm-1", timestamp: new Date(), attempts: 1, body: message("deep-meta", { id: "fine-1", content: "\u001b[31mTypeError\u0000: cart is null\u001b[0m\n    at f (src/a.ts:1:1)" }) },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, env, ctx);
    expect([...(await getQueueResult(batch, ctx)).explicitAcks].sort()).toEqual(["dm-0", "dm-1"]);
    const letter = await env.DB.prepare("SELECT signal_id, reason, detail FROM dead_letters WHERE project_id = 'deep-meta'").first<{ detail: string }>();
    expect(letter).toMatchObject({ signal_id: "deep-1", reason: "invalid_message" });
    expect(letter!.detail).toMatch(/^signal\.metadata: nested deeper than 32 levels/);
    expect(await stats(key)).toMatchObject({ accepted: 2, pending: 0, in_reports: 1, dead_lettered: 1, unaccounted: 0 });
    // control characters and escape sequences never reach a report title
    const reports = ((await (await api(key, "/v1/reports")).json()) as { reports: { title: string }[] }).reports;
    expect(reports.map((r) => r.title)).toEqual(["TypeError: cart is null"]);
  });

  it("the dead-letter consumer records a reason for any body, and settles the signal's outbox row", async () => {
    const key = await createProject("dlq-any");
    expect((await postWithQueue(key, [err(4)], async () => undefined)).status).toBe(202);
    const bare = message("dlq-any", { id: "d4", content: err(4).content });
    const dlq = createMessageBatch("nightshift-signals-dlq", [
      { id: "dl-bare", timestamp: new Date(), attempts: 1, body: bare },
      { id: "dl-junk", timestamp: new Date(), attempts: 1, body: "not even an object" },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(dlq as MessageBatch<unknown>, env, ctx);
    const result = await getQueueResult(dlq, ctx);
    expect([...result.explicitAcks].sort()).toEqual(["dl-bare", "dl-junk"]);
    const rows = await env.DB.prepare("SELECT message_id, signal_id, reason, body FROM dead_letters WHERE message_id IN ('dl-bare', 'dl-junk') ORDER BY message_id").all<{
      message_id: string;
      signal_id: string | null;
      reason: string;
      body: string;
    }>();
    expect(rows.results.map((r) => [r.message_id, r.signal_id, r.reason])).toEqual([
      ["dl-bare", "d4", "max_retries_exceeded"],
      ["dl-junk", null, "max_retries_exceeded"],
    ]);
    expect(rows.results[1].body).toBe('"not even an object"');
    expect(await stats(key)).toMatchObject({ accepted: 1, pending: 0, dead_lettered: 1, unaccounted: 0 });
  });
});

async function SELFfetch(path: string, body: unknown): Promise<unknown> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(200);
  return res.json();
}
