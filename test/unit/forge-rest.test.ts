// The local forge's REST subset (scripts/local/forge/rest/) driven through the
// Worker-side OctokitForge (workers/forge/github-rest.ts) against a real
// startLocalForge on one port, with real git pushes of the sample app.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitOk } from "./git-client";
import { basicAuthHeader } from "../../scripts/local/forge/basic-auth";
import { startLocalForge, type LocalForge } from "../../scripts/local/forge/local-forge";
import { ROUTES } from "../../scripts/local/forge/rest/handler";
import { openApi, requestBodyExamples, responseSchema, validateRequestBody, validateResponseBody, validationFailures } from "../../scripts/local/forge/rest/openapi";
import { makeSampleRepo, removeSampleRepo } from "../../scripts/local/make-sample-repo";
import { ForgeError } from "../../workers/forge/forge-client";
import { ForgeOctokit, jobIdFromDetailsUrl, OctokitForge, streamTail, toForgeError } from "../../workers/forge/github-rest";
import { localForgeClient } from "../../workers/forge/local-face";
import { forgeEvent, isForgeEvent } from "../../workers/ingest/sources/github/forge-events";

const TOKEN = "forge-rest-test-token-91ab";
const repo = { owner: "shop", repo: "sample-app" };
const BRANCH = "nightshift/rep_7";


const pushArgs = ["-c", `http.extraHeader=Authorization: ${basicAuthHeader(TOKEN)}`, "push", "--quiet", "origin"];

async function commit(clone: string, file: string, text: string, message: string): Promise<string> {
  writeFileSync(join(clone, file), text);
  await gitOk(clone, ["add", file]);
  await gitOk(clone, ["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", message]);
  return gitOk(clone, ["rev-parse", "HEAD"]);
}

async function expectForgeError(p: Promise<unknown>, reason: string, status: number): Promise<ForgeError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ForgeError);
  expect((e as ForgeError).reason).toBe(reason);
  expect((e as ForgeError).status).toBe(status);
  return e as ForgeError;
}

let work: string;
let sample: string;
let forge: LocalForge;
let client: OctokitForge;
let clone: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "forge-rest-test-"));
  sample = makeSampleRepo();
  forge = await startLocalForge({ root: join(work, "forge"), token: TOKEN });
  forge.createRepo(repo.owner, repo.repo, sample);
  client = localForgeClient({ url: forge.url, token: TOKEN });
  clone = join(work, "clone");
  await gitOk(work, ["clone", "--quiet", forge.repoUrl(repo.owner, repo.repo), clone]);
});

