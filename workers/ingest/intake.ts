/**
 * The one way a signal enters the pipeline, whatever its source: the fast
 * safety tier, dropped signals recorded with their reason, the rest enqueued.
 * Every source route (generic /v1/signals, Sentry, PostHog, Slack, GitHub,
 * logs) converts its payload to `SignalInput`s and calls `acceptSignals`
 * through `recordSignals` (limits.ts, which also holds the rate limit and
 * the other per-route limits).
 */
import { drizzle } from "drizzle-orm/d1";
import { droppedSignals } from "../db/schema";
import type { Env } from "../env";
import type { SignalMessage } from "../normalize/message";
import type { SafetyClassifier } from "../safety/classifier";
import { droppedRow, type DroppedRow } from "../safety/dropped-row";
import { offlineSafetyFromEnv } from "../safety/from-env";
import type { ProjectContext } from "./auth";
import { markUnsent, recordPending } from "./outbox";
import type { SignalInput } from "./schema";

/** Queues take at most 100 messages and 256 KB per sendBatch. */
const SEND_BATCH = 100;
const SEND_BATCH_BYTES = 200 * 1024;

export interface SignalResult {
  id: string;
  status: "accepted" | "dropped";
  reason?: string;
}

export interface IntakeResult {
  project: string;
  accepted: number;
  dropped: number;
  signals: SignalResult[];
}


const NON_ASCII = /[^\x00-\x7f]/;
const encoder = new TextEncoder();

/** UTF-8 byte length; ASCII text (most signals) needs no encoding pass. */
export function utf8Length(text: string): number {
  return NON_ASCII.test(text) ? encoder.encode(text).byteLength : text.length;
}

/** A message with its serialized size, measured once. */
export interface Sized<T> {
  message: T;
  bytes: number;
  /** the message as JSON */
  json: string;
}

export function chunkForQueue<T>(messages: Pick<Sized<T>, "message" | "bytes">[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const { message: m, bytes: size } of messages) {
    if (current.length && (current.length >= SEND_BATCH || bytes + size > SEND_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** A Queue message is at most 128 KB; JSON escaping can double a 64 KiB content. */
export const MAX_MESSAGE_BYTES = 120 * 1024;
const MAX_METADATA_BYTES = 16 * 1024;

/** Shrinks a message to fit the Queue: oversized metadata is replaced, then content is cut. */
export function fitMessage(msg: SignalMessage): Sized<SignalMessage> {
  let json = JSON.stringify(msg);
  let size = utf8Length(json);
  if (size <= MAX_MESSAGE_BYTES) return { message: msg, bytes: size, json };
  let signal = { ...msg.signal };
  if (signal.metadata && utf8Length(JSON.stringify(signal.metadata)) > MAX_METADATA_BYTES) {
    signal.metadata = { metadata_dropped: `over ${MAX_METADATA_BYTES} bytes` };
  }
  const originalLength = signal.content.length;
  for (;;) {
    json = JSON.stringify({ ...msg, signal });
    size = utf8Length(json);
    if (size <= MAX_MESSAGE_BYTES) break;
    const keep = Math.floor(signal.content.length * (MAX_MESSAGE_BYTES / size) * 0.95);
    signal = { ...signal, content: signal.content.slice(0, keep), metadata: { ...signal.metadata, content_truncated_from: originalLength } };
  }
  return { message: { ...msg, signal }, bytes: size, json };
}

/**
 * Classifies, records drops, writes the accepted ones to the outbox, then
 * enqueues the new ones. Throws (→ 503, nothing accepted) only when recording
 * fails; once the outbox holds a signal it is accepted: an enqueue failure
 * leaves it for the sweep to send (workers/sweep/redrive.ts).
 */
export async function acceptSignals(
  env: Env,
  project: ProjectContext,
  signals: SignalInput[],
  classifier: SafetyClassifier = offlineSafetyFromEnv(env),
): Promise<IntakeResult> {
  const receivedAt = Date.now();
  const results: SignalResult[] = [];
  const messages: Sized<SignalMessage>[] = [];
  const dropped: DroppedRow[] = [];
  for (const s of signals) {
    const id = s.id ?? crypto.randomUUID();
    const verdict = await classifier.classify(s);
    if (verdict.action === "drop") {
      dropped.push(droppedRow(project.id, { ...s, id }, verdict, receivedAt));
      results.push({ id, status: "dropped", reason: verdict.reason ?? "unsafe" });
    } else {
      messages.push(fitMessage({ v: 1, kind: "signal", project: project.id, received_at: receivedAt, signal: { ...s, id } }));
      results.push({ id, status: "accepted" });
    }
  }
  const db = drizzle(env.DB);
  for (let i = 0; i < dropped.length; i += 10) {
    await db.insert(droppedSignals).values(dropped.slice(i, i + 10)).onConflictDoNothing();
  }
  const fresh = await recordInOutbox(env.DB, messages, receivedAt);
  const sent = new Set<string>();
  try {
    for (const chunk of chunkForQueue(fresh)) {
      await env.SIGNALS.sendBatch(chunk.map((body) => ({ body, contentType: "json" as const })));
      for (const m of chunk) sent.add(m.signal.id);
    }
  } catch (e) {
    const unsent = fresh.filter((m) => !sent.has(m.message.signal.id)).map((m) => m.message.signal.id);
    console.error(`intake: ${unsent.length} accepted signals not enqueued; the sweep will send them`, e);
    await env.DB.batch(markUnsent(env.DB, project.id, unsent)).catch((err) => console.error("intake: could not mark unsent", err));
  }
  return { project: project.id, accepted: messages.length, dropped: dropped.length, signals: results };
}

/** Writes the messages as pending; returns those new to the outbox (a repeated id is already on its way or settled). */
async function recordInOutbox(d1: D1Database, messages: Sized<SignalMessage>[], now: number): Promise<Sized<SignalMessage>[]> {
  if (!messages.length) return [];
  const rows = messages.map((m) => ({ project: m.message.project, signalId: m.message.signal.id, json: m.json }));
  const out = await d1.batch<{ signal_id: string }>(recordPending(d1, rows, now));
  // the same id twice in one request: only the first is new
  return messages.filter((_, i) => out[i].results.length > 0);
}
