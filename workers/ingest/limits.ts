/**
 * The limits every ingest route enforces, the same way on each:
 * - `ingestBodyLimit` (middleware, first): a declared Content-Length over
 *   MAX_BODY_BYTES → 413 `body_too_large`, a Content-Encoding no route can
 *   read → 415 `unsupported_encoding`, both before the body is touched (a
 *   chunked body is capped while it is read: workers/ingest/body.ts);
 * - `ingestRateLimit` (middleware, right after the route's authentication):
 *   the per-project request rate (the INGEST_RATE binding, one budget per
 *   project across all ingest routes) → 429 `rate_limited` with Retry-After,
 *   before the body is parsed and before anything is recorded;
 * - `tooDeep`: parsed JSON nested deeper than MAX_JSON_DEPTH → 400
 *   `json_too_deep` (`metadata_too_deep` inside a signal's metadata), checked
 *   iteratively right after parsing;
 * - `tooManyEvents`: more than MAX_BATCH events (signals, Sentry event items,
 *   PostHog events, log records or lines) in one request → 413 `batch_too_large`;
 * - `admitSignals`: what an adapter made is held to the consumer's rules
 *   before it is accepted (id, names, content not blank and ≤ 64 KiB,
 *   metadata ≤ 32 levels and ≤ 16 KiB, weight, timestamp), so nothing
 *   accepted fails later; `recordSignals` then hands them to the intake and
 *   maps a failure to 503 with Retry-After.
 * A route is `app.post(path, ingestBodyLimit, <auth>, ingestRateLimit, handler)`.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Env } from "../env";
import type { ProjectContext } from "./auth";
import { hasVisibleText } from "./control-chars";
import { acceptSignals, type IntakeResult, utf8Length } from "./intake";
import { findTooDeep, type JsonPath, MAX_JSON_DEPTH, MAX_METADATA_BYTES, MAX_METADATA_DEPTH, pathName } from "./json-limits";
import { type FieldError, problem } from "./problem";
import { MAX_BATCH, MAX_BODY_BYTES, MAX_CONTENT_BYTES, type SignalInput } from "./schema";
import { isSignalId } from "./signal-id";

/** Context of the ingest routes: the authenticated project, and what an auth step read of the body. */
export type IngestEnv = { Bindings: Env; Variables: { project: ProjectContext; body: Uint8Array } };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyContext = Context<any>;

/** Content-Encodings some ingest route reads (the others read the bytes as sent). */
const ENCODINGS = new Set(["", "identity", "gzip", "x-gzip", "deflate"]);

/** The rate limiter's window, seconds: what Retry-After says. */
export const RETRY_AFTER_S = 10;

export const ingestBodyLimit = createMiddleware(async (c, next) => {
  const declared = c.req.header("content-length");
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
    return problem(c, 413, "body_too_large", `the request body may be at most ${MAX_BODY_BYTES} bytes`);
  }
  const encoding = (c.req.header("content-encoding") ?? "").trim().toLowerCase();
  if (!ENCODINGS.has(encoding)) {
    return problem(c, 415, "unsupported_encoding", `Content-Encoding ${encoding} is not supported; send gzip, deflate or none`);
  }
  await next();
});

/** Whether `project` may send one more request now; fails open when the limiter is down. */
export async function underRate(env: Env, project: ProjectContext): Promise<boolean> {
  const limiter = env.INGEST_RATE;
  if (!limiter) return true;
  try {
    return (await limiter.limit({ key: `ingest:${project.id}` })).success;
  } catch (e) {
    // a limiter outage must not turn away signals
    console.error("rate limiter unavailable", e);
    return true;
  }
}

export function rateLimitedResponse(c: AnyContext, project: ProjectContext): Response {
  return problem(c, 429, "rate_limited", `project ${project.id} is over its ingest rate; retry after ${RETRY_AFTER_S} s`, undefined, {
    "retry-after": String(RETRY_AFTER_S),
  });
}

/** After the route's authentication has set `project`. */
export const ingestRateLimit = createMiddleware<{ Bindings: Env; Variables: { project: ProjectContext } }>(async (c, next) => {
  const project = c.get("project");
  if (!(await underRate(c.env, project))) return rateLimitedResponse(c, project);
  await next();
});

/** 413 `batch_too_large` when a request carries more than MAX_BATCH events; null otherwise. */
export function tooManyEvents(c: AnyContext, n: number, what: string, field: string, counted = true): Response | null {
  if (n <= MAX_BATCH) return null;
  // a parser that stops one past the limit knows only that there were more
  const got = counted ? String(n) : `more than ${MAX_BATCH}`;
  return problem(c, 413, "batch_too_large", `at most ${MAX_BATCH} ${what} per request, got ${got}`, [{ field, message: `${got} ${what}; at most ${MAX_BATCH}` }]);
}

/**
 * 400 when `value` (parsed JSON) nests deeper than MAX_JSON_DEPTH; null
 * otherwise. `prefix` names where `value` sits (e.g. the envelope item), and
 * a path through a signal's metadata answers `metadata_too_deep`.
 */
export function tooDeep(c: AnyContext, value: unknown, prefix: JsonPath = [], max = MAX_JSON_DEPTH): Response | null {
  const path = findTooDeep(value, max);
  if (!path) return null;
  const full = [...prefix, ...path];
  // inside signals[i].metadata, the metadata limit is the one that applies (and is lower)
  if (full[0] === "signals" && typeof full[1] === "number" && full[2] === "metadata") {
    const field = pathName(full.slice(0, 3));
    return problem(c, 400, "metadata_too_deep", `${field}: nested more than ${MAX_METADATA_DEPTH} levels deep`, [
      { field, message: `nested more than ${MAX_METADATA_DEPTH} levels deep` },
    ]);
  }
  const field = pathName(full);
  return problem(c, 400, "json_too_deep", `${field}: nested more than ${max} levels deep`, [{ field, message: `nested more than ${max} levels deep` }]);
}

