/**
 * Dead letters: messages the consumer could not process, with the reason.
 * The consumer sends a `DeadLetter` to the `nightshift-signals-dlq` queue
 * (and acks the original) when a message is invalid or has failed
 * MAX_DELIVERY_ATTEMPTS times; the Queue's own dead-lettering after
 * max_retries is the backstop and arrives as a bare message. The DLQ
 * consumer stores both kinds in D1 `dead_letters` (`GET /v1/dead-letters`).
 */
import { z } from "zod";
import type { Env } from "../env";
import { settleStatements } from "../ingest/outbox";

/** bytes of a dead message's body kept for inspection */
const MAX_BODY_CHARS = 100_000;

export const DeadLetter = z.object({
  kind: z.literal("dead_letter"),
  /** invalid_message | processing_failed | max_retries_exceeded | redrive_exhausted */
  reason: z.string(),
  detail: z.string(),
  message_id: z.string(),
  attempts: z.number().int(),
  project: z.string().nullable(),
  signal_id: z.string().nullable(),
  /** the original message as JSON (cut to MAX_BODY_CHARS), or why it could not be written */
  body_text: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** Never throws, whatever the body: a message nested too deep to serialize is described instead. */
export function deadLetterFor(msg: { id: string; attempts: number; body: unknown }, reason: string, detail: string): DeadLetter {
  const body = msg.body as { project?: unknown; signal?: { id?: unknown } } | null;
  let project: string | null = null;
  let signalId: string | null = null;
  try {
    if (typeof body?.project === "string") project = body.project.slice(0, 256);
    if (typeof body?.signal?.id === "string") signalId = body.signal.id.slice(0, 256);
  } catch {
    // a hostile getter or proxy: keep the nulls
  }
  return {
    kind: "dead_letter",
    reason,
    detail: detail.slice(0, 2000),
    message_id: msg.id,
    attempts: msg.attempts,
    project,
    signal_id: signalId,
    body_text: bodyText(msg.body),
  };
}

function bodyText(body: unknown): string {
  try {
    return (JSON.stringify(body) ?? "null").slice(0, MAX_BODY_CHARS);
  } catch (e) {
    return `[body not serializable: ${String((e as Error)?.message ?? e).slice(0, 200)}]`;
  }
}

/** Reads a DLQ message as a letter; anything else was dead-lettered by the Queue itself after max_retries. */
export function readLetter(msg: Message<unknown>): DeadLetter {
  try {
    const parsed = DeadLetter.safeParse(msg.body);
    if (parsed.success) return parsed.data;
  } catch {
    // too deep to validate: fall through
  }
  return deadLetterFor(msg, "max_retries_exceeded", "the Queue gave up after max_retries");
}

/** Statements that store the letter and settle the signal's outbox row as dead-lettered. */
export function deadLetterStatements(db: D1Database, letter: DeadLetter, now: number): D1PreparedStatement[] {
  const stmts = [
    db
      .prepare(
        `INSERT INTO dead_letters (message_id, project_id, signal_id, reason, detail, body, attempts, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .bind(letter.message_id, letter.project, letter.signal_id, letter.reason, letter.detail, letter.body_text, letter.attempts, now),
  ];
  if (letter.project && letter.signal_id) {
    stmts.push(...settleStatements(db, [{ project: letter.project, signalId: letter.signal_id, outcome: "dead_letter", receivedAt: now }], now));
  }
  return stmts;
}

/** Consumer of the dead-letter queue: every message becomes a D1 row with a reason. */
export async function handleDeadLetterBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    const letter = readLetter(msg);
    try {
      await env.DB.batch(deadLetterStatements(env.DB, letter, Date.now()));
      msg.ack();
    } catch (e) {
      console.error(`dead letters: could not store ${msg.id}`, e);
      msg.retry({ delaySeconds: 30 });
    }
  }
}
