/**
 * GitHub webhooks through the real route: real payloads from
 * @octokit/webhooks-examples (test/fixtures/github), signed with
 * @octokit/webhooks-methods `sign`, the published signature vector, and the
 * forge-events listing.
 */
import { sign, verify } from "@octokit/webhooks-methods";
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import vector from "../fixtures/clients/github_signature_vector.json";
import checkRunFailure from "../fixtures/github/check_run.completed.failure.json";
import checkRunSuccess from "../fixtures/github/check_run.completed.success.json";
import checkSuiteSuccess from "../fixtures/github/check_suite.completed.success.json";
import issueComment from "../fixtures/github/issue_comment.created.json";
import issuesEdited from "../fixtures/github/issues.edited.json";
import issuesLabeled from "../fixtures/github/issues.labeled.json";
import issuesOpened from "../fixtures/github/issues.opened.json";
import issuesReopened from "../fixtures/github/issues.reopened.json";
import ping from "../fixtures/github/ping.json";
import reviewCommented from "../fixtures/github/pull_request_review.submitted.commented.json";
import reviewComment from "../fixtures/github/pull_request_review_comment.created.json";
import star from "../fixtures/github/star.created.json";
import workflowRunSuccess from "../fixtures/github/workflow_run.completed.success.json";
import { api, BASE, createProject } from "./helpers";

const SECRET = "test-webhook-secret-1234";

async function githubProject(id: string, secret: string | null = SECRET): Promise<string> {
  const key = await createProject(id);
  if (secret) {
    const res = await api(key, "/v1/project", { method: "PATCH", body: JSON.stringify({ github_webhook_secret: secret }) });
    expect(res.status).toBe(200);
  }
  return key;
}

interface HookOptions {
  delivery?: string | null;
  secret?: string;
  signature?: string | null;
  body?: string;
  contentType?: string;
}

async function hook(project: string, event: string, payload: unknown, o: HookOptions = {}): Promise<Response> {
  const body = o.body ?? JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": o.contentType ?? "application/json", "x-github-event": event, "user-agent": "GitHub-Hookshot/test" };
  const delivery = o.delivery === undefined ? crypto.randomUUID() : o.delivery;
  if (delivery !== null) headers["x-github-delivery"] = delivery;
  const signature = o.signature === undefined ? await sign(o.secret ?? SECRET, body) : o.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  return SELF.fetch(`${BASE}/github/webhooks/${project}`, { method: "POST", headers, body });
}

async function forgeRows(project: string) {
  const { results } = await env.DB.prepare("SELECT * FROM forge_events WHERE project_id = ? ORDER BY rowid").bind(project).all<Record<string, unknown>>();
  return results;
}

/** Waits for the queue consumer to store a signal. */
async function storedSignal(project: string, id: string) {
  for (let i = 0; i < 400; i++) {
    const row = await env.DB.prepare("SELECT * FROM signals WHERE project_id = ? AND id = ?").bind(project, id).first<Record<string, unknown>>();
    if (row) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`signal ${id} was never stored`);
}

const clone = <T>(x: T): T => structuredClone(x);

