/**
 * PostHog source: the capture endpoints PostHog SDKs post to
 * (`/batch/` from posthog-node, `/e/`, `/i/v0/e/`, `/capture/` from
 * posthog-js), so an SDK only needs `host` pointed here and our project API
 * key as its token. `$exception` events, and the event names a project opts
 * into (`posthog_signal_events`), become signals; other events are counted as
 * ignored. Success answers like PostHog (`200 {"status": 1}`) plus our
 * counts; errors are problems: 400 malformed or nested deeper than 64
 * levels, 401 key, 413 size or more than 500 events, 429 over the project's
 * rate (limits.ts), 503 intake.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { Env } from "../../env";
import { type ProjectContext, projectById, projectByKey } from "../auth";
import { parseJson } from "../json-limits";
import { admitSignals, ingestBodyLimit, ingestRateLimit, recordSignals, tooDeep, tooManyEvents, unparsablyDeep } from "../limits";
import { problem } from "../problem";
import type { SignalInput } from "../schema";
import { readPostHogBody } from "./posthog/body";
import { parsePostHogPayload, type PostHogPayload, rawEventCount } from "./posthog/payload";
import { EXCEPTION_EVENT, eventSignal, exceptionSignal, signalEventNames } from "./posthog/signals";

export const POSTHOG_CAPTURE_PATHS = ["/batch", "/e", "/i/v0/e", "/capture", "/track"].flatMap((p) => [p, `${p}/`]);

type PostHogEnv = { Bindings: Env; Variables: { project: ProjectContext; posthog: PostHogPayload } };

/**
 * The PostHog token sits in the body (or the query), so authentication reads
 * the body: 413/415 body → 400 JSON, nesting → 413 more than 500 events →
 * 400 event shape → 401 key. Sets `project` and the parsed `posthog` payload.
 */
const authenticate = createMiddleware<PostHogEnv>(async (c, next) => {
  const body = await readPostHogBody(c.req.raw);
  if (!body.ok) return problem(c, body.status, body.code, body.detail);
  const parsed = parseJson(body.text);
  if (!parsed.ok) return parsed.tooDeep ? unparsablyDeep(c) : problem(c, 400, "invalid_json", "the body is not valid JSON (after decompression)");
  const json = parsed.value;
  const deep = tooDeep(c, json);
  if (deep) return deep;
  const tooMany = tooManyEvents(c, rawEventCount(json), "events", Array.isArray(json) ? "body" : "batch");
  if (tooMany) return tooMany;
  const query = new URL(c.req.url).searchParams;
  const payload = parsePostHogPayload(json, query.get("token") ?? query.get("api_key"));
  if (!payload.ok) return problem(c, 400, payload.code, payload.detail, payload.errors);

  const { apiKey } = payload.value;
  if (!apiKey) return problem(c, 401, "missing_api_key", "send the nightshift project API key as the PostHog token (`api_key`)");
  const project = await projectByKey(c.env, apiKey);
  if (!project) return problem(c, 401, "invalid_api_key", "the API key is unknown or revoked");
  c.set("project", project);
  c.set("posthog", payload.value);
  await next();
});

export function posthogRoutes() {
  const app = new Hono<PostHogEnv>();

  for (const path of POSTHOG_CAPTURE_PATHS) {
    // posthog-js posts from the browser, cross-origin
    app.use(path, cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], maxAge: 86400 }));
    app.post(path, ingestBodyLimit, authenticate, ingestRateLimit, async (c) => {
      const project = c.get("project");
      const { events, sentAt } = c.get("posthog");
      let extra: Set<string> | null = null;
      const signals: SignalInput[] = [];
      /** the index of the event each signal came from */
      const from: number[] = [];
      let ignored = 0;
      for (const [i, e] of events.entries()) {
        if (e.event === EXCEPTION_EVENT) {
          signals.push(await exceptionSignal(e, sentAt));
          from.push(i);
          continue;
        }
        extra ??= signalEventNames((await projectById(c.env, project.id))?.posthogSignalEvents);
        if (extra.has(e.event)) {
          signals.push(await eventSignal(e, sentAt));
          from.push(i);
        } else ignored++;
      }

      const admitted = admitSignals(c, signals, { blank: "skip", field: (i) => `events[${from[i]}]` });
      if (!admitted.ok) return admitted.response;
      ignored += admitted.skipped;
      if (!admitted.signals.length) return c.json({ status: 1, accepted: 0, dropped: 0, ignored });
      const recorded = await recordSignals(c, project, admitted.signals, { source: "posthog", what: "batch", retryHint: "retry it (event uuids make retries safe)" });
      if (!recorded.ok) return recorded.response;
      const { result } = recorded;
      return c.json({ status: 1, accepted: result.accepted, dropped: result.dropped, ignored, signals: result.signals });
    });
  }

  return app;
}
