/**
 * Maps one Sentry event (an envelope `event` item, or the body of the old
 * store endpoint) to a `SignalInput`:
 * - id `sentry:<event_id>`, so an SDK retry or a duplicate is stored once;
 * - errors / exception (or errors / message for message-only events);
 * - content a reader and the fingerprinter understand: `Type: value`, then the
 *   in-app frames newest first as V8 `    at fn (file:line:col)` lines
 *   (Sentry lists frames oldest first), chained causes, then url, transaction,
 *   release, environment and tags; cut to fit MAX_CONTENT_BYTES;
 * - weight from the level, timestamp in epoch ms, metadata with the SDK,
 *   platform, release, environment, tags and event_id. No user data is kept.
 */
import { MAX_CONTENT_BYTES, type SignalInput } from "../../schema";
import { isObject, type JsonObject } from "./envelope";
import { oneLine, truncateUtf8, utf8Bytes } from "./text";

/** Report weight by Sentry level; an event without a level is an error. */
export const LEVEL_WEIGHTS: Record<string, number> = {
  fatal: 2,
  critical: 2,
  error: 1,
  warning: 0.5,
  warn: 0.5,
  info: 0.25,
  log: 0.25,
  debug: 0.1,
};

const MAX_FRAMES = 50;
const MAX_CAUSE_FRAMES = 10;
const MAX_CAUSES = 5;
const MAX_TAGS = 50;
const MAX_HEAD_CHARS = 8 * 1024;
/** metadata rides in the queue message beside content (≤ 64 KiB); a message may be at most 128 KB */
export const MAX_METADATA_BYTES = 16 * 1024;
/** dropped from metadata, in this order, until it fits (tags and url stay in content) */
const SHEDDABLE = ["fingerprint", "tags", "url", "transaction", "logger", "server_name"];

export class InvalidEventError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export interface EventContext {
  /** the envelope header's event_id, used when the event has none */
  eventId?: unknown;
  /** the envelope header's sdk, used when the event has none */
  sdk?: unknown;
}

export interface MappedEvent {
  eventId: string;
  signal: SignalInput;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
/** a string field as one bounded line, or undefined */
const short = (v: unknown, max: number): string | undefined => (str(v) ? oneLine(v as string, max) : undefined);
const objects = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** Sentry event ids are UUIDs, usually as 32 hex digits; dashes are dropped, case folded. */
export function normalizeEventId(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const id = v.replace(/-/g, "").toLowerCase();
  return /^[0-9a-f]{32}$/.test(id) ? id : null;
}

function eventIdOf(event: JsonObject, ctx: EventContext): string {
  for (const [field, value] of [
    ["event_id", event.event_id],
    ["envelope.event_id", ctx.eventId],
  ] as const) {
    if (value === undefined || value === null) continue;
    const id = normalizeEventId(value);
    if (!id) throw new InvalidEventError("event_id must be a UUID (32 hex digits)", field);
    return id;
  }
  return crypto.randomUUID().replace(/-/g, "");
}

/** `message` (string or {formatted, message, params}) or `logentry`, formatted. */
export function messageText(event: JsonObject): string | undefined {
  for (const m of [event.logentry, event.message]) {
    if (str(m)) return m as string;
    if (!isObject(m)) continue;
    if (str(m.formatted)) return m.formatted as string;
    const template = str(m.message);
    if (!template) continue;
    if (!Array.isArray(m.params) || !m.params.length) return template;
    let i = 0;
    const params = m.params;
    return template.replace(/%[sdif]/g, (spec) => (i < params.length ? String(params[i++]) : spec));
  }
  return undefined;
}

function exceptionValues(event: JsonObject): JsonObject[] {
  const ex = event.exception;
  if (Array.isArray(ex)) return objects(ex);
  return isObject(ex) ? objects(ex.values) : [];
}

function framesOf(stacktrace: unknown): JsonObject[] {
  return isObject(stacktrace) ? objects(stacktrace.frames) : [];
}

/** Frames of the thread that crashed (or the current one), for events without an exception stack. */
function threadFrames(event: JsonObject): JsonObject[] {
  const threads = isObject(event.threads) ? objects(event.threads.values) : objects(event.threads);
  const pick = threads.find((t) => t.crashed === true) ?? threads.find((t) => t.current === true) ?? threads[0];
  return pick ? framesOf(pick.stacktrace) : [];
}

/** In-app frames (all frames when none is marked in-app), newest first. */
export function selectFrames(frames: JsonObject[]): JsonObject[] {
  const inApp = frames.filter((f) => f.in_app === true);
  return (inApp.length ? inApp : frames).slice().reverse();
}

/** `    at fn (file:line:col)`, or `    at file:line:col` for an anonymous frame. */
export function frameLine(frame: JsonObject): string {
  const fn = str(frame.function) ?? str(frame.raw_function);
  const file = str(frame.filename) ?? str(frame.abs_path) ?? str(frame.module) ?? "<unknown>";
  const line = num(frame.lineno);
  const col = num(frame.colno);
  const where = oneLine(file, 300) + (line !== undefined ? `:${line}${col !== undefined ? `:${col}` : ""}` : "");
  return fn ? `    at ${oneLine(fn, 200)} (${where})` : `    at ${where}`;
}

function exceptionHead(value: JsonObject): string | undefined {
  const type = str(value.type);
  const text = str(value.value);
  if (type && text) return `${type}: ${text}`;
  return type ?? text;
}

function tagEntries(tags: unknown): [string, string][] {
  const pairs: [unknown, unknown][] = Array.isArray(tags)
    ? tags.filter((t): t is unknown[] => Array.isArray(t) && t.length === 2).map((t) => [t[0], t[1]])
    : isObject(tags)
      ? Object.entries(tags)
      : [];
  return pairs
    .filter(([k, v]) => typeof k === "string" && k && (typeof v === "string" || typeof v === "number" || typeof v === "boolean"))
    .slice(0, MAX_TAGS)
    // Sentry's own limits: tag keys 32 characters, values 200
    .map(([k, v]) => [oneLine(k as string, 32), oneLine(String(v), 200)]);
}

/** epoch ms from a Sentry timestamp: seconds (number or numeric string) or RFC 3339 (UTC when no offset). */
export function timestampMs(v: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof v === "number") ms = v * 1000;
  else if (typeof v === "string" && /^\d+(?:\.\d+)?$/.test(v.trim())) ms = Number(v) * 1000;
  else if (typeof v === "string") {
    const iso = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(v.trim()) ? v.trim() : `${v.trim()}Z`;
    ms = Date.parse(iso);
  }
  // the range a Date can hold
  return ms !== undefined && Number.isFinite(ms) && ms >= 0 && ms <= 8.64e15 ? Math.round(ms) : undefined;
}