afterAll(async () => {
  await forge?.stop();
  if (sample) removeSampleRepo(sample);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("OctokitForge against the local forge", () => {
  it("runs the fix loop's forge calls end to end: PR, reviewers, labels, comments, feedback, checks, logs, push, merge", async () => {
    expect(client.face).toBe("local");
    expect(client.cloneUrl(repo)).toBe(forge.repoUrl(repo.owner, repo.repo));
    expect(await client.pushToken(repo)).toBe(TOKEN);

    const webhooks: { name: string; payload: { action?: string; pull_request?: { head?: { sha?: string }; merged?: boolean } } }[] = [];
    forge.events.on("webhook", (w) => webhooks.push(w));

    await gitOk(clone, ["switch", "--quiet", "-c", BRANCH]);
    const fix1 = await commit(clone, "FIX.md", "a fix\n", "fix: the coupon total");
    await gitOk(clone, [...pushArgs, BRANCH]);

    expect(await client.findOpenPull(repo, BRANCH)).toBeNull();
    const opened = await client.openDraftPull(repo, { title: "Fix coupon total", body: "Fixes rep_7", head: BRANCH, base: "main" });
    expect(opened).toMatchObject({ number: 1, headRef: BRANCH, headSha: fix1, baseRef: "main", draft: true, state: "open", merged: false, mergeCommitSha: null, author: "nightshift[bot]" });
    expect(opened.htmlUrl).toBe(`${forge.url}/shop/sample-app/pull/1`);
    expect(opened.url).toBe(`${forge.apiUrl}/repos/shop/sample-app/pulls/1`);
    expect(webhooks.find((w) => w.name === "pull_request")?.payload.action).toBe("opened");

    const found = await client.findOpenPull(repo, BRANCH);
    expect(found?.number).toBe(1);
    expect(await client.findOpenPull(repo, "nightshift/other")).toBeNull();
    // a second PR from the same head is refused as GitHub does
    await expectForgeError(client.openDraftPull(repo, { title: "again", body: "", head: BRANCH, base: "main" }), "validation_failed", 422);

    await client.updatePullBody(repo, 1, "Fixes rep_7\n\n## Tests\n- passing");
    await client.requestReviewers(repo, 1, { users: ["maya"], teams: ["checkout"] });
    await client.addLabels(repo, 1, ["nightshift", "bug"]);
    const pr = forge.store.getPull("shop", "sample-app", 1);
    expect(pr.body).toBe("Fixes rep_7\n\n## Tests\n- passing");
    expect(pr.requestedReviewers).toEqual(["maya"]);
    expect(pr.requestedTeams).toEqual(["checkout"]);
    expect(pr.labels).toEqual(["nightshift", "bug"]);

    const note = await client.comment(repo, 1, "Opened by nightshift.");
    expect(note.id).toBeGreaterThan(0);

    // a human reviewer, played through the store
    const maya = { login: "maya", association: "OWNER" };
    forge.store.addReview("shop", "sample-app", 1, { state: "CHANGES_REQUESTED", body: "Please also cover expired coupons.", comments: [{ path: "src/checkout/coupons.js", line: 12, body: "This misses the expiry check." }] }, maya);
    const lineComment = forge.store.listReviewComments("shop", "sample-app", 1)[0]!;
    const reply = await client.replyToReviewComment(repo, 1, lineComment.id, "Added the expiry check.");
    forge.store.addIssueComment("shop", "sample-app", 1, "Thanks!", { login: "tomas", association: "MEMBER" });

    const feedback = await client.feedback(repo, 1);
    expect(feedback.map((f) => [f.kind, f.author, f.authorAssociation])).toEqual([
      ["issue_comment", "nightshift[bot]", "NONE"],
      ["review", "maya", "OWNER"],
      ["review_comment", "maya", "OWNER"],
      ["review_comment", "nightshift[bot]", "NONE"],
      ["issue_comment", "tomas", "MEMBER"],
    ]);
    expect(feedback[1]).toMatchObject({ reviewState: "CHANGES_REQUESTED", body: "Please also cover expired coupons." });
    expect(feedback[2]).toMatchObject({ path: "src/checkout/coupons.js", line: 12, inReplyTo: null });
    expect(feedback[3]).toMatchObject({ id: reply.id, inReplyTo: lineComment.id, path: "src/checkout/coupons.js" });
    for (let i = 1; i < feedback.length; i++) expect(feedback[i - 1]!.createdAt <= feedback[i]!.createdAt).toBe(true);

    // the local CI: an Actions-style check run with a log
    const run = forge.store.createCheckRun("shop", "sample-app", { name: "test", head_sha: fix1, status: "in_progress" });
    expect((await client.checkRuns(repo, fix1)).map((c) => [c.name, c.status, c.conclusion])).toEqual([["test", "in_progress", null]]);
    expect(await client.checkRunLog(repo, run.id, 1000)).toBeNull(); // no log yet
    const log = "> node --test\n" + "ok 1 - totals\n".repeat(200) + "not ok 2 - coupon expiry\nFAIL\n";
    forge.store.completeCheckRun(run.id, { conclusion: "failure", output: { title: "1 test failed", summary: "coupon expiry", text: "not ok 2" } }, log);
    const runs = await client.checkRuns(repo, fix1);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: run.id, name: "test", status: "completed", conclusion: "failure", headSha: fix1, title: "1 test failed", summary: "coupon expiry", text: "not ok 2" });
    expect(jobIdFromDetailsUrl(runs[0]!.detailsUrl)).toBe(run.jobId);
    expect(await client.checkRunLog(repo, run.id, 1 << 20)).toBe(log);
    const tail = await client.checkRunLog(repo, run.id, 40);
    expect(tail).toBe(log.slice(-40));
    expect(tail).toContain("FAIL");
    // a third-party check (created through the API by the token's app) has no job log
    const api = new ForgeOctokit({ baseUrl: forge.apiUrl, auth: TOKEN });
    const third = await api.rest.checks.create({ ...repo, name: "lint", head_sha: fix1, status: "completed", conclusion: "success", output: { title: "ok", summary: "clean" } });
    expect(third.status).toBe(201);
    expect(third.data.app?.slug).toBe("nightshift");
    const thirdId = Number(third.data.id);
    expect(await client.checkRunLog(repo, thirdId, 1000)).toBeNull();
    expect((await client.checkRuns(repo, fix1)).map((c) => c.name).sort()).toEqual(["lint", "test"]);
    const patched = await api.rest.checks.update({ ...repo, check_run_id: thirdId, output: { title: "ok", summary: "still clean" } });
    expect(patched.data.output.summary).toBe("still clean");

    // a new push moves the PR's head (synchronize) before `git push` returns
    const fix2 = await commit(clone, "FIX.md", "a better fix\n", "fix: cover expired coupons");
    await gitOk(clone, [...pushArgs, BRANCH]);
    expect((await client.getPull(repo, 1)).headSha).toBe(fix2);
    expect(webhooks.some((w) => w.name === "pull_request" && w.payload.action === "synchronize" && w.payload.pull_request?.head?.sha === fix2)).toBe(true);
    expect(await client.checkRuns(repo, fix2)).toEqual([]);

    // the human merge
    const mainBefore = await gitOk(clone, ["ls-remote", "origin", "refs/heads/main"]);
    const merged = await forge.store.mergePull("shop", "sample-app", 1, maya);
    const after = await client.getPull(repo, 1);
    expect(after).toMatchObject({ state: "closed", merged: true, draft: false, headSha: fix2 });
    expect(after.mergeCommitSha).toBe(merged.mergeCommitSha);
    await gitOk(clone, ["fetch", "--quiet", "origin"]);
    expect(await gitOk(clone, ["rev-parse", "origin/main"])).toBe(after.mergeCommitSha);
    expect(await gitOk(clone, ["rev-parse", `${after.mergeCommitSha}^2`])).toBe(fix2);
    expect(mainBefore.split("\t")[0]).toBe(await gitOk(clone, ["rev-parse", `${after.mergeCommitSha}^1`]));
    expect(webhooks.some((w) => w.name === "pull_request" && w.payload.action === "closed" && w.payload.pull_request?.merged === true)).toBe(true);
    expect(await client.findOpenPull(repo, BRANCH)).toBeNull();

    // the emitted webhooks are what the Worker's GitHub ingest reads (workers/ingest/sources/github/forge-events.ts)
    const decisions = webhooks.filter((w) => isForgeEvent(w.name)).map((w) => ({ name: w.name, d: forgeEvent(w.name, w.payload) }));
    expect(decisions.filter((x) => x.d.kind === "invalid")).toEqual([]);
    const records = decisions.flatMap((x) => (x.d.kind === "record" ? [x.d.record] : []));
    expect(records.find((r) => r.event === "check_run")).toMatchObject({ repository: "shop/sample-app", pullRequest: 1, headSha: fix1, outcome: "failure" });
    expect(records.find((r) => r.event === "pull_request_review")).toMatchObject({ pullRequest: 1, outcome: "changes_requested" });
    expect(records.filter((r) => r.event === "pull_request_review_comment").length).toBeGreaterThanOrEqual(1);
    expect(records.filter((r) => r.event === "issue_comment").map((r) => r.pullRequest)).toContain(1);
  });

  it("answers a body that breaks GitHub's schema with 422 and counts it", async () => {
    const api = new ForgeOctokit({ baseUrl: forge.apiUrl, auth: TOKEN });
    const before = validationFailures();
    const e = await api
      .request("POST /repos/{owner}/{repo}/pulls", { ...repo, title: "t", head: BRANCH, base: "main", draft: "yes" } as never)
      .then(() => null, (err: { status: number; response: { data: { message: string; errors: string[]; documentation_url: string } } }) => err);
    expect(e?.status).toBe(422);
    expect(e?.response.data.message).toBe("Invalid request.");
    expect(e?.response.data.errors.join(" ")).toContain("/draft");
    expect(e?.response.data.documentation_url).toMatch(/^https:\/\/docs\.github\.com\//);
    expect(validationFailures()).toBe(before + 1);
    // mapped as the client maps it
    const patch = api.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: 1, state: "merged" } as never);
    await expectForgeError(patch.catch((err: unknown) => Promise.reject(toForgeError(err, "update pull"))), "validation_failed", 422);
    expect(validationFailures()).toBe(before + 2);
  });

  it("maps a wrong token to unauthorized, an unknown PR to not_found, an unreachable forge to network", async () => {
    const wrong = localForgeClient({ url: forge.url, token: "not-the-token" });
    await expectForgeError(wrong.getPull(repo, 1), "unauthorized", 401);
    const none = localForgeClient({ url: forge.url });
    await expectForgeError(none.findOpenPull(repo, BRANCH), "unauthorized", 401);
    await expectForgeError(client.getPull(repo, 999), "not_found", 404);
    await expectForgeError(client.comment(repo, 999, "hi"), "not_found", 404);
    await expectForgeError(client.getPull({ owner: "shop", repo: "no-such-repo" }, 1), "not_found", 404);
    const down = localForgeClient({ url: "http://127.0.0.1:1", token: TOKEN });
    const e = await expectForgeError(down.getPull(repo, 1), "network", 0);
    expect(e.retryable).toBe(true);
    expect(e.message).not.toContain(TOKEN);
  });

  it("answers unknown routes 404, oversized bodies 413, bad JSON 400, and paginates with Link", async () => {
    const auth = { authorization: `token ${TOKEN}` };
    const r404 = await fetch(`${forge.apiUrl}/repos/shop/sample-app/teleport`, { headers: auth });
    expect(r404.status).toBe(404);
    expect(await r404.json()).toMatchObject({ message: "Not Found" });
    const r404b = await fetch(`${forge.apiUrl}/repos/shop/sample-app/pulls/abc`, { headers: auth });
    expect(r404b.status).toBe(404);
    const big = await fetch(`${forge.apiUrl}/repos/shop/sample-app/issues/1/comments`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ body: "x".repeat(2 << 20) }),
    });
    expect(big.status).toBe(413);
    const badJson = await fetch(`${forge.apiUrl}/repos/shop/sample-app/issues/1/comments`, { method: "POST", headers: auth, body: "{nope" });
    expect(badJson.status).toBe(400);
    const bearer = await fetch(`${forge.apiUrl}/repos/shop/sample-app/pulls?state=all`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);

    // 5 comments at per_page=2: three pages, Link next/last, and the client reads them all
    await gitOk(clone, ["switch", "--quiet", "-c", "nightshift/paging", "main"]);
    await commit(clone, "PAGE.md", "p\n", "page");
    await gitOk(clone, [...pushArgs, "nightshift/paging"]);
    const pr = await client.openDraftPull(repo, { title: "paging", body: "", head: "nightshift/paging", base: "main" });
    // 205 comments: the raw API pages with Link; the client reads all three pages of 100
    for (let i = 0; i < 205; i++) forge.store.addIssueComment("shop", "sample-app", pr.number, `c${i}`, { login: "ben", association: "COLLABORATOR" });
    const page1 = await fetch(`${forge.apiUrl}/repos/shop/sample-app/issues/${pr.number}/comments?per_page=2`, { headers: auth });
    expect(((await page1.json()) as unknown[]).length).toBe(2);
    expect(page1.headers.get("link")).toContain('rel="next"');
    expect(page1.headers.get("link")).toContain("page=103");
    const all = await client.feedback(repo, pr.number);
    expect(all.map((f) => f.body)).toEqual(Array.from({ length: 205 }, (_, i) => `c${i}`));
    // a webhook listener that throws does not fail the call that changed state
    const boom = () => {
      throw new Error("webhook sender down");
    };
    forge.events.on("issue_comment", boom);
    try {
      const c = await client.comment(repo, pr.number, "still posted");
      expect(forge.store.listIssueComments("shop", "sample-app", pr.number).at(-1)?.id).toBe(c.id);
    } finally {
      forge.events.off("issue_comment", boom);
    }
    // a completed check run without a conclusion is refused and not kept
    const api = new ForgeOctokit({ baseUrl: forge.apiUrl, auth: TOKEN });
    const before = (await client.checkRuns(repo, pr.headSha)).length;
    await expectForgeError(api.rest.checks.create({ ...repo, name: "half", head_sha: pr.headSha, status: "completed" }).catch((e: unknown) => Promise.reject(toForgeError(e, "create"))), "validation_failed", 422);
    expect(await client.checkRuns(repo, pr.headSha)).toHaveLength(before);
    const capped = new OctokitForge({ face: "local", octokit: new ForgeOctokit({ baseUrl: forge.apiUrl, auth: TOKEN }), cloneBase: forge.url, pushToken: async () => TOKEN, maxPages: 2 });
    expect(await capped.feedback(repo, pr.number)).toHaveLength(200);
  });

  it("answers in the shapes of GitHub's documented response schemas", async () => {
    const pr = forge.store.getPull("shop", "sample-app", 1);
    const run = (await forge.store.listCheckRuns("shop", "sample-app", pr.headSha, { filter: "all" }))[0]
      ?? forge.store.createCheckRun("shop", "sample-app", { name: "test", head_sha: pr.headSha, status: "queued" });
    const lineComment = forge.store.listReviewComments("shop", "sample-app", 1)[0]!;
    const calls: [string, string, Record<string, string | number>, number, unknown?][] = [
      ["GET", "/repos/{owner}/{repo}/pulls/{pull_number}", { pull_number: 1 }, 200],
      ["GET", "/repos/{owner}/{repo}/pulls", {}, 200],
      ["GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", { issue_number: 1 }, 200],
      ["GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", { pull_number: 1 }, 200],
      ["GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments", { pull_number: 1 }, 200],
      ["GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", { ref: pr.headSha }, 200],
      ["GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}", { check_run_id: run.id }, 200],
      ["POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", { issue_number: 1 }, 200, { labels: ["shape"] }],
      ["POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", { issue_number: 1 }, 201, { body: "shape" }],
      ["POST", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", { pull_number: 1 }, 201, { reviewers: ["ben"] }],
      ["PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}", { pull_number: 1 }, 200, { body: "shape" }],
      ["POST", "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", { pull_number: 1, comment_id: lineComment.id }, 201, { body: "shape" }],
      ["POST", "/repos/{owner}/{repo}/check-runs", {}, 201, { name: "shape", head_sha: pr.headSha }],
      ["PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", { check_run_id: run.id }, 200, { status: "in_progress" }],
    ];
    const api = new ForgeOctokit({ baseUrl: forge.apiUrl, auth: TOKEN });
    for (const [method, template, params, status, body] of calls) {
      const res = await api.request(`${method} ${template}`, { ...repo, ...params, ...(body as object) });
      expect(res.status, `${method} ${template}`).toBe(status);
      expect(responseSchema(method, template, status), `${method} ${template} is documented`).not.toBeNull();
      expect(validateResponseBody(method, template, status, res.data), `${method} ${template}`).toEqual({ ok: true });
    }
  });

  it("computes mergeable as GitHub does: true, null after the base moved, false once a base commit conflicts", async () => {
    const branch = "nightshift/rep_conflict";
    await gitOk(clone, ["fetch", "--quiet", "origin"]);
    await gitOk(clone, ["switch", "--quiet", "-c", branch, "origin/main"]);
    const head = await commit(clone, "CONFLICT.md", "the fix's line\n", "fix: a line");
    await gitOk(clone, [...pushArgs, branch]);
    const pr = await client.openDraftPull(repo, { title: "conflicts", body: "", head: branch, base: "main" });
    const mainSha = (await gitOk(clone, ["rev-parse", "origin/main"])).trim();
    expect(await client.getPull(repo, pr.number)).toMatchObject({ headSha: head, baseSha: mainSha, mergeable: true });

    // a base commit elsewhere: still mergeable; the webhook's copy says null until someone reads the pull request
    const webhooks: { name: string; payload: { pull_request?: { mergeable?: unknown } } }[] = [];
    forge.events.on("webhook", (w) => webhooks.push(w));
    const other = await forge.store.commitToBranch("shop", "sample-app", "main", { "OTHER.md": "elsewhere\n" }, "docs: elsewhere");
    expect(forge.store.getPull("shop", "sample-app", pr.number).baseSha).toBe(other);
    expect(forge.store.pullJson(forge.store.repo("shop", "sample-app"), forge.store.getPull("shop", "sample-app", pr.number)).mergeable).toBeNull();
    expect(await client.getPull(repo, pr.number)).toMatchObject({ baseSha: other, mergeable: true });

    // the same file changed on the base: not mergeable, mergeable_state dirty, in GitHub's response shape
    const conflicting = await forge.store.commitToBranch("shop", "sample-app", "main", { "CONFLICT.md": "the base's line\n" }, "docs: the base's line");
    const dirty = await client.getPull(repo, pr.number);
    expect(dirty).toMatchObject({ baseSha: conflicting, headSha: head, mergeable: false });
    const api = new ForgeOctokit({ baseUrl: forge.apiUrl, auth: TOKEN });
    const raw = await api.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: pr.number });
    expect(raw.data).toMatchObject({ mergeable: false, mergeable_state: "dirty", base: { sha: conflicting } });
    expect(validateResponseBody("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200, raw.data)).toEqual({ ok: true });
    // the human merge refuses it, as GitHub's button would
    await expect(forge.store.mergePull("shop", "sample-app", pr.number)).rejects.toThrow("Merge conflict");
    // bad paths never reach git
    await expect(forge.store.commitToBranch("shop", "sample-app", "main", { "../escape": "x" }, "no")).rejects.toThrow("bad path");
    await expect(forge.store.commitToBranch("shop", "sample-app", "main", { ".git/config": "x" }, "no")).rejects.toThrow("bad path");
  });

  it("serves every route at a path template of GitHub's description", () => {
    const paths = openApi().paths;
    for (const r of ROUTES) expect(paths[r.template]?.[r.method.toLowerCase()], `${r.method} ${r.template}`).toBeDefined();
  });
});

