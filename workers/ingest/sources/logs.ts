/**
 * Logs source adapter: `POST /v1/logs` (project key). The format follows
 * Content-Type:
 * - `application/json` → OTLP/HTTP JSON logs (`resourceLogs`), as the
 *   OpenTelemetry exporters send them; answered 200 with an
 *   ExportLogsServiceResponse (`partialSuccess` when the safety tier dropped
 *   records) plus the intake result, which the exporters read as success;
 * - `application/x-ndjson` / `application/jsonl` → one JSON object per line;
 * - `text/plain` → plain text, one entry per line (stack traces kept with
 *   their line);
 * - `application/x-protobuf` → 415: OTLP protobuf is not supported, JSON is.
 * Only entries at or above `?min_level=` (default warn; trace, debug, info,
 * warn, error, fatal) become signals; entries that show no level count as
 * info. JSON lines and text answer 202 with the intake result plus
 * `skipped` (entries below the level) and `received`.
 * Errors: empty body 400 `empty_body`; more than 500 entries 413
 * `batch_too_large`; a line that is not a JSON object 400 `invalid_json`
 * naming the line; JSON nested deeper than 64 levels 400 `json_too_deep`;
 * OTLP of the wrong shape or field types (e.g. `severityNumber` that is no
 * SeverityNumber) 400 `invalid_otlp` naming the field; plus the shared
 * ingest limits (limits.ts): 413/415 body, 429 per project.
 */
import { Hono } from "hono";
import { requireProject } from "../auth";
import { parseJson } from "../json-limits";
import { admitSignals, ingestBodyLimit, type IngestEnv, ingestRateLimit, recordSignals, tooDeep, tooManyEvents, unparsablyDeep } from "../limits";
import { problem } from "../problem";
import { fieldName, MAX_BATCH, MAX_BODY_BYTES } from "../schema";
import { readLogBody } from "./logs/body";
import { entrySignal, type LogEntry, passes } from "./logs/entry";
import { parseJsonLines } from "./logs/json-lines";
import { DEFAULT_MIN_LEVEL, type Level, levelFromName, LEVELS } from "./logs/levels";
import { ExportLogsServiceRequest, otlpRecordCount, parseOtlp } from "./logs/otlp";
import { parseTextLines } from "./logs/text-lines";

type Format = "otlp" | "ndjson" | "text" | "protobuf";

function formatOf(contentType: string): Format | null {
  const type = contentType.split(";", 1)[0].trim().toLowerCase();
  if (type === "application/json") return "otlp";
  if (["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonl", "application/jsonlines", "application/x-jsonlines"].includes(type)) return "ndjson";
  if (type === "text/plain") return "text";
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  return null;
}

export function logsRoutes() {
  const app = new Hono<IngestEnv>();

  app.post("/v1/logs", ingestBodyLimit, requireProject, ingestRateLimit, async (c) => {
    const format = formatOf(c.req.header("content-type") ?? "");
    if (format === "protobuf") {
      return problem(
        c,
        415,
        "unsupported_media_type",
        "OTLP/HTTP protobuf is not supported; send OTLP/HTTP JSON (`Content-Type: application/json`, exporter protocol `http/json`)",
      );
    }
    if (!format) {
      return problem(c, 415, "unsupported_media_type", "send OTLP/HTTP JSON (application/json), JSON lines (application/x-ndjson) or text/plain");
    }
    const minParam = c.req.query("min_level");
    const min: Level | null = minParam === undefined ? DEFAULT_MIN_LEVEL : levelFromName(minParam);
    if (!min) return problem(c, 400, "invalid_query", `min_level must be one of ${LEVELS.join(", ")}`, [{ field: "min_level", message: `unknown level ${minParam}` }]);

    const project = c.get("project");
    const body = await readLogBody(c.req.raw, MAX_BODY_BYTES);
    if (!body.ok) return problem(c, body.status, body.code, body.detail);
    if (!body.text.trim()) return problem(c, 400, "empty_body", "the body is empty; send at least one log entry");

    let entries: LogEntry[];
    if (format === "otlp") {
      const parsedJson = parseJson(body.text);
      if (!parsedJson.ok) return parsedJson.tooDeep ? unparsablyDeep(c) : problem(c, 400, "invalid_json", "the body is not valid JSON");
      const json = parsedJson.value;
      const deep = tooDeep(c, json);
      if (deep) return deep;
      if (!json || typeof json !== "object" || !("resourceLogs" in json)) {
        return problem(c, 400, "invalid_otlp", "application/json takes an OTLP ExportLogsServiceRequest (`resourceLogs`); send JSON lines as application/x-ndjson", [
          { field: "resourceLogs", message: "required" },
        ]);
      }
      const parsed = ExportLogsServiceRequest.safeParse(json);
      if (!parsed.success) {
        const errors = parsed.error.issues.slice(0, 20).map((i) => ({ field: fieldName(i.path), message: i.message }));
        return problem(c, 400, "invalid_otlp", `${errors[0].field}: ${errors[0].message}`, errors);
      }
      const tooMany = tooManyEvents(c, otlpRecordCount(parsed.data), "log records", "resourceLogs");
      if (tooMany) return tooMany;
      entries = parseOtlp(parsed.data);
    } else if (format === "ndjson") {
      const parsed = parseJsonLines(body.text, MAX_BATCH);
      if (parsed.ok) {
        const tooMany = tooManyEvents(c, parsed.entries.length, "lines", "body", false);
        if (tooMany) return tooMany;
      } else {
        const field = `line ${parsed.line}`;
        if (parsed.tooDeep) return problem(c, 400, "json_too_deep", `${field}: ${parsed.message}`, [{ field, message: parsed.message }]);
        return problem(c, 400, "invalid_json", `${field}: ${parsed.message}`, [{ field, message: parsed.message }]);
      }
      entries = parsed.entries;
    } else {
      entries = parseTextLines(body.text, MAX_BATCH);
      const tooMany = tooManyEvents(c, entries.length, "log entries", "body", false);
      if (tooMany) return tooMany;
    }

    // an entry with no text of its own (an OTLP record without body or attributes) is skipped, as is one below the level
    const kept = entries.filter((e) => !e.empty && passes(e, min));
    const admitted = admitSignals(c, await Promise.all(kept.map(entrySignal)), { blank: "skip", field: (i) => `entries[${i}]` });
    if (!admitted.ok) return admitted.response;
    const skipped = entries.length - kept.length + admitted.skipped;
    const recorded = await recordSignals(c, project, admitted.signals, { source: "logs", what: "batch", retryHint: "retry the request (entries with a time keep their ids)" });
    if (!recorded.ok) return recorded.response;
    const { result } = recorded;

    if (format === "otlp") {
      const reasons = [...new Set(result.signals.filter((s) => s.status === "dropped").map((s) => s.reason ?? "unsafe"))];
      const partialSuccess = result.dropped
        ? { partialSuccess: { rejectedLogRecords: result.dropped, errorMessage: `${result.dropped} log record(s) dropped by the safety classifier (${reasons.join(", ")})` } }
        : {};
      return c.json({ ...partialSuccess, ...result, skipped, received: entries.length, min_level: min }, 200);
    }
    return c.json({ ...result, skipped, received: entries.length, min_level: min }, 202);
  });

  return app;
}
