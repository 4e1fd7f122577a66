/**
 * Slack source: the Events API request URL `POST /slack/events/:project`.
 * The raw body is checked against the project's Slack signing secret (v0
 * signature, five-minute replay window; slack/verify.ts) before it is parsed.
 * Then `url_verification` echoes its challenge, and people's messages and
 * app mentions become signals (slack/event.ts). Slack wants a 200 within
 * three seconds and retries otherwise; the intake only classifies and
 * enqueues, and retries of an event carry the same id, so they are stored once.
 * Errors are problems: 404 unknown project, 409 no secret set, 401 signature
 * (`missing_signature`, `stale_timestamp`, `invalid_signature`), 429 over the
 * project's rate, 413, 400 (also JSON nested deeper than 64 levels), 503
 * (also `secrets_key_missing`: the sealed secret needs SECRETS_KEY), 500
 * `secret_unreadable` (sealed under another key).
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { readBody } from "../body";
import { openForRequest, secretContext } from "../../admin/secret-box";
import { projectById } from "../auth";
import { parseJson } from "../json-limits";
import { admitSignals, ingestBodyLimit, type IngestEnv, ingestRateLimit, recordSignals, tooDeep, unparsablyDeep } from "../limits";
import { problem } from "../problem";
import { MAX_BODY_BYTES } from "../schema";
import { boundedSignalId } from "../signal-id";
import { slackOutcome } from "./slack/event";
import { verifySlackSignature } from "./slack/verify";

export interface SlackRouteOptions {
  /** the clock for the replay window, epoch ms (tests pin it) */
  now?: () => number;
}

export function slackRoutes(options: SlackRouteOptions = {}) {
  const app = new Hono<IngestEnv>();
  const now = options.now ?? Date.now;

  /** The project's signing secret checked over the raw body; sets `project` (ingest scope: a signature authorizes sending signals, nothing more) and `body`. */
  const authenticate = createMiddleware<IngestEnv>(async (c, next) => {
    const row = await projectById(c.env, c.req.param("project") ?? "");
    if (!row) return problem(c, 404, "unknown_project", "no project with this id; use the project id in the Slack request URL");
    if (!row.slackSigningSecret) {
      return problem(c, 409, "slack_not_configured", "set the project's Slack signing secret first: PATCH /v1/project {slack_signing_secret}");
    }
    // sealed at rest (legacy rows: plaintext, read as they are)
    const secret = await openForRequest(c.env, row.slackSigningSecret, secretContext(row.id, "slack_signing_secret"));
    if (!secret.ok) return problem(c, secret.status, secret.code, secret.detail);
    // the signature covers the bytes as sent
    const read = await readBody(c.req.raw, MAX_BODY_BYTES, { inflate: false });
    if (!read.ok) return problem(c, read.status, read.code, read.detail);
    const verdict = await verifySlackSignature({
      signingSecret: secret.value,
      body: new TextDecoder().decode(read.bytes),
      signature: c.req.header("x-slack-signature"),
      timestamp: c.req.header("x-slack-request-timestamp"),
      nowMs: now(),
    });
    if (!verdict.ok) return problem(c, 401, verdict.code, verdict.detail);
    c.set("project", { id: row.id, name: row.name, promotionThreshold: row.promotionThreshold, scope: "ingest" });
    c.set("body", read.bytes);
    await next();
  });

  app.post("/slack/events/:project", ingestBodyLimit, authenticate, ingestRateLimit, async (c) => {
    const parsed = parseJson(new TextDecoder().decode(c.get("body")));
    if (!parsed.ok) {
      return parsed.tooDeep
        ? unparsablyDeep(c)
        : problem(c, 400, "invalid_json", "the Events API body is not JSON (slash commands and interactivity are not handled here)");
    }
    const deep = tooDeep(c, parsed.value);
    if (deep) return deep;
    const outcome = slackOutcome(parsed.value);
    switch (outcome.kind) {
      case "challenge":
        return c.json({ challenge: outcome.challenge });
      case "invalid":
        return problem(c, 400, "invalid_payload", outcome.detail);
      case "ignored":
        return c.json({ ok: true, accepted: 0, ignored: outcome.reason });
      case "signal": {
        // `slack:<team>:<channel>:<ts>` from a long or odd team or channel id is hashed, not dead-lettered later
        const signal = { ...outcome.signal, id: await boundedSignalId("slack", outcome.signal.id ?? "") };
        const admitted = admitSignals(c, [signal], { blank: "skip", field: () => "event" });
        if (!admitted.ok) return admitted.response;
        if (!admitted.signals.length) return c.json({ ok: true, accepted: 0, ignored: "empty_message" });
        const recorded = await recordSignals(c, c.get("project"), admitted.signals, { source: "slack", what: "event", retryHint: "Slack will retry it (same event id)" });
        if (!recorded.ok) return recorded.response;
        const { result } = recorded;
        return c.json({ ok: true, accepted: result.accepted, dropped: result.dropped, signals: result.signals });
      }
    }
  });

  return app;
}
