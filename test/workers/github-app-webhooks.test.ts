/**
 * The GitHub App's one webhook (POST /github/app/webhooks) through the Worker:
 * signed with the App's secret, the delivery reaches every project connected
 * to its repository and each handles it as its own webhook would (an issue
 * becomes a signal in each; a CI failure is recorded for each); a repository
 * no project connected, a bad signature, a missing secret are answered with
 * reasons. Payloads are @octokit/webhooks-examples' (test/fixtures/github).
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { sign } from "@octokit/webhooks-methods";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import checkRunFailure from "../fixtures/github/check_run.completed.failure.json";
import issuesOpened from "../fixtures/github/issues.opened.json";
import { api, BASE, createProject, settled } from "./helpers";

const APP_SECRET = "test-app-webhook-secret";

async function appHook(event: string, payload: unknown, secret = APP_SECRET): Promise<Response> {
  const body = JSON.stringify(payload);
  return SELF.fetch(`${BASE}/github/app/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": crypto.randomUUID(), "x-hub-signature-256": await sign(secret, body) },
    body,
  });
}

async function connected(id: string, url: string): Promise<string> {
  const key = await createProject(id);
  expect((await api(key, "/v1/project", { method: "PATCH", body: JSON.stringify({ repository: { url } }) })).status).toBe(200);
  return key;
}

describe("the GitHub App's webhook", () => {
  it("hands a delivery to every project connected to its repository, as their own webhooks would", async () => {
    const repo = (issuesOpened as { repository: { html_url: string } }).repository.html_url;
    const a = await connected("app-hook-a", repo);
    const b = await connected("app-hook-b", `${repo.toLowerCase()}.git`);
    const other = await connected("app-hook-other", "https://github.com/acme/elsewhere");

    const res = await appHook("issues", issuesOpened);
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { event: string; projects: { project: string; signal?: { accepted: number } }[] };
    expect(answer.event).toBe("issues");
    expect(answer.projects.map((p) => p.project)).toEqual(["app-hook-a", "app-hook-b"]);
    for (const p of answer.projects) expect(p.signal?.accepted).toBe(1);
    for (const key of [a, b]) expect((await settled(key)).received).toBe(1);
    expect((await settled(other)).received).toBe(0);

    // a CI failure on the same repository: recorded for the fix loop in each project
    expect((checkRunFailure as { repository: { html_url: string } }).repository.html_url).toBe(repo);
    const ci = await appHook("check_run", checkRunFailure);
    expect(ci.status).toBe(202);
    const ciAnswer = (await ci.json()) as { projects: { project: string; recorded?: { duplicate: boolean } }[] };
    expect(ciAnswer.projects.map((p) => [p.project, p.recorded?.duplicate])).toEqual([["app-hook-a", false], ["app-hook-b", false]]);
    for (const project of ["app-hook-a", "app-hook-b", "app-hook-other"]) {
      const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM forge_events WHERE project_id = ?").bind(project).first<{ n: number }>();
      expect(n!.n, project).toBe(project === "app-hook-other" ? 0 : 1);
    }

    // no project connected, no repository at all, ping
    const elsewhere = await appHook("issues", { ...issuesOpened, repository: { ...issuesOpened.repository, html_url: "https://github.com/nobody/nothing", clone_url: "https://github.com/nobody/nothing.git" } });
    expect(elsewhere.status).toBe(202);
    expect(((await elsewhere.json()) as { ignored: string }).ignored).toContain("no project is connected to https://github.com/nobody/nothing");
    const installation = await appHook("installation", { action: "created", installation: { id: 1 } });
    expect(((await installation.json()) as { ignored: string }).ignored).toBe("the event names no repository");
    expect((await appHook("ping", { zen: "Keep it logically awesome.", hook_id: 1 })).status).toBe(200);
  });

  it("refuses a bad signature, malformed headers, and answers 503 without the App's secret", async () => {
    const bad = await appHook("issues", issuesOpened, "not-the-app-secret");
    expect(bad.status).toBe(401);
    const noEvent = await SELF.fetch(`${BASE}/github/app/webhooks`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": await sign(APP_SECRET, "{}") }, body: "{}" });
    expect(noEvent.status).toBe(400);
    expect(((await noEvent.json()) as { code: string }).code).toBe("missing_event");
    // the same Worker without the secret configured
    const body = JSON.stringify(issuesOpened);
    const req = new Request(`${BASE}/github/app/webhooks`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": crypto.randomUUID(), "x-hub-signature-256": await sign(APP_SECRET, body) }, body });
    const ctx = createExecutionContext();
    const res = await worker.fetch(req, { ...env, GITHUB_APP_WEBHOOK_SECRET: undefined }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe("app_webhook_not_configured");
  });
});
