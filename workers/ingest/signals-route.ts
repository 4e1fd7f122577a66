/**
 * `POST /v1/signals`: a batch of 1..500 signals for the caller's project.
 * Order of checks: auth (401) → content type (415) → size (413) → shape
 * (400). Each signal then passes the safety classifier: dropped ones are
 * recorded with their reason and never enqueued; the rest go onto the
 * Queue. 202 only after the enqueue succeeded.
 */
import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { droppedSignals } from "../db/schema";
import type { SignalMessage } from "../normalize/message";
import { HeuristicSafetyClassifier } from "../safety/heuristic";
import type { SafetyClassifier } from "../safety/classifier";
import { type AppEnv, requireProject } from "./auth";
import { problem } from "./problem";
import { fieldName, MAX_BODY_BYTES, MAX_CONTENT_BYTES, SignalBatch } from "./schema";

/** Queues take at most 100 messages and 256 KB per sendBatch. */
const SEND_BATCH = 100;
const SEND_BATCH_BYTES = 200 * 1024;

export function chunkForQueue<T>(messages: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = new TextEncoder().encode(JSON.stringify(m)).byteLength;
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

export interface SignalResult {
  id: string;
  status: "accepted" | "dropped";
  reason?: string;
}

export function signalsRoute(classifier: SafetyClassifier = new HeuristicSafetyClassifier()) {
  const app = new Hono<AppEnv>();

  app.post("/v1/signals", requireProject, async (c) => {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) {
      return problem(c, 415, "unsupported_media_type", "send `Content-Type: application/json`");
    }
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES) return problem(c, 413, "body_too_large", `the body may be at most ${MAX_BODY_BYTES} bytes`);
    const raw = await c.req.arrayBuffer();
    if (raw.byteLength > MAX_BODY_BYTES) return problem(c, 413, "body_too_large", `the body may be at most ${MAX_BODY_BYTES} bytes`);

    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      return problem(c, 400, "invalid_json", "the body is not valid JSON");
    }
    if (json && typeof json === "object" && Array.isArray((json as { signals?: unknown }).signals)) {
      const n = (json as { signals: unknown[] }).signals.length;
      if (n > 500) return problem(c, 413, "batch_too_large", `at most 500 signals per request, got ${n}`, [{ field: "signals", message: `${n} signals` }]);
    }
    const parsed = SignalBatch.safeParse(json);
    if (!parsed.success) {
      const errors = parsed.error.issues.slice(0, 20).map((i) => ({ field: fieldName(i.path), message: i.message }));
      return problem(c, 400, "invalid_signal", `${errors[0].field}: ${errors[0].message}`, errors);
    }
    const encoder = new TextEncoder();
    const oversized = parsed.data.signals
      .map((s, i) => ({ i, bytes: encoder.encode(s.content).byteLength }))
      .filter((x) => x.bytes > MAX_CONTENT_BYTES);
    if (oversized.length) {
      const errors = oversized.map((x) => ({ field: `signals[${x.i}].content`, message: `${x.bytes} bytes; at most ${MAX_CONTENT_BYTES}` }));
      return problem(c, 413, "signal_too_large", `${errors[0].field}: ${errors[0].message}`, errors);
    }

    const project = c.get("project");
    const receivedAt = Date.now();
    const results: SignalResult[] = [];
    const messages: SignalMessage[] = [];
    const dropped: (typeof droppedSignals.$inferInsert)[] = [];
    for (const s of parsed.data.signals) {
      const id = s.id ?? crypto.randomUUID();
      const verdict = await classifier.classify(s);
      if (verdict.action === "drop") {
        dropped.push({
          projectId: project.id,
          id,
          sourceProduct: s.source_product,
          sourceType: s.source_type,
          content: s.content,
          reason: verdict.reason ?? "unsafe",
          detail: verdict.matched.join(","),
          classifier: verdict.classifier,
          score: verdict.score,
          receivedAt,
        });
        results.push({ id, status: "dropped", reason: verdict.reason ?? "unsafe" });
      } else {
        messages.push({ v: 1, kind: "signal", project: project.id, received_at: receivedAt, signal: { ...s, id } });
        results.push({ id, status: "accepted" });
      }
    }

    try {
      const db = drizzle(c.env.DB);
      for (let i = 0; i < dropped.length; i += 10) {
        await db.insert(droppedSignals).values(dropped.slice(i, i + 10)).onConflictDoNothing();
      }
      for (const chunk of chunkForQueue(messages)) {
        await c.env.SIGNALS.sendBatch(chunk.map((body) => ({ body, contentType: "json" as const })));
      }
    } catch (e) {
      console.error("ingest: could not record the batch", e);
      return problem(c, 503, "enqueue_failed", "the batch could not be recorded; retry it (ids make retries safe)", undefined, { "retry-after": "5" });
    }

    return c.json(
      { project: project.id, accepted: messages.length, dropped: dropped.length, signals: results },
      202,
    );
  });

  return app;
}
