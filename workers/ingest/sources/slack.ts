/**
 * Slack source: the Events API request URL `POST /slack/events/:project`.
 * The raw body is checked against the project's Slack signing secret (v0
 * signature, five-minute replay window; slack/verify.ts) before it is parsed.
 * Then `url_verification` echoes its challenge, and people's messages and
 * app mentions become signals (slack/event.ts). Slack wants a 200 within
 * three seconds and retries otherwise; the intake only classifies and
 * enqueues, and retries of an event carry the same id, so they are stored once.
 * Errors are problems: 404 unknown project, 409 no secret set, 401 signature
 * (`missing_signature`, `stale_timestamp`, `invalid_signature`), 413, 400, 503.
 */
import { Hono } from "hono";
import { readBody } from "../body";
import { type AppEnv, projectById } from "../auth";
import { acceptSignals, rateLimited } from "../intake";
import { problem } from "../problem";
import { MAX_BODY_BYTES } from "../schema";
import { slackOutcome } from "./slack/event";
import { verifySlackSignature } from "./slack/verify";

export interface SlackRouteOptions {
  /** the clock for the replay window, epoch ms (tests pin it) */
  now?: () => number;
}

export function slackRoutes(options: SlackRouteOptions = {}) {
  const app = new Hono<AppEnv>();
  const now = options.now ?? Date.now;

  app.post("/slack/events/:project", async (c) => {
    const row = await projectById(c.env, c.req.param("project"));
    if (!row) return problem(c, 404, "unknown_project", "no project with this id; use the project id in the Slack request URL");
    if (!row.slackSigningSecret) {
      return problem(c, 409, "slack_not_configured", "set the project's Slack signing secret first: PATCH /v1/project {slack_signing_secret}");
    }

    // the signature covers the bytes as sent
    const read = await readBody(c.req.raw, MAX_BODY_BYTES, { inflate: false });
    if (!read.ok) return problem(c, read.status, read.code, read.detail);
    const body = new TextDecoder().decode(read.bytes);

    const verdict = verifySlackSignature({
      signingSecret: row.slackSigningSecret,
      body,
      signature: c.req.header("x-slack-signature"),
      timestamp: c.req.header("x-slack-request-timestamp"),
      nowMs: now(),
    });
    if (!verdict.ok) return problem(c, 401, verdict.code, verdict.detail);

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return problem(c, 400, "invalid_json", "the Events API body is not JSON (slash commands and interactivity are not handled here)");
    }
    const outcome = slackOutcome(json);
    switch (outcome.kind) {
      case "challenge":
        return c.json({ challenge: outcome.challenge });
      case "invalid":
        return problem(c, 400, "invalid_payload", outcome.detail);
      case "ignored":
        return c.json({ ok: true, accepted: 0, ignored: outcome.reason });
      case "signal": {
        // a valid signature authorizes sending signals, nothing more
        const project = { id: row.id, name: row.name, promotionThreshold: row.promotionThreshold, scope: "ingest" as const };
        const limited = await rateLimited(c, project);
        if (limited) return limited;
        try {
          const result = await acceptSignals(c.env, project, [outcome.signal]);
          return c.json({ ok: true, accepted: result.accepted, dropped: result.dropped, signals: result.signals });
        } catch (e) {
          console.error("slack: could not record the event", e);
          return problem(c, 503, "enqueue_failed", "the event could not be recorded; Slack will retry it (same event id)", undefined, {
            "retry-after": "5",
          });
        }
      }
    }
  });

  return app;
}
