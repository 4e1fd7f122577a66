/**
 * PostHog source: the capture endpoints PostHog SDKs post to
 * (`/batch/` from posthog-node, `/e/`, `/i/v0/e/`, `/capture/` from
 * posthog-js), so an SDK only needs `host` pointed here and our project API
 * key as its token. `$exception` events, and the event names a project opts
 * into (`posthog_signal_events`), become signals; other events are counted as
 * ignored. Success answers like PostHog (`200 {"status": 1}`) plus our
 * counts; errors are problems: 400 malformed, 401 key, 413 size, 503 intake.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { type AppEnv, projectById, projectByKey } from "../auth";
import { acceptSignals } from "../intake";
import { problem } from "../problem";
import type { SignalInput } from "../schema";
import { readPostHogBody } from "./posthog/body";
import { parsePostHogPayload } from "./posthog/payload";
import { EXCEPTION_EVENT, eventSignal, exceptionSignal, signalEventNames } from "./posthog/signals";

export const POSTHOG_CAPTURE_PATHS = ["/batch", "/e", "/i/v0/e", "/capture", "/track"].flatMap((p) => [p, `${p}/`]);

export function posthogRoutes() {
  const app = new Hono<AppEnv>();

  for (const path of POSTHOG_CAPTURE_PATHS) {
    // posthog-js posts from the browser, cross-origin
    app.use(path, cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], maxAge: 86400 }));
    app.post(path, async (c) => {
      const body = await readPostHogBody(c.req.raw);
      if (!body.ok) return problem(c, body.status, body.code, body.detail);
      let json: unknown;
      try {
        json = JSON.parse(body.text);
      } catch {
        return problem(c, 400, "invalid_json", "the body is not valid JSON (after decompression)");
      }
      const query = new URL(c.req.url).searchParams;
      const payload = parsePostHogPayload(json, query.get("token") ?? query.get("api_key"));
      if (!payload.ok) return problem(c, 400, payload.code, payload.detail, payload.errors);

      const { apiKey, events, sentAt } = payload.value;
      if (!apiKey) return problem(c, 401, "missing_api_key", "send the nightshift project API key as the PostHog token (`api_key`)");
      const project = await projectByKey(c.env, apiKey);
      if (!project) return problem(c, 401, "invalid_api_key", "the API key is unknown or revoked");

      let extra: Set<string> | null = null;
      const signals: SignalInput[] = [];
      let ignored = 0;
      for (const e of events) {
        if (e.event === EXCEPTION_EVENT) {
          signals.push(await exceptionSignal(e, sentAt));
          continue;
        }
        extra ??= signalEventNames((await projectById(c.env, project.id))?.posthogSignalEvents);
        if (extra.has(e.event)) signals.push(await eventSignal(e, sentAt));
        else ignored++;
      }

      if (!signals.length) return c.json({ status: 1, accepted: 0, dropped: 0, ignored });
      try {
        const result = await acceptSignals(c.env, project, signals);
        return c.json({ status: 1, accepted: result.accepted, dropped: result.dropped, ignored, signals: result.signals });
      } catch (e) {
        console.error("posthog: could not record the batch", e);
        return problem(c, 503, "enqueue_failed", "the batch could not be recorded; retry it (event uuids make retries safe)", undefined, {
          "retry-after": "5",
        });
      }
    });
  }

  return app;
}