describe("GitHub webhook signatures", () => {
  it("the published GitHub test vector verifies with @octokit/webhooks-methods in workerd", async () => {
    expect(await verify(vector.secret, vector.body, vector.signature)).toBe(true);
    expect(await sign(vector.secret, vector.body)).toBe(vector.signature);
  });

  it("the route accepts the published vector's signature and refuses it changed by one digit", async () => {
    await githubProject("gh-vector", vector.secret);
    // the signature passes, so the route goes on to parse "Hello, World!" and says it is not JSON
    const good = await hook("gh-vector", "issues", null, { body: vector.body, signature: vector.signature });
    expect(good.status).toBe(400);
    expect(((await good.json()) as { code: string }).code).toBe("invalid_json");
    const last = vector.signature.slice(-1);
    const flipped = vector.signature.slice(0, -1) + (last === "0" ? "1" : "0");
    const bad = await hook("gh-vector", "issues", null, { body: vector.body, signature: flipped });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(((await bad.json()) as { code: string }).code).toBe("invalid_signature");
  });

  it("answers 401 for a missing, malformed or wrongly keyed signature and stores nothing", async () => {
    await githubProject("gh-badsig");
    const cases: [HookOptions, string][] = [
      [{ signature: null }, "missing_signature"],
      [{ signature: "sha256=not-hex" }, "invalid_signature"],
      [{ signature: "sha1=0123456789abcdef0123456789abcdef01234567" }, "invalid_signature"],
      [{ secret: "another-secret-entirely" }, "invalid_signature"],
    ];
    for (const [o, code] of cases) {
      const res = await hook("gh-badsig", "check_run", checkRunFailure, o);
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([401, code]);
    }
    // a body changed after signing
    const signature = await sign(SECRET, JSON.stringify(checkRunFailure));
    const tampered = await hook("gh-badsig", "check_run", null, { body: JSON.stringify({ ...checkRunFailure, action: "created" }), signature });
    expect(tampered.status).toBe(401);
    expect(await forgeRows("gh-badsig")).toEqual([]);
  });

  it("answers 404 for an unknown project and 409 webhook_secret_not_set when no secret is set", async () => {
    const unknown = await hook("gh-no-such-project", "ping", ping);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe("project_not_found");
    await githubProject("gh-nosecret", null);
    const res = await hook("gh-nosecret", "ping", ping);
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(((await res.json()) as { code: string }).code).toBe("webhook_secret_not_set");
  });

  it("needs the delivery id and a JSON or form content type", async () => {
    await githubProject("gh-headers");
    const noDelivery = await hook("gh-headers", "check_run", checkRunFailure, { delivery: null });
    expect([noDelivery.status, ((await noDelivery.json()) as { code: string }).code]).toEqual([400, "missing_delivery_id"]);
    const text = await hook("gh-headers", "check_run", checkRunFailure, { contentType: "text/plain" });
    expect([text.status, ((await text.json()) as { code: string }).code]).toEqual([415, "unsupported_media_type"]);
  });
});

