/**
 * GitHub source adapter.
 *
 * `POST /github/webhooks/:project` takes a repository or organization webhook
 * (content type `application/json` or `application/x-www-form-urlencoded`),
 * signed with the project's `github_webhook_secret` (X-Hub-Signature-256,
 * checked with @octokit/webhooks-methods over the raw body before anything
 * is parsed). Unknown project → 404, no secret set → 409
 * `webhook_secret_not_set`, bad or missing signature → 401; the secret rests
 * sealed (admin/secret-box.ts): 503 `secrets_key_missing` without SECRETS_KEY.
 * - `ping` → 200.
 * - `issues` opened / edited / reopened → a signal (github/issues.ts says
 *   how ids keep edits from counting twice).
 * - failed CI (check_run, check_suite, workflow_run) and pull-request
 *   feedback (reviews, review comments, PR comments) → a `forge_events` row
 *   for the fix loop, once per delivery id; not a signal.
 * - any event about a pull request the fix loop opened (CI finished, the pull
 *   request closed or pushed, reviews and comments) also wakes its fix run
 *   (fix/wake.ts), which reads the forge again: `fix_run` in the answer.
 * - anything else (any well-formed event name, e.g. `projects_v2_item`) →
 *   202, ignored, with the reason, as GitHub expects a 2xx for every delivery.
 * The answer is 202 `{event, action, signal | recorded | ignored}`.
 *
 * `GET /v1/forge-events` (project key) lists the recorded events, newest
 * first; `?event=`, `?pull_request=`, `?repository=`, `?limit=` (1..200, 50).
 */
import { type Context, Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { openForRequest, secretContext } from "../../admin/secret-box";
import { readBody } from "../body";
import { projectById, type ProjectContext, requireFullKey } from "../auth";
import { parseJson } from "../json-limits";
import { admitSignals, ingestBodyLimit, type IngestEnv, ingestRateLimit, recordSignals, tooDeep, unparsablyDeep } from "../limits";
import { problem } from "../problem";
import { MAX_BODY_BYTES } from "../schema";
import { forgeEvent, isForgeEvent } from "./github/forge-events";
import { listForgeEvents, recordForgeEvent } from "./github/forge-store";
import { issueSignal } from "./github/issues";
import { IssuesPayload, PingPayload } from "./github/payloads";
import { verifyGithubSignature } from "./github/verify";
import { wakeFixRun } from "../../fix/wake";

/** X-GitHub-Delivery is a GUID; anything id-safe and short is accepted. */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;
/** GitHub's event names: lower case, digits and underscores (`projects_v2_item`). */
const EVENT_NAME = /^[a-z0-9_]{1,64}$/;

/** The project's webhook secret checked over the raw body; sets `project` (ingest scope: a signature authorizes sending signals, nothing more) and `body`. */
const authenticate = createMiddleware<IngestEnv>(async (c, next) => {
  const projectId = c.req.param("project") ?? "";
  const project = await projectById(c.env, projectId);
  if (!project) return problem(c, 404, "project_not_found", `no project ${projectId}`);
  if (!project.githubWebhookSecret) {
    return problem(c, 409, "webhook_secret_not_set", "set github_webhook_secret with PATCH /v1/project (the webhook's secret on GitHub) before sending deliveries");
  }
  // sealed at rest (legacy rows: plaintext, read as they are)
  const secret = await openForRequest(c.env, project.githubWebhookSecret, secretContext(project.id, "github_webhook_secret"));
  if (!secret.ok) return problem(c, secret.status, secret.code, secret.detail);
  const body = await readBody(c.req.raw, MAX_BODY_BYTES, { inflate: false });
  if (!body.ok) return problem(c, body.status, body.code, body.detail);
  // the signature covers these bytes; GitHub sends UTF-8
  const verdict = await verifyGithubSignature(secret.value, new TextDecoder().decode(body.bytes), c.req.header("x-hub-signature-256"));
  if (!verdict.ok) return problem(c, 401, verdict.code, verdict.detail);
  c.set("project", { id: project.id, name: project.name, promotionThreshold: project.promotionThreshold, scope: "ingest" });
  c.set("body", body.bytes);
  await next();
});

/** The JSON payload of a delivery: the body itself, or the `payload` field of a form post. */
function payloadText(contentType: string, raw: string): string | null {
  if (/^application\/json\b/i.test(contentType)) return raw;
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType)) return new URLSearchParams(raw).get("payload") ?? "";
  return null;
}

type DeliveryContext = Context<IngestEnv>;

