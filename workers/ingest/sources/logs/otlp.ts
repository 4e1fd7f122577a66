/**
 * OTLP/HTTP JSON logs (an ExportLogsServiceRequest, as
 * @opentelemetry/exporter-logs-otlp-http and the Collector's otlphttp
 * exporter send it): resourceLogs → scopeLogs → logRecords. Each record
 * becomes one entry whose content reads
 *
 *   ERROR checkout-api: payment failed for order 8812
 *   TypeError: Cannot read properties of null (reading 'items')
 *       at computeTotals (src/checkout/totals.ts:42:18)
 *   http.route: /checkout/pay
 *
 * (severity, service.name, body; exception.type / exception.message /
 * exception.stacktrace; the other attributes), so the fingerprint sees the
 * stack's frames or, without one, the first line's template. Level from
 * severityNumber, else severityText, else error when exception attributes
 * are present. Records with a time get a stable id (exporter retries are
 * stored once). Field names are OTLP/JSON's lowerCamelCase; int64 values may
 * be strings; unknown fields are ignored.
 */
import { z } from "zod";
import type { LogEntry } from "./entry";
import { toEpochMs } from "./entry";
import { firstLine } from "../../../text/first-line";
import { type Level, levelFromName, levelFromSeverityNumber } from "./levels";
import { clip } from "./text";

const KeyValue = z.object({ key: z.string(), value: z.unknown().optional() });
const Attributes = z.array(KeyValue).nullish();
/** OTLP/JSON int64: a number, or a string of digits */
const Int64 = z.union([z.number().nonnegative(), z.string().regex(/^\d{1,20}$/, "an integer (as a number or a string of digits)")]).nullish();
/**
 * OTLP/JSON writes enums as integers; the protobuf JSON mapping also allows
 * the enum's name. Any other string (or number) is a client bug: 400 naming
 * the field, rather than a record quietly read as "no level" and skipped.
 */
const SEVERITY = "a SeverityNumber: an integer 0..24 or its enum name (SEVERITY_NUMBER_ERROR…)";
const SeverityNumber = z
  .union([
    z.number().int(SEVERITY).min(0, SEVERITY).max(24, SEVERITY),
    z.string().regex(/^SEVERITY_NUMBER_(?:UNSPECIFIED|(?:TRACE|DEBUG|INFO|WARN|ERROR|FATAL)[2-4]?)$/, SEVERITY),
  ])
  .nullish();
/** hex trace and span ids are 32 and 16 characters; anything far longer is not one */
const Id = z.string().max(128).nullish();

const LogRecord = z.object({
  timeUnixNano: Int64,
  observedTimeUnixNano: Int64,
  severityNumber: SeverityNumber,
  severityText: z.string().max(100).nullish(),
  body: z.unknown().optional(),
  eventName: z.string().nullish(),
  attributes: Attributes,
  traceId: Id,
  spanId: Id,
});

export const ExportLogsServiceRequest = z.object({
  resourceLogs: z.array(
    z.object({
      resource: z.object({ attributes: Attributes }).nullish(),
      scopeLogs: z
        .array(
          z.object({
            scope: z.object({ name: z.string().nullish() }).nullish(),
            logRecords: z.array(LogRecord).nullish(),
          }),
        )
        .nullish(),
    }),
  ),
});
export type ExportLogsServiceRequest = z.infer<typeof ExportLogsServiceRequest>;

/** Resource attributes worth keeping with each entry (others, like process.pid, vary per run). */
const RESOURCE_KEPT: Record<string, string> = {
  "service.version": "release",
  "deployment.environment.name": "environment",
  "deployment.environment": "environment",
  "service.namespace": "service_namespace",
};
const MAX_ATTRIBUTES = 20;

/** An OTLP AnyValue as a plain value. */
export function anyValue(v: unknown): unknown {
  if (!v || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  if ("stringValue" in o) return o.stringValue;
  if ("boolValue" in o) return o.boolValue;
  if ("intValue" in o) {
    const n = Number(o.intValue);
    return Number.isSafeInteger(n) ? n : String(o.intValue);
  }
  if ("doubleValue" in o) return Number(o.doubleValue);
  if ("arrayValue" in o) {
    const values = (o.arrayValue as { values?: unknown[] } | null)?.values;
    return Array.isArray(values) ? values.map(anyValue) : [];
  }
  if ("kvlistValue" in o) {
    const values = (o.kvlistValue as { values?: unknown[] } | null)?.values;
    return attributes(Array.isArray(values) ? (values as z.infer<typeof KeyValue>[]) : []);
  }
  if ("bytesValue" in o) return o.bytesValue;
  return null;
}

export function attributes(list: z.infer<typeof Attributes>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v) ?? "");