describe("openapi request-body validator", () => {
  const PULLS = "/repos/{owner}/{repo}/pulls";
  it("accepts GitHub's documented example bodies for pulls.create and rejects a missing required field", () => {
    const examples = requestBodyExamples("post", PULLS);
    expect(examples.length).toBeGreaterThan(0);
    for (const ex of examples) expect(validateRequestBody("POST", PULLS, ex)).toEqual({ ok: true });
    const before = validationFailures();
    const missing = validateRequestBody("POST", PULLS, { title: "t", head: "a" });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors[0]).toMatchObject({ field: "/base", code: "missing_field" });
    expect(validationFailures()).toBe(before + 1);
  });

  it("resolves $refs, handles nullable, checks enums and date-times", () => {
    // checks.update: enum status, date-time completed_at
    const CR = "/repos/{owner}/{repo}/check-runs/{check_run_id}";
    expect(validateRequestBody("PATCH", CR, { status: "completed", conclusion: "success", completed_at: "2026-12-01T10:00:00Z" }).ok).toBe(true);
    expect(validateRequestBody("PATCH", CR, { conclusion: "great" }).ok).toBe(false);
    expect(validateRequestBody("PATCH", CR, { completed_at: "yesterday" }).ok).toBe(false);
    // issues.update: milestone is nullable (oneOf string|integer, nullable) and assignee nullable string
    const ISSUE = "/repos/{owner}/{repo}/issues/{issue_number}";
    expect(validateRequestBody("PATCH", ISSUE, { assignee: null, milestone: null }).ok).toBe(true);
    expect(validateRequestBody("PATCH", ISSUE, { assignee: 5 }).ok).toBe(false);
    // every request body of the description compiles ($refs into #/components resolved)
    let compiled = 0;
    for (const [path, item] of Object.entries(openApi().paths)) {
      for (const method of ["post", "patch", "put"]) if (item[method]) (validateRequestBody(method, path, undefined), compiled++);
    }
    expect(compiled).toBeGreaterThan(300);
  });
});

