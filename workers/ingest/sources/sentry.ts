/**
 * Sentry source: the ingest endpoints of a Sentry server, so the official
 * SDKs report to nightshift with the DSN `http(s)://<project API key>@<host>/<project id>`.
 * - `POST /api/:project/envelope/` — an envelope (gzip, deflate or plain;
 *   content type ignored, as SDKs send none or text/plain); `event` items
 *   become signals, every other item (transactions, sessions, attachments,
 *   client reports…) is skipped.
 * - `POST /api/:project/store/` — the older single-event JSON body.
 * Auth: the DSN key (sentry/key.ts) must be a valid project API key of `:project`
 * (401 missing/unknown, 403 another project's). Then 415 encoding → 413 size
 * (wire and decompressed) → 400 envelope/event shape. On success the answer a
 * Sentry server gives: 200 `{"id": "<event_id>"}` (`{}` without an event),
 * also when the safety tier dropped the event (intake records the drop);
 * 503 with Retry-After when the events could not be enqueued.
 * The SDKs take a DSN only with a numeric project id and a key of word
 * characters; for other projects, point the SDK's `tunnel` option at
 * `/api/<project id>/envelope/?sentry_key=<key>` (the DSN is then a placeholder).
 */
import { Hono, type Context } from "hono";
import { type AppEnv, projectByKey } from "../auth";
import { acceptSignals } from "../intake";
import { problem } from "../problem";
import { MAX_BODY_BYTES } from "../schema";
import { readBody } from "../body";
import { EnvelopeError, parseEnvelope, payloadJson } from "./sentry/envelope";
import { eventToSignal, InvalidEventError, type MappedEvent } from "./sentry/event";
import { sentryKey } from "./sentry/key";

const CHALLENGE = { "www-authenticate": 'Sentry realm="nightshift", Bearer realm="nightshift"' };

type Ctx = Context<AppEnv>;

/** Answers 401/403 unless the request's DSN key is an API key of `:project`; sets `project`. */
async function authenticate(c: Ctx): Promise<Response | null> {
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
  return null;
}

function invalidEvent(c: Ctx, e: InvalidEventError, where: string): Response {
  return problem(c, 400, "invalid_event", `${where}: ${e.message}`, [{ field: e.field, message: e.message }]);
}

/** Hands the events to intake and answers like Sentry: the (first) event id, or `{}`. */
async function accept(c: Ctx, events: MappedEvent[]): Promise<Response> {
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
  if (unique.length) {
    try {
      await acceptSignals(c.env, c.get("project"), unique.map((e) => e.signal));
    } catch (e) {
      console.error("sentry: could not record the events", e);
      return problem(c, 503, "enqueue_failed", "the event could not be recorded; the SDK may send it again", undefined, { "retry-after": "5" });
    }
  }
  return c.json(unique.length ? { id: unique[0].eventId } : {}, 200);
}

async function envelope(c: Ctx): Promise<Response> {
  const denied = await authenticate(c);
  if (denied) return denied;
  const body = await readBody(c.req.raw, MAX_BODY_BYTES);
  if (!body.ok) return problem(c, body.status, body.code, body.detail);
  let parsed;
  try {
    parsed = parseEnvelope(body.bytes);
  } catch (e) {
    if (e instanceof EnvelopeError) return problem(c, 400, "invalid_envelope", e.message);
    throw e;
  }
  const events: MappedEvent[] = [];
  for (const [i, item] of parsed.items.entries()) {
    if (item.type !== "event") continue;
    const where = `item ${i + 1} (event)`;
    let json: unknown;
    try {
      json = payloadJson(item);
    } catch {
      return problem(c, 400, "invalid_event", `${where}: the payload is not JSON`, [{ field: "event", message: "not JSON" }]);
    }
    try {
      events.push(eventToSignal(json, { eventId: parsed.header.event_id, sdk: parsed.header.sdk }));
    } catch (e) {
      if (e instanceof InvalidEventError) return invalidEvent(c, e, where);
      throw e;
    }
  }
  return accept(c, events);
}

async function store(c: Ctx): Promise<Response> {
  const denied = await authenticate(c);
  if (denied) return denied;
  const body = await readBody(c.req.raw, MAX_BODY_BYTES);
  if (!body.ok) return problem(c, body.status, body.code, body.detail);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body.bytes));
  } catch {
    return problem(c, 400, "invalid_json", "the body is not valid JSON");
  }
  let event: MappedEvent;
  try {
    event = eventToSignal(json);
  } catch (e) {
    if (e instanceof InvalidEventError) return invalidEvent(c, e, "the event");
    throw e;
  }
  return accept(c, [event]);
}

export function sentryRoutes() {
  const app = new Hono<AppEnv>();
  // SDKs always send the trailing slash; accept the bare path too
  app.post("/api/:project/envelope/", envelope);
  app.post("/api/:project/envelope", envelope);
  app.post("/api/:project/store/", store);
  app.post("/api/:project/store", store);
  return app;
}
