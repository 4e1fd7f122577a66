/**
 * `POST /v1/signals`: a batch of 1..500 signals for the caller's project.
 * Order of checks: auth (401) → content type (415) → size (413) → shape
 * (400). Then `acceptSignals` (intake.ts): 202 only after the enqueue
 * succeeded.
 */
import { Hono } from "hono";
import { readBody } from "./body";
import { type AppEnv, requireProject } from "./auth";
import { fastSignalBatch } from "./fast-validate";
import { respondWithIntake, startRateLimit, utf8Length } from "./intake";
import { problem } from "./problem";
import { fieldName, MAX_BATCH, MAX_BODY_BYTES, MAX_CONTENT_BYTES, SignalBatch } from "./schema";

export function signalsRoute() {
  const app = new Hono<AppEnv>();

  app.post("/v1/signals", requireProject, async (c) => {
    void startRateLimit(c, c.get("project"));
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) {
      return problem(c, 415, "unsupported_media_type", "send `Content-Type: application/json`");
    }
    const body = await readBody(c.req.raw, MAX_BODY_BYTES, { inflate: false });
    if (!body.ok) return problem(c, body.status, body.code, body.detail);
    const raw = body.bytes;

    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      return problem(c, 400, "invalid_json", "the body is not valid JSON");
    }
    if (json && typeof json === "object" && Array.isArray((json as { signals?: unknown }).signals)) {
      const n = (json as { signals: unknown[] }).signals.length;
      if (n > MAX_BATCH) return problem(c, 413, "batch_too_large", `at most ${MAX_BATCH} signals per request, got ${n}`, [{ field: "signals", message: `${n} signals` }]);
    }
    // the common plain body skips zod; anything else (and every error) goes through it
    const fast = fastSignalBatch(json);
    const parsed = fast ? ({ success: true, data: fast } as const) : SignalBatch.safeParse(json);
    if (!parsed.success) {
      const errors = parsed.error.issues.slice(0, 20).map((i) => ({ field: fieldName(i.path), message: i.message }));
      return problem(c, 400, "invalid_signal", `${errors[0].field}: ${errors[0].message}`, errors);
    }
    // a string of n UTF-16 units is at most 3n UTF-8 bytes: only long contents need measuring
    const oversized = parsed.data.signals
      .map((s, i) => ({ i, bytes: s.content.length * 3 <= MAX_CONTENT_BYTES ? 0 : utf8Length(s.content) }))
      .filter((x) => x.bytes > MAX_CONTENT_BYTES);
    if (oversized.length) {
      const errors = oversized.map((x) => ({ field: `signals[${x.i}].content`, message: `${x.bytes} bytes; at most ${MAX_CONTENT_BYTES}` }));
      return problem(c, 413, "signal_too_large", `${errors[0].field}: ${errors[0].message}`, errors);
    }

    return respondWithIntake(c, c.get("project"), parsed.data.signals);
  });

  return app;
}
