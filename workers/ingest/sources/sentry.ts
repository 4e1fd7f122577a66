/**
 * Sentry source: the ingest endpoints of a Sentry server, so the official
 * SDKs report to nightshift with the DSN `http(s)://<project API key>@<host>/<project id>`.
 * - `POST /api/:project/envelope/` — an envelope (gzip, deflate or plain;
 *   content type ignored, as SDKs send none or text/plain); `event` items
 *   become signals, every other item (transactions, sessions, attachments,
 *   client reports…) is skipped.
 * - `POST /api/:project/store/` — the older single-event JSON body.
 * Auth: the DSN key (sentry/key.ts) must be a valid project API key of `:project`
 * (401 missing/unknown, 403 another project's). The shared ingest limits
 * (limits.ts) apply: 413/415 before auth, 429 per project after it. Then 413
 * size (wire and decompressed) → 400 envelope shape → 413 more than 500 event
 * items → 400 event shape or nesting (`json_too_deep`). On success the answer
 * a Sentry server gives: 200 `{"id": "<event_id>"}` (`{}` without an event),
 * also when the safety tier dropped the event (intake records the drop);
 * 503 with Retry-After when the events could not be recorded.
 * The SDKs take a DSN only with a numeric project id and a key of word
 * characters; for other projects, point the SDK's `tunnel` option at
 * `/api/<project id>/envelope/?sentry_key=<key>` (the DSN is then a placeholder).
 */
import { Hono, type Context } from "hono";
import { createMiddleware } from "hono/factory";
import { projectByKey } from "../auth";
import { parseJson } from "../json-limits";
import { admitSignals, ingestBodyLimit, type IngestEnv, ingestRateLimit, recordSignals, tooDeep, tooManyEvents, unparsablyDeep } from "../limits";
import { problem } from "../problem";
import { MAX_BODY_BYTES } from "../schema";
import { readBody } from "../body";
import { EnvelopeError, parseEnvelope } from "./sentry/envelope";
import { eventToSignal, InvalidEventError, type MappedEvent } from "./sentry/event";
import { sentryKey } from "./sentry/key";

const CHALLENGE = { "www-authenticate": 'Sentry realm="nightshift", Bearer realm="nightshift"' };

type Ctx = Context<IngestEnv>;

/** Answers 401/403 unless the request's DSN key is an API key of `:project`; sets `project`. */
const authenticate = createMiddleware<IngestEnv>(async (c, next) => {
  const key = sentryKey({
    xSentryAuth: c.req.header("x-sentry-auth"),
    authorization: c.req.header("authorization"),
    query: c.req.query("sentry_key"),
  });
  if (!key) {
    return problem(c, 401, "missing_api_key", "use the project API key as the DSN key (sent as `sentry_key` or `X-Sentry-Auth`)", undefined, CHALLENGE);
  }
  const project = await projectByKey(c.env, key);
  if (!project) return problem(c, 401, "invalid_api_key", "the DSN key is unknown or revoked", undefined, CHALLENGE);
  if (project.id !== c.req.param("project")) {
    return problem(c, 403, "project_mismatch", "the DSN key belongs to another project; the DSN path must end with that project's id");
  }
  c.set("project", project);
  await next();
});

function invalidEvent(c: Ctx, e: InvalidEventError, where: string): Response {
  return problem(c, 400, "invalid_event", `${where}: ${e.message}`, [{ field: e.field, message: e.message }]);
}

/** Hands the events to intake and answers like Sentry: the (first) event id, or `{}`. */
async function accept(c: Ctx, events: MappedEvent[]): Promise<Response> {
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
  const admitted = admitSignals(
    c,
    unique.map((e) => e.signal),
    { blank: "skip", field: () => "event" },
  );
  if (!admitted.ok) return admitted.response;
  if (admitted.signals.length) {
    const recorded = await recordSignals(c, c.get("project"), admitted.signals, { source: "sentry", what: "events", retryHint: "the SDK may send it again" });
    if (!recorded.ok) return recorded.response;
  }
  return c.json(unique.length ? { id: unique[0].eventId } : {}, 200);
}

/** An event payload as JSON, checked for nesting; else the answer (`notJson` for a syntax error). */
function eventJson(c: Ctx, text: string, notJson: () => Response): { ok: true; json: unknown } | { ok: false; response: Response } {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, response: parsed.tooDeep ? unparsablyDeep(c, "event") : notJson() };
  const deep = tooDeep(c, parsed.value);
  return deep ? { ok: false, response: deep } : { ok: true, json: parsed.value };
}

async function envelope(c: Ctx): Promise<Response> {
  const body = await readBody(c.req.raw, MAX_BODY_BYTES);
  if (!body.ok) return problem(c, body.status, body.code, body.detail);
  let parsed;
  try {
    parsed = parseEnvelope(body.bytes);
  } catch (e) {
    if (e instanceof EnvelopeError) return problem(c, 400, "invalid_envelope", e.message);
    throw e;
  }
  const eventItems = parsed.items.filter((item) => item.type === "event");
  const tooMany = tooManyEvents(c, eventItems.length, "event items", "envelope");
  if (tooMany) return tooMany;
  const headerDeep = tooDeep(c, parsed.header, ["envelope"]);
  if (headerDeep) return headerDeep;
  const decoder = new TextDecoder();
  const events: MappedEvent[] = [];
  for (const [i, item] of parsed.items.entries()) {
    if (item.type !== "event") continue;
    const where = `item ${i + 1} (event)`;
    const json = eventJson(c, decoder.decode(item.payload), () =>
      problem(c, 400, "invalid_event", `${where}: the payload is not JSON`, [{ field: "event", message: "not JSON" }]),
    );
    if (!json.ok) return json.response;
    try {
      events.push(eventToSignal(json.json, { eventId: parsed.header.event_id, sdk: parsed.header.sdk }));
    } catch (e) {
      if (e instanceof InvalidEventError) return invalidEvent(c, e, where);
      throw e;
    }
  }
  return accept(c, events);
}

async function store(c: Ctx): Promise<Response> {
  const body = await readBody(c.req.raw, MAX_BODY_BYTES);
  if (!body.ok) return problem(c, body.status, body.code, body.detail);
  const json = eventJson(c, new TextDecoder().decode(body.bytes), () => problem(c, 400, "invalid_json", "the body is not valid JSON"));
  if (!json.ok) return json.response;
  let event: MappedEvent;
  try {
    event = eventToSignal(json.json);
  } catch (e) {
    if (e instanceof InvalidEventError) return invalidEvent(c, e, "the event");
    throw e;
  }
  return accept(c, [event]);
}

export function sentryRoutes() {
  const app = new Hono<IngestEnv>();
  // SDKs always send the trailing slash; accept the bare path too
  for (const path of ["/api/:project/envelope/", "/api/:project/envelope"]) app.post(path, ingestBodyLimit, authenticate, ingestRateLimit, envelope);
  for (const path of ["/api/:project/store/", "/api/:project/store"]) app.post(path, ingestBodyLimit, authenticate, ingestRateLimit, store);
  return app;
}
