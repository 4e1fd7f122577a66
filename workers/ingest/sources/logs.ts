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
 * naming the line; OTLP of the wrong shape 400 `invalid_otlp`.
 */
import { Hono } from "hono";
import { type AppEnv, requireProject } from "../auth";
import { acceptSignals, type IntakeResult, rateLimited } from "../intake";
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

const tooMany = (n: number, what: string) => `at most ${MAX_BATCH} ${what} per request, got ${n}`;

export function logsRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/v1/logs", requireProject, async (c) => {
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
    const limited = await rateLimited(c, project);
    if (limited) return limited;

    const body = await readLogBody(c.req.raw, MAX_BODY_BYTES);
    if (!body.ok) return problem(c, body.status, body.code, body.detail);
    if (!body.text.trim()) return problem(c, 400, "empty_body", "the body is empty; send at least one log entry");

    let entries: LogEntry[];
    if (format === "otlp") {
      let json: unknown;
      try {
        json = JSON.parse(body.text);
      } catch {
        return problem(c, 400, "invalid_json", "the body is not valid JSON");
      }
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
      const n = otlpRecordCount(parsed.data);
      if (n > MAX_BATCH) return problem(c, 413, "batch_too_large", tooMany(n, "log records"));
      entries = parseOtlp(parsed.data);
    } else if (format === "ndjson") {
      const n = body.text.split(/\r?\n/).filter((l) => l.trim()).length;
      if (n > MAX_BATCH) return problem(c, 413, "batch_too_large", tooMany(n, "lines"));
      const parsed = parseJsonLines(body.text);
      if (!parsed.ok) return problem(c, 400, "invalid_json", `line ${parsed.line}: ${parsed.message}`, [{ field: `line ${parsed.line}`, message: parsed.message }]);
      entries = parsed.entries;
    } else {
      entries = parseTextLines(body.text);
      if (entries.length > MAX_BATCH) return problem(c, 413, "batch_too_large", tooMany(entries.length, "log entries"));
    }

    const kept = entries.filter((e) => passes(e, min));
    const skipped = entries.length - kept.length;
    let result: IntakeResult;
    try {
      result = await acceptSignals(c.env, project, await Promise.all(kept.map(entrySignal)));
    } catch (e) {
      console.error("logs: could not record the batch", e);
      return problem(c, 503, "enqueue_failed", "the logs could not be recorded; retry the request (entries with a time keep their ids)", undefined, {
        "retry-after": "5",
      });
    }

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