describe("GitHub events", () => {
  it("answers a ping with 200", async () => {
    await githubProject("gh-ping");
    const res = await hook("gh-ping", "ping", ping);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ event: "ping", ok: true, zen: ping.zen, hook_id: ping.hook_id });
  });

  it("turns an opened issue into a signal with its title, body, repository and labels", async () => {
    await githubProject("gh-issue");
    const res = await hook("gh-issue", "issues", issuesOpened);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { event: string; signal: { accepted: number; signals: { id: string; status: string }[] } };
    const id = `github:issue:${issuesOpened.issue.id}`;
    expect(body.event).toBe("issues");
    expect(body.signal.accepted).toBe(1);
    expect(body.signal.signals).toEqual([{ id, status: "accepted" }]);

    const row = await storedSignal("gh-issue", id);
    expect(row).toMatchObject({ source_product: "github", source_type: "issue", weight: 1.5 });
    const content = row.content as string;
    expect(content.split("\n").slice(0, 2)).toEqual([`Title: ${issuesOpened.issue.title}`, `Body: ${issuesOpened.issue.body}`]);
    expect(content).toContain(`Repository: ${issuesOpened.repository.full_name}`);
    expect(content).toContain("Labels: bug");
    expect(row.timestamp).toBe(Date.parse(issuesOpened.issue.created_at));
    expect(JSON.parse(row.metadata as string)).toMatchObject({ repository: "Codertocat/Hello-World", issue_number: 1, action: "opened" });
  });

  it("gives an edit the opened issue's id, so it cannot count twice; a reopen counts once per delivery", async () => {
    await githubProject("gh-edit");
    const ids = async (r: Response) => ((await r.json()) as { signal: { signals: { id: string }[] } }).signal.signals.map((s) => s.id);
    const opened = await ids(await hook("gh-edit", "issues", issuesOpened));
    const edited = await ids(await hook("gh-edit", "issues", issuesEdited));
    expect(issuesEdited.issue.id).toBe(issuesOpened.issue.id);
    expect(edited).toEqual(opened);

    const reopenDelivery = crypto.randomUUID();
    const reopened = await ids(await hook("gh-edit", "issues", issuesReopened, { delivery: reopenDelivery }));
    const again = await ids(await hook("gh-edit", "issues", issuesReopened, { delivery: reopenDelivery }));
    expect(reopened).toEqual([`github:issue:${issuesReopened.issue.id}:reopened:${reopenDelivery}`]);
    expect(again).toEqual(reopened);
    const row = await storedSignal("gh-edit", reopened[0]);
    expect(row.content).toContain("reopened");
  });

  it("ignores issue actions that are not signals", async () => {
    await githubProject("gh-labeled");
    const res = await hook("gh-labeled", "issues", issuesLabeled);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ event: "issues", action: "labeled", ignored: expect.stringContaining("not a signal") });
  });

  it("records a failed check run for the fix loop, not as a signal", async () => {
    await githubProject("gh-check");
    const delivery = crypto.randomUUID();
    const res = await hook("gh-check", "check_run", checkRunFailure, { delivery });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ event: "check_run", action: "completed", recorded: { delivery_id: delivery, duplicate: false, outcome: "failure" } });
    const rows = await forgeRows("gh-check");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      delivery_id: delivery,
      event: "check_run",
      action: "completed",
      repository: "Codertocat/Hello-World",
      pull_request: 2,
      head_sha: checkRunFailure.check_run.head_sha,
      outcome: "failure",
    });
    expect(JSON.parse(rows[0].summary as string)).toMatchObject({ name: "Octocoders-linter", conclusion: "failure", url: checkRunFailure.check_run.html_url, pull_requests: [2] });
    const signals = await env.DB.prepare("SELECT COUNT(*) AS n FROM signals WHERE project_id = 'gh-check'").first<{ n: number }>();
    expect(signals?.n).toBe(0);
  });

  it("ignores CI that passed", async () => {
    await githubProject("gh-green");
    for (const [event, payload] of [["check_run", checkRunSuccess], ["check_suite", checkSuiteSuccess], ["workflow_run", workflowRunSuccess]] as const) {
      const res = await hook("gh-green", event, payload);
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ event, ignored: expect.stringContaining("not a CI failure") });
    }
    expect(await forgeRows("gh-green")).toEqual([]);
  });

  it("records a failed workflow run and check suite with their head SHA and pull request", async () => {
    await githubProject("gh-workflow");
    const run = clone(workflowRunSuccess);
    run.workflow_run.conclusion = "timed_out";
    const suite = clone(checkSuiteSuccess);
    suite.check_suite.conclusion = "failure";
    expect((await hook("gh-workflow", "workflow_run", run)).status).toBe(202);
    expect((await hook("gh-workflow", "check_suite", suite)).status).toBe(202);
    const rows = await forgeRows("gh-workflow");
    expect(rows.map((r) => [r.event, r.outcome, r.head_sha, r.pull_request])).toEqual([
      ["workflow_run", "timed_out", run.workflow_run.head_sha, 2],
      ["check_suite", "failure", suite.check_suite.head_sha, suite.check_suite.pull_requests[0]?.number ?? null],
    ]);
    expect(JSON.parse(rows[0].summary as string)).toMatchObject({ conclusion: "timed_out", url: run.workflow_run.html_url });
  });

  it("records a review that requests changes, with the reviewer and the body", async () => {
    await githubProject("gh-review");
    const review = clone(reviewCommented);
    review.review.state = "changes_requested";
    (review.review as { body: string | null }).body = "Please handle a null cart in computeTotals.";
    const res = await hook("gh-review", "pull_request_review", review);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ recorded: { duplicate: false, outcome: "changes_requested" } });
    const [row] = await forgeRows("gh-review");
    expect(row).toMatchObject({ event: "pull_request_review", action: "submitted", pull_request: review.pull_request.number, outcome: "changes_requested", head_sha: review.review.commit_id });
    expect(JSON.parse(row.summary as string)).toMatchObject({
      reviewer: review.review.user.login,
      state: "changes_requested",
      body: "Please handle a null cart in computeTotals.",
      url: review.review.html_url,
    });
  });

  it("records review comments and comments on a pull request, not comments on an issue", async () => {
    await githubProject("gh-comments");
    expect((await hook("gh-comments", "pull_request_review", reviewCommented)).status).toBe(202);
    expect((await hook("gh-comments", "pull_request_review_comment", reviewComment)).status).toBe(202);
    const onIssue = await hook("gh-comments", "issue_comment", issueComment);
    expect(await onIssue.json()).toMatchObject({ ignored: expect.stringContaining("not a pull request") });
    const onPr = clone(issueComment) as typeof issueComment & { issue: { pull_request?: { html_url: string } } };
    onPr.issue.pull_request = { html_url: "https://github.com/Codertocat/Hello-World/pull/1" };
    expect((await hook("gh-comments", "issue_comment", onPr)).status).toBe(202);
    const rows = await forgeRows("gh-comments");
    expect(rows.map((r) => [r.event, r.outcome, r.pull_request])).toEqual([
      ["pull_request_review", "commented", 2],
      ["pull_request_review_comment", "commented", 2],
      ["issue_comment", "commented", 1],
    ]);
    expect(JSON.parse(rows[1].summary as string)).toMatchObject({ path: "README.md", body: reviewComment.comment.body, author: "Codertocat" });
    expect(JSON.parse(rows[2].summary as string)).toMatchObject({ body: issueComment.comment.body, url: issueComment.comment.html_url });
  });

  it("accepts an unknown event with 202 and ignores it", async () => {
    await githubProject("gh-star");
    const res = await hook("gh-star", "star", star);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ event: "star", action: "created", ignored: expect.any(String) });
    expect(await forgeRows("gh-star")).toEqual([]);
  });

  it("stores the same delivery once", async () => {
    await githubProject("gh-redeliver");
    const delivery = crypto.randomUUID();
    const first = (await (await hook("gh-redeliver", "check_run", checkRunFailure, { delivery })).json()) as { recorded: { duplicate: boolean } };
    const second = (await (await hook("gh-redeliver", "check_run", checkRunFailure, { delivery })).json()) as { recorded: { duplicate: boolean } };
    expect([first.recorded.duplicate, second.recorded.duplicate]).toEqual([false, true]);
    expect(await forgeRows("gh-redeliver")).toHaveLength(1);
  });

  it("takes form-encoded deliveries (payload=…) signed over the raw form body", async () => {
    await githubProject("gh-form");
    const body = new URLSearchParams({ payload: JSON.stringify(checkRunFailure) }).toString();
    const res = await hook("gh-form", "check_run", null, { body, contentType: "application/x-www-form-urlencoded" });
    expect(res.status).toBe(202);
    expect(await forgeRows("gh-form")).toHaveLength(1);
  });

  it("refuses a signed payload without the fields the event needs", async () => {
    await githubProject("gh-invalid");
    const res = await hook("gh-invalid", "check_run", { action: "completed", check_run: { name: "x" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_payload");
  });
});

describe("GET /v1/forge-events", () => {
  it("lists the project's events newest first, filtered, and only to that project's key", async () => {
    const key = await githubProject("gh-list");
    const other = await githubProject("gh-list-other");
    const review = clone(reviewCommented);
    review.review.state = "changes_requested";
    const d1 = crypto.randomUUID();
    const d2 = crypto.randomUUID();
    await hook("gh-list", "check_run", checkRunFailure, { delivery: d1 });
    await hook("gh-list", "pull_request_review", review, { delivery: d2 });

    const res = await api(key, "/v1/forge-events");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { project: string; events: { delivery_id: string; event: string; outcome: string; summary: Record<string, unknown> }[] };
    expect(body.project).toBe("gh-list");
    expect(body.events.map((e) => [e.delivery_id, e.event, e.outcome])).toEqual([
      [d2, "pull_request_review", "changes_requested"],
      [d1, "check_run", "failure"],
    ]);
    expect(body.events[1].summary).toMatchObject({ name: "Octocoders-linter" });

    const filtered = (await (await api(key, "/v1/forge-events?event=check_run&pull_request=2&limit=5")).json()) as { events: { delivery_id: string }[] };
    expect(filtered.events.map((e) => e.delivery_id)).toEqual([d1]);
    const limited = (await (await api(key, "/v1/forge-events?limit=1")).json()) as { events: { delivery_id: string }[] };
    expect(limited.events.map((e) => e.delivery_id)).toEqual([d2]);

    const seenByOther = (await (await api(other, "/v1/forge-events")).json()) as { events: unknown[] };
    expect(seenByOther.events).toEqual([]);
    const anonymous = await SELF.fetch(`${BASE}/v1/forge-events`);
    expect(anonymous.status).toBe(401);
    const badLimit = await api(key, "/v1/forge-events?limit=0");
    expect([badLimit.status, ((await badLimit.json()) as { code: string }).code]).toEqual([400, "invalid_query"]);
  });
});
