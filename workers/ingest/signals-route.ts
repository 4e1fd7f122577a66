/**
 * `POST /v1/signals`: a batch of 1..500 signals for the caller's project.
 * Order of checks: size and encoding (413/415, limits.ts) → auth (401) →
 * rate (429) → content type (415) → body read, gzip/deflate inflated (413)
 * → JSON nesting (400 `json_too_deep` / `metadata_too_deep`) → count (413)
 * → shape (400) → each signal's limits (400/413, `admitSignals`). Then
 * `acceptSignals` (intake.ts): 202 only once the signals are recorded.
 */
import { Hono } from "hono";
import { readBody } from "./body";
import { requireProject } from "./auth";
import { fastSignalBatch } from "./fast-validate";
import { parseJson } from "./json-limits";
import { admitSignals, ingestBodyLimit, type IngestEnv, ingestRateLimit, recordSignals, tooDeep, tooManyEvents, unparsablyDeep } from "./limits";
import { problem } from "./problem";
import { fieldName, MAX_BODY_BYTES, SignalBatch } from "./schema";

export function signalsRoute() {
  const app = new Hono<IngestEnv>();

  app.post("/v1/signals", ingestBodyLimit, requireProject, ingestRateLimit, async (c) => {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) {
      return problem(c, 415, "unsupported_media_type", "send `Content-Type: application/json`");
    }
    const body = await readBody(c.req.raw, MAX_BODY_BYTES);
    if (!body.ok) return problem(c, body.status, body.code, body.detail);

    const parsedJson = parseJson(new TextDecoder().decode(body.bytes));
    if (!parsedJson.ok) return parsedJson.tooDeep ? unparsablyDeep(c) : problem(c, 400, "invalid_json", "the body is not valid JSON");
    const json = parsedJson.value;
    const deep = tooDeep(c, json);
    if (deep) return deep;
    if (json && typeof json === "object" && Array.isArray((json as { signals?: unknown }).signals)) {
      const tooMany = tooManyEvents(c, (json as { signals: unknown[] }).signals.length, "signals", "signals");
      if (tooMany) return tooMany;
    }
    // the common plain body skips zod; anything else (and every error) goes through it
    const fast = fastSignalBatch(json);
    const parsed = fast ? ({ success: true, data: fast } as const) : SignalBatch.safeParse(json);
    if (!parsed.success) {
      const errors = parsed.error.issues.slice(0, 20).map((i) => ({ field: fieldName(i.path), message: i.message }));
      return problem(c, 400, "invalid_signal", `${errors[0].field}: ${errors[0].message}`, errors);
    }
    const admitted = admitSignals(c, parsed.data.signals, { blank: "reject", field: (i) => `signals[${i}]` });
    if (!admitted.ok) return admitted.response;

    const recorded = await recordSignals(c, c.get("project"), admitted.signals, { source: "intake", what: "batch", retryHint: "retry it (ids make retries safe)" });
    return recorded.ok ? c.json(recorded.result, 202) : recorded.response;
  });

  return app;
}