/** The headers and payload of a delivery whose signature was checked: event, delivery id, the parsed JSON (bounded depth). */
export function parseDelivery(c: DeliveryContext, raw: string): { ok: true; event: string; deliveryId: string; payload: unknown } | { ok: false; response: Response } {
  const fail = (response: Response) => ({ ok: false as const, response });
  const event = c.req.header("x-github-event") ?? "";
  if (!EVENT_NAME.test(event)) return fail(problem(c, 400, "missing_event", "send the X-GitHub-Event header", [{ field: "X-GitHub-Event", message: "missing or malformed" }]));
  const deliveryId = c.req.header("x-github-delivery") ?? "";
  if (!DELIVERY_ID.test(deliveryId)) {
    return fail(problem(c, 400, "missing_delivery_id", "send the X-GitHub-Delivery header (it makes redeliveries safe)", [{ field: "X-GitHub-Delivery", message: "missing or malformed" }]));
  }
  const text = payloadText(c.req.header("content-type") ?? "", raw);
  if (text === null) return fail(problem(c, 415, "unsupported_media_type", "set the webhook's content type to application/json (or application/x-www-form-urlencoded)"));
  const parsedJson = parseJson(text);
  if (!parsedJson.ok) return fail(parsedJson.tooDeep ? unparsablyDeep(c, "payload") : problem(c, 400, "invalid_json", "the payload is not valid JSON"));
  const deep = tooDeep(c, parsedJson.value);
  if (deep) return fail(deep);
  return { ok: true, event, deliveryId, payload: parsedJson.value };
}

/** a payload's `action` (opened, completed, …), null when it has none */
export function actionOf(payload: unknown): string | null {
  return payload && typeof payload === "object" && typeof (payload as { action?: unknown }).action === "string" ? (payload as { action: string }).action : null;
}

/** What one project does with a delivery: ping, an issue signal, a forge event, a fix run woken; 202 (ping 200) or a problem. */
export async function handleDelivery(c: DeliveryContext, project: ProjectContext, event: string, payload: unknown, deliveryId: string): Promise<Response> {
  const action = actionOf(payload);
  if (event === "ping") {
    const ping = PingPayload.safeParse(payload);
    return c.json({ event, ok: true, ...(ping.success ? { zen: ping.data.zen ?? null, hook_id: ping.data.hook_id ?? null } : {}) }, 200);
  }

  if (event === "issues") {
    const parsed = IssuesPayload.safeParse(payload);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return problem(c, 400, "invalid_payload", `${i.path.join(".") || "payload"}: ${i.message}`);
    }
    const signal = issueSignal(parsed.data, deliveryId);
    if (!signal) return c.json({ event, action, ignored: `issues ${action} is not a signal (opened, edited and reopened are)` }, 202);
    const admitted = admitSignals(c, [signal], { blank: "skip", field: () => "issue" });
    if (!admitted.ok) return admitted.response;
    if (!admitted.signals.length) return c.json({ event, action, ignored: "the issue has no text" }, 202);
    const recorded = await recordSignals(c, project, admitted.signals, { source: "github", what: "issue signal", retryHint: "redeliver the webhook" });
    return recorded.ok ? c.json({ event, action, signal: recorded.result }, 202) : recorded.response;
  }

  // a pull request the fix loop opened: its fix run looks at the forge again
  const fixRun = await wakeFixRun(c.env, project.id, event, payload, deliveryId);
  const woke = fixRun ? { fix_run: fixRun } : {};

  if (isForgeEvent(event)) {
    const decision = forgeEvent(event, payload);
    if (decision.kind === "invalid") return problem(c, 400, "invalid_payload", decision.detail);
    if (decision.kind === "ignore") return c.json({ event, action, ignored: decision.reason, ...woke }, 202);
    const stored = await recordForgeEvent(c.env.DB, project.id, deliveryId, decision.record);
    return c.json({ event, action, recorded: { delivery_id: deliveryId, duplicate: !stored, outcome: decision.record.outcome }, ...woke }, 202);
  }

  if (fixRun) return c.json({ event, action, fix_run: fixRun }, 202);
  return c.json({ event, action, ignored: `${event} is not an event nightshift uses` }, 202);
}

export function githubRoutes() {
  const app = new Hono<IngestEnv>();

  app.post("/github/webhooks/:project", ingestBodyLimit, authenticate, ingestRateLimit, async (c) => {
    const project = c.get("project");
    const parsed = parseDelivery(c, new TextDecoder().decode(c.get("body")));
    if (!parsed.ok) return parsed.response;
    return handleDelivery(c, project, parsed.event, parsed.payload, parsed.deliveryId);
  });

  app.get("/v1/forge-events", requireFullKey, async (c) => {
    const q = c.req.query();
    const errors: { field: string; message: string }[] = [];
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) errors.push({ field: "limit", message: "an integer from 1 to 200" });
    const pullRequest = q.pull_request === undefined ? undefined : Number(q.pull_request);
    if (pullRequest !== undefined && (!Number.isInteger(pullRequest) || pullRequest < 1)) errors.push({ field: "pull_request", message: "a pull request number" });
    if (errors.length) return problem(c, 400, "invalid_query", `${errors[0].field}: ${errors[0].message}`, errors);
    const project = c.get("project");
    const events = await listForgeEvents(c.env.DB, project.id, { limit, pullRequest, event: q.event || undefined, repository: q.repository || undefined });
    return c.json({ project: project.id, events });
  });

  return app;
}
