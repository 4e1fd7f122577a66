/**
 * Queue consumer: validate → normalize → (process-signals.ts, as a batch)
 * safety tier 2 → triage → store in D1 (once per signal id) → group → add to
 * the reports' Durable Objects → settle the intake outbox rows with their
 * outcome → ack. Each message stands
 * alone: a failure retries only that message with exponential backoff; an
 * invalid message, or one that failed MAX_DELIVERY_ATTEMPTS times, becomes a
 * dead letter with its reason. A message whose outbox row is already settled
 * is acked at once. Every step is idempotent, so a retry is safe.
 */
import type { Env } from "../env";
import { groupingDepsFromEnv } from "../grouping/from-env";
import { type Settlement, settle, settledIds } from "../ingest/outbox";
import { safetyClassifierFromEnv } from "../safety/from-env";
import { triageClassifierFromEnv } from "../triage/from-env";
import { deadLetterFor, deadLetterStatements } from "./dead-letter";
import { SignalMessage } from "./message";
import { normalize, type NormalizedSignal } from "./normalized";
import { type ConsumerDeps, processSignals } from "./process-signals";

export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(0, attempts - 1) * 5);
}

export function consumerDeps(env: Env): ConsumerDeps {
  return {
    grouping: groupingDepsFromEnv(env),
    safety: safetyClassifierFromEnv(env),
    triage: triageClassifierFromEnv(env),
    thresholds: new Map(),
  };
}

export async function handleSignalBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps = consumerDeps(env);
  const maxAttempts = Number(env.MAX_DELIVERY_ATTEMPTS ?? 5);
  const valid: { msg: Message<unknown>; signal: NormalizedSignal }[] = [];
  for (const msg of batch.messages) {
    // one bad message never takes the others with it: even a parse that throws is its own dead letter
    try {
      const parsed = SignalMessage.safeParse(msg.body);
      if (parsed.success) valid.push({ msg, signal: normalize(parsed.data) });
      else {
        const issue = parsed.error.issues[0];
        await deadLetter(env, msg, "invalid_message", `${issue?.path.join(".") || "body"}: ${issue?.message}`);
      }
    } catch (e) {
      await deadLetter(env, msg, "invalid_message", `could not read the message: ${String((e as Error)?.message ?? e)}`);
    }
  }
  const done = await alreadySettled(env, valid.map((v) => v.signal));
  const settlements: { msg: Message<unknown>; settlement: Settlement }[] = [];
  const todo = valid.filter(({ msg, signal }) => {
    if (!done.has(`${signal.project}\u0000${signal.id}`)) return true;
    msg.ack();
    return false;
  });
  const items = todo.map(({ msg, signal }) => ({ signal, lastAttempt: msg.attempts >= maxAttempts }));
  let results: Awaited<ReturnType<typeof processSignals>>;
  try {
    results = await processSignals(items, env, deps);
  } catch (e) {
    // a failure of the batch as a whole (a D1 batch, say): each message on its own, so one cause fails one message
    console.error(`consumer: batch of ${items.length} failed; processing each message alone`, e);
    results = new Map();
    for (const item of items) {
      try {
        for (const [s, r] of await processSignals([item], env, deps)) results.set(s, r);
      } catch (err) {
        results.set(item.signal, { ok: false, error: err });
      }
    }
  }
  for (const { msg, signal } of todo) {
    const r = results.get(signal) ?? { ok: false as const, error: new Error("no result") };
    if (r.ok) {
      settlements.push({ msg, settlement: { project: signal.project, signalId: signal.id, outcome: r.outcome, receivedAt: signal.received_at } });
      continue;
    }
    const e = r.error;
    console.error(`consumer: signal ${signal.id} failed (attempt ${msg.attempts} of ${maxAttempts})`, e);
    if (msg.attempts >= maxAttempts) await deadLetter(env, msg, "processing_failed", String((e as Error)?.stack ?? e));
    else msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
  }
  try {
    await settle(env.DB, settlements.map((s) => s.settlement));
    for (const s of settlements) s.msg.ack();
  } catch (e) {
    // every step before is idempotent: the redelivery finds the work done and settles
    console.error(`consumer: could not settle ${settlements.length} signals`, e);
    for (const s of settlements) s.msg.retry({ delaySeconds: retryDelaySeconds(s.msg.attempts) });
  }
}

/** Keys (project NUL id) of signals in the batch whose outbox row is already settled. */
async function alreadySettled(env: Env, batch: NormalizedSignal[]): Promise<Set<string>> {
  const byProject = new Map<string, string[]>();
  for (const s of batch) byProject.set(s.project, [...(byProject.get(s.project) ?? []), s.id]);
  const out = new Set<string>();
  try {
    for (const [project, ids] of byProject) for (const id of await settledIds(env.DB, project, ids)) out.add(`${project}\u0000${id}`);
  } catch (e) {
    // only an optimization: without it every message is processed (idempotently)
    console.error("consumer: could not read the outbox", e);
  }
  return out;
}

/**
 * Records the message as a dead letter with its reason (D1, settling its
 * outbox row) and acks it; if D1 fails, hands it to the dead-letter queue;
 * if that fails too, retries the message.
 */
async function deadLetter(env: Env, msg: Message<unknown>, reason: string, detail: string): Promise<void> {
  const letter = deadLetterFor(msg, reason, detail);
  try {
    await env.DB.batch(deadLetterStatements(env.DB, letter, Date.now()));
    msg.ack();
    return;
  } catch (e) {
    console.error(`consumer: could not store dead letter ${msg.id}; sending it to the dead-letter queue`, e);
  }
  try {
    await env.DEAD_LETTERS.send(letter, { contentType: "json" });
    msg.ack();
  } catch (e) {
    console.error(`consumer: could not dead-letter ${msg.id}`, e);
    msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
  }
}