describe("error mapping", () => {
  /** a client whose every request gets `status` with `headers` and a GitHub error body */
  const answering = (status: number, headers: Record<string, string> = {}, message = "nope") =>
    new OctokitForge({
      face: "github",
      octokit: new ForgeOctokit({
        auth: "x",
        request: { fetch: async () => Response.json({ message, documentation_url: "https://docs.github.com/rest" }, { status, headers }) },
      }),
      cloneBase: "https://github.com",
      pushToken: async () => "x",
    });
  const cases: [number, Record<string, string>, string, string, boolean][] = [
    [401, {}, "Bad credentials", "unauthorized", false],
    [403, {}, "Resource not accessible by integration", "forbidden", false],
    [403, { "x-ratelimit-remaining": "0" }, "API rate limit exceeded", "rate_limited", true],
    [403, { "retry-after": "60" }, "You have exceeded a secondary rate limit", "rate_limited", true],
    [404, {}, "Not Found", "not_found", false],
    [409, {}, "Conflict", "conflict", false],
    [422, {}, "Validation Failed", "validation_failed", false],
    [429, {}, "Too many", "rate_limited", true],
    [500, {}, "Server Error", "server_error", true],
    [502, {}, "Bad gateway", "server_error", true],
    [451, {}, "Unavailable", "client_error", false],
  ];
  it.each(cases)("status %i %j → %s/%s", async (status, headers, message, reason, retryable) => {
    const e = await expectForgeError(answering(status, headers, message).getPull(repo, 1), reason, status);
    expect(e.retryable).toBe(retryable);
  });

  it("a response without the fields the client reads is bad_response", async () => {
    const odd = new OctokitForge({
      face: "github",
      octokit: new ForgeOctokit({ request: { fetch: async () => Response.json({ number: "one" }) } }),
      cloneBase: "https://github.com",
      pushToken: async () => "x",
    });
    await expectForgeError(odd.getPull(repo, 1), "bad_response", 0);
  });
});

describe("log tails", () => {
  it("keeps the last bytes of a stream at a character boundary", async () => {
    const text = "ä".repeat(10) + "end";
    const stream = (chunks: string[]) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (const s of chunks) c.enqueue(new TextEncoder().encode(s));
          c.close();
        },
      });
    expect(await streamTail(stream([text]), 1000)).toBe(text);
    // 6 bytes: "ä" is 2 bytes, so "äend" is 5; 6 would start mid-character and is cut to 5
    expect(await streamTail(stream(["äää", "ää", "end"]), 6)).toBe("äend");
    expect(await streamTail(stream(["aaaa", "bbbb", "cccc"]), 5)).toBe("bcccc");
    expect(await streamTail("hello", 0)).toBe("");
    expect(jobIdFromDetailsUrl("https://github.com/o/r/actions/runs/123/job/456?pr=1")).toBe(456);
    expect(jobIdFromDetailsUrl("https://ci.example.com/build/9")).toBeNull();
  });
});
