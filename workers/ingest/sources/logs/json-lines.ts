/**
 * JSON lines (`application/x-ndjson`, `application/jsonl`): one JSON object
 * per line, as pino, bunyan, winston, zap, structlog or Serilog write them.
 * The line's own text is the content (the grouping fingerprint templates it
 * by msg, service and level). Level from `level`/`severity` (names or pino
 * numbers) and friends; with no level, an `err`/`error`/`exception`/`stack`
 * field counts as error. Blank lines are skipped; a line that is not a JSON
 * object is an error naming its line number.
 */
import { findTooDeep, MAX_JSON_DEPTH, pathName } from "../../json-limits";
import { MAX_CONTENT_BYTES } from "../../schema";
import type { LogEntry } from "./entry";
import { toEpochMs } from "./entry";
import { type Level, levelFromName, levelFromPino, levelFromSeverityNumber } from "./levels";
import { eachNonBlankLine } from "./text";
import { utf8Length } from "../../intake";

const LEVEL_KEYS = ["level", "severity", "lvl", "log.level", "levelname", "loglevel", "level_name", "severity_text", "severityText", "@l"];
const SERVICE_KEYS = ["service", "service.name", "serviceName", "service_name", "app", "application", "logger"];
const TIME_KEYS = ["time", "timestamp", "ts", "@timestamp", "@t", "datetime", "date"];
const ERROR_KEYS = ["err", "error", "exception", "exc_info", "stack", "stack_trace", "@x"];
/** string fields cut to this length when a line is over the content limit */
const LONG_STRING = 4096;

export type JsonLinesResult = { ok: true; entries: LogEntry[] } | { ok: false; line: number; message: string; tooDeep?: boolean };

/** `obj[key]`, also for dotted keys written nested (`{"log": {"level": "error"}}`). */
function lookup(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  if (!key.includes(".")) return undefined;
  let cur: unknown = obj;
  for (const part of key.split(".")) {
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function lineLevel(obj: Record<string, unknown>): Level | null {
  for (const key of LEVEL_KEYS) {
    const v = lookup(obj, key);
    if (typeof v === "string" && v.trim()) {
      const level = levelFromName(v);
      if (level) return level;
    } else if (typeof v === "number") {
      return key === "level" || key === "lvl" ? levelFromPino(v) : levelFromSeverityNumber(v);
    }
  }
  const severityNumber = obj.severityNumber ?? obj.severity_number;
  if (typeof severityNumber === "number") return levelFromSeverityNumber(severityNumber);
  return ERROR_KEYS.some((k) => obj[k] !== undefined && obj[k] !== null && obj[k] !== false) ? "error" : null;
}

function firstString(obj: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = lookup(obj, k);
    if (typeof v === "string" && v.trim()) return v.trim();
  }
  return undefined;
}

/** The line as content; over the limit, its long strings are cut so it stays JSON. */
function fitLine(text: string, obj: Record<string, unknown>): string {
  if (text.length * 3 <= MAX_CONTENT_BYTES || utf8Length(text) <= MAX_CONTENT_BYTES) return text;
  return JSON.stringify(obj, (_k, v: unknown) => (typeof v === "string" && v.length > LONG_STRING ? `${v.slice(0, LONG_STRING)}… (truncated)` : v));
}

/** The body's entries; past `maxEntries` it stops (the route answers 413 without reading the rest). */
export function parseJsonLines(body: string, maxEntries = Infinity): JsonLinesResult {
  const entries: LogEntry[] = [];
  let failed: JsonLinesResult | null = null;
  eachNonBlankLine(body, (line, i) => {
    if (entries.length > maxEntries) return false;
    const parsed = parseLine(line.trim(), i + 1);
    if ("ok" in parsed) {
      failed = parsed;
      return false;
    }
    entries.push(parsed);
    return true;
  });
  return failed ?? { ok: true, entries };
}

function parseLine(text: string, line: number): LogEntry | Extract<JsonLinesResult, { ok: false }> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, line, message: `nested more than ${MAX_JSON_DEPTH} levels deep`, tooDeep: true };
    return { ok: false, line, message: `not valid JSON (${(e as Error).message})` };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return { ok: false, line, message: "not a JSON object" };
  // the line is stringified again when it is long (fitLine): recursion must stay shallow
  const deep = findTooDeep(value, MAX_JSON_DEPTH);
  if (deep) return { ok: false, line, message: `${pathName(deep)}: nested more than ${MAX_JSON_DEPTH} levels deep`, tooDeep: true };
  const obj = value as Record<string, unknown>;
  let timestamp: number | undefined;
  for (const k of TIME_KEYS) {
    timestamp = toEpochMs(lookup(obj, k));
    if (timestamp !== undefined) break;
  }
  return {
    format: "ndjson",
    content: fitLine(text, obj),
    level: lineLevel(obj),
    service: firstString(obj, SERVICE_KEYS),
    timestamp,
    ...(timestamp !== undefined ? { identity: text } : {}),
    metadata: { line },
  };
}
