/**
 * Dead letters: messages the consumer could not process, with the reason.
 * The consumer sends a `DeadLetter` to the `nightshift-signals-dlq` queue
 * (and acks the original) when a message is invalid or has failed
 * MAX_DELIVERY_ATTEMPTS times; the Queue's own dead-lettering after
 * max_retries is the backstop and arrives as a bare message. The DLQ
 * consumer stores both kinds in D1 `dead_letters` (`GET /v1/dead-letters`).
 */
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { deadLetters } from "../db/schema";
import type { Env } from "../env";

export const DeadLetter = z.object({
  kind: z.literal("dead_letter"),
  /** invalid_message | processing_failed */
  reason: z.string(),
  detail: z.string(),
  message_id: z.string(),
  attempts: z.number().int(),
  project: z.string().nullable(),
  signal_id: z.string().nullable(),
  body: z.unknown(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export function deadLetterFor(msg: Message<unknown>, reason: string, detail: string): DeadLetter {
  const body = msg.body as { project?: unknown; signal?: { id?: unknown } } | null;
  return {
    kind: "dead_letter",
    reason,
    detail: detail.slice(0, 2000),
    message_id: msg.id,
    attempts: msg.attempts,
    project: typeof body?.project === "string" ? body.project : null,
    signal_id: typeof body?.signal?.id === "string" ? body.signal.id : null,
    body: msg.body,
  };
}

/** Consumer of the dead-letter queue: every message becomes a D1 row with a reason. */
export async function handleDeadLetterBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = drizzle(env.DB);
  for (const msg of batch.messages) {
    const parsed = DeadLetter.safeParse(msg.body);
    // a bare message here was dead-lettered by the Queue itself after max_retries
    const letter = parsed.success ? parsed.data : deadLetterFor(msg, "max_retries_exceeded", "the Queue gave up after max_retries");
    try {
      await db
        .insert(deadLetters)
        .values({
          messageId: letter.message_id,
          projectId: letter.project,
          signalId: letter.signal_id,
          reason: letter.reason,
          detail: letter.detail,
          body: JSON.stringify(letter.body ?? null).slice(0, 100_000),
          attempts: letter.attempts,
          receivedAt: Date.now(),
        })
        .onConflictDoNothing();
      msg.ack();
    } catch (e) {
      console.error(`dead letters: could not store ${msg.id}`, e);
      msg.retry({ delaySeconds: 30 });
    }
  }
}