function sdkOf(event: JsonObject, ctx: EventContext): { name?: string; version?: string } | undefined {
  const sdk = isObject(event.sdk) ? event.sdk : isObject(ctx.sdk) ? ctx.sdk : undefined;
  if (!sdk) return undefined;
  const name = short(sdk.name, 100);
  const version = short(sdk.version, 50);
  return name || version ? { ...(name ? { name } : {}), ...(version ? { version } : {}) } : undefined;
}

export function eventToSignal(event: unknown, ctx: EventContext = {}): MappedEvent {
  if (!isObject(event)) throw new InvalidEventError("the event must be a JSON object", "event");
  const eventId = eventIdOf(event, ctx);

  const values = exceptionValues(event);
  // Sentry lists chained exceptions oldest first: the last one is what was thrown
  const primary = values.at(-1);
  const message = messageText(event);
  const isException = primary !== undefined && str(primary.type) !== undefined;

  const head = oneLineHead((primary && exceptionHead(primary)) ?? message ?? str(event.transaction) ?? "Sentry event without a message");
  const lines = [head];
  let frames = framesOf(primary?.stacktrace);
  if (!frames.length) frames = framesOf(event.stacktrace);
  if (!frames.length) frames = threadFrames(event);
  const selected = selectFrames(frames);
  lines.push(...selected.slice(0, MAX_FRAMES).map(frameLine));
  if (selected.length > MAX_FRAMES) lines.push(`    ... ${selected.length - MAX_FRAMES} more frames`);

  if (message && primary && message !== str(primary.value)) lines.push(`message: ${oneLine(message, 2000)}`);
  for (const cause of values.slice(0, -1).reverse().slice(0, MAX_CAUSES)) {
    const causeHead = exceptionHead(cause);
    if (!causeHead) continue;
    lines.push(`Caused by: ${oneLine(causeHead, 1000)}`);
    lines.push(...selectFrames(framesOf(cause.stacktrace)).slice(0, MAX_CAUSE_FRAMES).map(frameLine));
  }

  const request = isObject(event.request) ? event.request : {};
  const url = short(request.url, 2000);
  const transaction = short(event.transaction, 500);
  const release = short(event.release, 200);
  const environment = short(event.environment, 200);
  const tags = tagEntries(event.tags);
  if (url) lines.push(`url: ${url}`);
  if (transaction) lines.push(`transaction: ${transaction}`);
  if (release) lines.push(`release: ${release}`);
  if (environment) lines.push(`environment: ${environment}`);
  if (tags.length) lines.push(`tags: ${tags.map(([k, v]) => `${k}=${v}`).join(", ")}`);

  const level = short(event.level, 20)?.toLowerCase() ?? "error";
  const metadata: Record<string, unknown> = {
    event_id: eventId,
    level,
    platform: short(event.platform, 50),
    sdk: sdkOf(event, ctx),
    release,
    environment,
    transaction,
    server_name: short(event.server_name, 200),
    logger: short(event.logger, 200),
    url,
    tags: tags.length ? Object.fromEntries(tags) : undefined,
    fingerprint: Array.isArray(event.fingerprint)
      ? event.fingerprint.filter((f): f is string => typeof f === "string").slice(0, 20).map((f) => oneLine(f, 200))
      : undefined,
  };
  for (const k of Object.keys(metadata)) if (metadata[k] === undefined) delete metadata[k];
  for (const k of SHEDDABLE) {
    if (utf8Bytes(JSON.stringify(metadata)) <= MAX_METADATA_BYTES) break;
    delete metadata[k];
    metadata.truncated = true;
  }

  const signal: SignalInput = {
    id: `sentry:${eventId}`,
    source_product: "errors",
    source_type: isException ? "exception" : "message",
    content: truncateUtf8(lines.join("\n"), MAX_CONTENT_BYTES),
    weight: LEVEL_WEIGHTS[level] ?? 1,
    metadata,
  };
  const ts = timestampMs(event.timestamp);
  if (ts !== undefined) signal.timestamp = ts;
  return { eventId, signal };
}

/** The first line keeps the value's own line breaks out (they would read as more lines), and a bound. */
function oneLineHead(text: string): string {
  return oneLine(text, MAX_HEAD_CHARS);
}
