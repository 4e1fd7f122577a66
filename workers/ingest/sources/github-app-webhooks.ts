/**
 * The GitHub App's webhook: one URL and one secret for every installation
 * (GitHub Apps have a single webhook), where a repository webhook per project
 * would otherwise be needed:
 *
 *   POST /github/app/webhooks   signed with GITHUB_APP_WEBHOOK_SECRET (a Worker secret)
 *
 * The delivery's repository (`repository.html_url` / `clone_url`) finds the
 * projects connected to it (PATCH /v1/project `repository.url`, compared
 * case-insensitively, with or without `.git` or a trailing slash), and each
 * handles it exactly as its own `POST /github/webhooks/:project` would: an
 * issue becomes a signal, CI and review events are recorded for the fix
 * loop, a fix run's pull request wakes it. → 202 `{event, action, projects:
 * [{project, …its answer}]}` (ping 200); no project connected to the
 * repository, or an event about no repository (installation events) → 202
 * ignored, with the reason. No secret configured → 503
 * `app_webhook_not_configured`; a bad signature → 401, before anything is
 * parsed.
 */
import { Hono } from "hono";
import { readBody } from "../body";
import type { ProjectContext } from "../auth";
import { ingestBodyLimit, type IngestEnv } from "../limits";
import { problem } from "../problem";
import { MAX_BODY_BYTES } from "../schema";
import { actionOf, handleDelivery, parseDelivery } from "./github";
import { verifyGithubSignature } from "./github/verify";

/** at most this many projects take one delivery (a repository connected to more is a misconfiguration) */
const MAX_PROJECTS = 20;

export interface AppWebhookEnv {
  GITHUB_APP_WEBHOOK_SECRET?: string;
}

/** the URLs a project may have connected for the delivery's repository, lower case */
export function repositoryUrls(payload: unknown): string[] {
  const repo = payload && typeof payload === "object" ? (payload as { repository?: unknown }).repository : null;
  if (!repo || typeof repo !== "object") return [];
  const urls = new Set<string>();
  for (const key of ["html_url", "clone_url"] as const) {
    const v = (repo as Record<string, unknown>)[key];
    if (typeof v !== "string" || v.length > 500 || !/^https:\/\//i.test(v)) continue;
    const base = v.toLowerCase().replace(/\.git$/, "");
    for (const u of [base, `${base}.git`, `${base}/`]) urls.add(u);
  }
  return [...urls];
}

export function githubAppWebhookRoutes() {
  const app = new Hono<IngestEnv>();

  app.post("/github/app/webhooks", ingestBodyLimit, async (c) => {
    const secret = (c.env as AppWebhookEnv).GITHUB_APP_WEBHOOK_SECRET;
    if (!secret) return problem(c, 503, "app_webhook_not_configured", "set the GitHub App's webhook secret as GITHUB_APP_WEBHOOK_SECRET (wrangler secret put), or point repository webhooks at /github/webhooks/:project");
    const body = await readBody(c.req.raw, MAX_BODY_BYTES, { inflate: false });
    if (!body.ok) return problem(c, body.status, body.code, body.detail);
    const raw = new TextDecoder().decode(body.bytes);
    const verdict = await verifyGithubSignature(secret, raw, c.req.header("x-hub-signature-256"));
    if (!verdict.ok) return problem(c, 401, verdict.code, verdict.detail);
    const parsed = parseDelivery(c, raw);
    if (!parsed.ok) return parsed.response;
    const { event, payload, deliveryId } = parsed;
    const action = actionOf(payload);
    if (event === "ping") return c.json({ event, ok: true }, 200);
    const urls = repositoryUrls(payload);
    if (!urls.length) return c.json({ event, action, ignored: "the event names no repository" }, 202);
    const rows = await c.env.DB.prepare(
      `SELECT id, name, promotion_threshold FROM projects WHERE lower(repository_url) IN (${urls.map(() => "?").join(", ")}) ORDER BY id LIMIT ${MAX_PROJECTS}`,
    )
      .bind(...urls)
      .all<{ id: string; name: string; promotion_threshold: number }>();
    if (!rows.results.length) return c.json({ event, action, ignored: `no project is connected to ${urls[0]}` }, 202);
    const answers: Record<string, unknown>[] = [];
    for (const row of rows.results) {
      const project: ProjectContext = { id: row.id, name: row.name, promotionThreshold: row.promotion_threshold, scope: "ingest" };
      const res = await handleDelivery(c, project, event, payload, deliveryId);
      // the same payload fails the same way for every project: GitHub sees the first problem
      if (res.status >= 400) return res;
      answers.push({ project: row.id, ...((await res.json()) as Record<string, unknown>) });
    }
    return c.json({ event, action, projects: answers }, 202);
  });

  return app;
}