/** 400 for a body `JSON.parse` itself found too deep. */
export function unparsablyDeep(c: AnyContext, field = "body"): Response {
  return problem(c, 400, "json_too_deep", `${field}: nested too deeply to parse`, [{ field, message: `nested more than ${MAX_JSON_DEPTH} levels deep` }]);
}

function plainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

interface Violation {
  status: 400 | 413;
  code: string;
  error: FieldError;
}

const NAME_MAX = 64;

/** The first rule `s` breaks, or null; `blank` says whether blank content counts (null: the caller skips blank signals). */
function violation(s: SignalInput, at: string, blank: boolean): Violation | null {
  const bad = (field: string, message: string, code = "invalid_signal", status: 400 | 413 = 400): Violation => ({
    status,
    code,
    error: { field: `${at}.${field}`, message },
  });
  if (s.id !== undefined && (typeof s.id !== "string" || !isSignalId(s.id))) return bad("id", "1..128 letters, digits and . _ : @ -");
  for (const key of ["source_product", "source_type"] as const) {
    const v = s[key];
    if (typeof v !== "string" || !v.trim() || v.trim().length > NAME_MAX) return bad(key, `1..${NAME_MAX} characters`);
  }
  if (typeof s.content !== "string") return bad("content", "required");
  if (blank && !hasVisibleText(s.content)) return bad("content", "must not be empty or blank (only whitespace or control characters)");
  // a string of n UTF-16 units is at most 3n UTF-8 bytes: only long contents need measuring
  if (s.content.length * 3 > MAX_CONTENT_BYTES) {
    const bytes = utf8Length(s.content);
    if (bytes > MAX_CONTENT_BYTES) return bad("content", `${bytes} bytes; at most ${MAX_CONTENT_BYTES}`, "signal_too_large", 413);
  }
  if (s.weight !== undefined && !(typeof s.weight === "number" && Number.isFinite(s.weight) && s.weight > 0 && s.weight <= 1000)) {
    return bad("weight", "a number > 0 and ≤ 1000");
  }
  // ISO strings were checked by the request schema; adapters give epoch ms
  if (s.timestamp !== undefined && typeof s.timestamp !== "string" && !(Number.isSafeInteger(s.timestamp) && s.timestamp >= 0)) {
    return bad("timestamp", "epoch milliseconds (a non-negative integer) or ISO 8601");
  }
  if (s.metadata !== undefined) {
    if (!plainObject(s.metadata)) return bad("metadata", "an object");
    if (findTooDeep(s.metadata, MAX_METADATA_DEPTH)) return bad("metadata", `nested more than ${MAX_METADATA_DEPTH} levels deep`, "metadata_too_deep");
    const bytes = utf8Length(JSON.stringify(s.metadata));
    if (bytes > MAX_METADATA_BYTES) return bad("metadata", `${bytes} bytes as JSON; at most ${MAX_METADATA_BYTES}`, "metadata_too_large", 413);
  }
  return null;
}

export type Admission = { ok: true; signals: SignalInput[]; skipped: number } | { ok: false; response: Response };

/**
 * Holds signals to the rules the queue consumer applies, so none is accepted
 * and then dead-lettered. `blank: "reject"` (POST /v1/signals) answers 400
 * for blank content; `"skip"` (sources) leaves such signals out and counts
 * them. `field(i)` names signal i in errors (`signals[3]`, `batch[2]`…).
 */
export function admitSignals(c: AnyContext, signals: SignalInput[], opts: { blank: "reject" | "skip"; field: (i: number) => string }): Admission {
  const tooMany = tooManyEvents(c, signals.length, "signals", "signals");
  if (tooMany) return { ok: false, response: tooMany };
  const kept: SignalInput[] = [];
  const found: Violation[] = [];
  let skipped = 0;
  for (let i = 0; i < signals.length; i++) {
    const s = signals[i];
    if (opts.blank === "skip" && !(typeof s.content === "string" && hasVisibleText(s.content))) {
      skipped++;
      continue;
    }
    const v = violation(s, opts.field(i), opts.blank === "reject");
    if (v) found.push(v);
    else kept.push(s);
  }
  if (found.length) {
    const first = found[0];
    const errors = found.slice(0, 20).map((v) => v.error);
    if (opts.blank === "skip") console.error(`ingest: an adapter made ${found.length} signal(s) the consumer would refuse`, errors);
    return { ok: false, response: problem(c, first.status, first.code, `${first.error.field}: ${first.error.message}`, errors) };
  }
  return { ok: true, signals: kept, skipped };
}

/**
 * `acceptSignals`, with a failure to record answered 503 + Retry-After.
 * `what` says what failed in the log and the answer (`posthog: could not
 * record the batch`), `retryHint` how the sender retries safely.
 */
export async function recordSignals(
  c: AnyContext,
  project: ProjectContext,
  signals: SignalInput[],
  opts: { source: string; what: string; retryHint: string },
): Promise<{ ok: true; result: IntakeResult } | { ok: false; response: Response }> {
  try {
    return { ok: true, result: await acceptSignals(c.env as Env, project, signals) };
  } catch (e) {
    console.error(`${opts.source}: could not record the ${opts.what}`, e);
    return {
      ok: false,
      response: problem(c, 503, "enqueue_failed", `the ${opts.what} could not be recorded; ${opts.retryHint}`, undefined, { "retry-after": "5" }),
    };
  }
}