function recordLevel(r: z.infer<typeof LogRecord>, attrs: Record<string, unknown>): Level | null {
  const n = typeof r.severityNumber === "number" ? r.severityNumber : r.severityNumber ? Number(r.severityNumber) : Number.NaN;
  const byNumber = Number.isFinite(n) ? levelFromSeverityNumber(n) : typeof r.severityNumber === "string" ? levelFromName(r.severityNumber) : null;
  const level = byNumber ?? (r.severityText ? levelFromName(r.severityText) : null);
  if (level) return level;
  return attrs["exception.type"] || attrs["exception.message"] || attrs["exception.stacktrace"] ? "error" : null;
}

/** The readable content of one record. */
export function recordContent(severity: string, service: string | undefined, body: unknown, attrs: Record<string, unknown>): string {
  const bodyText = body === null || body === undefined ? "" : show(body);
  const head = `${severity}${service ? ` ${service}` : ""}${bodyText ? `: ${bodyText}` : ""}`;
  const lines = [head];
  const type = attrs["exception.type"] ? show(attrs["exception.type"]) : "";
  const message = attrs["exception.message"] ? show(attrs["exception.message"]) : "";
  const stack = attrs["exception.stacktrace"] ? show(attrs["exception.stacktrace"]).trimEnd() : "";
  const firstStackLine = firstLine(stack);
  if ((type || message) && !(stack && type && firstStackLine.includes(type))) {
    lines.push(type && message ? `${type}: ${message}` : type || message);
  }
  if (stack) lines.push(stack);
  const rest = Object.entries(attrs).filter(([k]) => !k.startsWith("exception."));
  for (const [k, v] of rest.slice(0, MAX_ATTRIBUTES)) lines.push(`${k}: ${clip(show(v), 300)}`);
  return lines.join("\n");
}

export function otlpRecordCount(req: ExportLogsServiceRequest): number {
  return req.resourceLogs.reduce((n, rl) => n + (rl.scopeLogs ?? []).reduce((m, sl) => m + (sl.logRecords?.length ?? 0), 0), 0);
}

export function parseOtlp(req: ExportLogsServiceRequest): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const rl of req.resourceLogs) {
    const resource = attributes(rl.resource?.attributes);
    const service = typeof resource["service.name"] === "string" ? (resource["service.name"] as string) : undefined;
    const kept: Record<string, unknown> = {};
    for (const [key, name] of Object.entries(RESOURCE_KEPT)) {
      // one short line each: metadata stays far below its 16 KiB limit
      if (resource[key] !== undefined && kept[name] === undefined) kept[name] = clip(show(resource[key]), 200);
    }
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        const attrs = attributes(r.attributes);
        const level = recordLevel(r, attrs);
        const severity = (r.severityText?.trim() || level || "LOG").toUpperCase();
        const timestamp = toEpochMs(r.timeUnixNano) ?? toEpochMs(r.observedTimeUnixNano);
        const body = anyValue(r.body);
        const bodyText = body === null || body === undefined ? "" : show(body);
        entries.push({
          format: "otlp",
          ...(!bodyText.trim() && !Object.keys(attrs).length ? { empty: true } : {}),
          content: recordContent(severity, service, body, attrs),
          level,
          service,
          timestamp,
          ...(timestamp !== undefined ? { identity: JSON.stringify([resource, sl.scope?.name ?? null, r]) } : {}),
          metadata: {
            ...kept,
            ...(sl.scope?.name ? { scope: clip(sl.scope.name, 200) } : {}),
            ...(r.eventName ? { event_name: clip(r.eventName, 200) } : {}),
            ...(r.traceId ? { trace_id: r.traceId } : {}),
            ...(r.spanId ? { span_id: r.spanId } : {}),
          },
        });
      }
    }
  }
  return entries;
}
