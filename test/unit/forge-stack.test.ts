// The local forge stack end to end: the local forge (git + REST), the local CI on its
// pushes with check runs kept in the forge's store, and one signed webhook relay to a
// node:http receiver standing in for nightshift's POST /github/webhooks/:project.
// Real git pushes with the token, a PR opened through the REST API, a push that breaks
// a test. Every wait is stack.idle() or a poll; nothing depends on the machine's speed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verify } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitOk } from "./git-client";
import type { WebhookResult } from "../../scripts/local/ci/webhook-sender";
import { basicAuthHeader } from "../../scripts/local/forge/basic-auth";
import { startForgeStack, type ForgeStack } from "../../scripts/local/forge-stack";
import { COMMITS, makeSampleRepo, removeSampleRepo, REVISIONS, SAMPLE_BUGS } from "../../scripts/local/make-sample-repo";
import { forgeEvent, isForgeEvent } from "../../workers/ingest/sources/github/forge-events";
import {
  CheckRunPayload,
  CheckSuitePayload,
  IssueCommentPayload,
  PullRequestReviewCommentPayload,
  PullRequestReviewPayload,
  WorkflowRunPayload,
} from "../../workers/ingest/sources/github/payloads";

const SECRET = "forge-stack-webhook-secret";
const TOKEN = "forge-stack-token-91d2";
const OWNER = "shop";
const REPO = "sample-app";
const OFFLINE = "offline-app";
const BRANCH = "nightshift/rep_stack";

interface Delivery {
  event: string;
  action: string | null;
  delivery: string;
  verified: boolean;
  path: string;
  payload: any;
}

const SCHEMAS: Record<string, { safeParse(v: unknown): { success: boolean } }> = {
  check_run: CheckRunPayload,
  check_suite: CheckSuitePayload,
  workflow_run: WorkflowRunPayload,
  pull_request_review: PullRequestReviewPayload,
  pull_request_review_comment: PullRequestReviewCommentPayload,
  issue_comment: IssueCommentPayload,
};

const git = (cwd: string, args: string[]) => gitOk(cwd, args);
const push = (cwd: string, ...args: string[]) => git(cwd, ["-c", `http.extraHeader=Authorization: ${basicAuthHeader(TOKEN)}`, "push", "--quiet", "origin", ...args]);

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let work: string;
let sample: string;
let stack: ForgeStack;
let receiver: Server;
let receiverUrl: string;
let deadUrl: string;
let clone: string;
let greenSha: string;
let mainSha: string;
/** deliveries the receiver answered (recorded when answered) */
const deliveries: Delivery[] = [];
const results: { event: string; action: string | null; result: WebhookResult }[] = [];
const logs: string[] = [];
/** event names whose deliveries the receiver holds until released */
const hold = new Map<string, (() => void)[]>();
const held: string[] = [];

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.apiUrl}${path}`, { ...init, headers: { authorization: `token ${TOKEN}`, accept: "application/vnd.github+json", "content-type": "application/json", ...(init.headers ?? {}) } });
const seen = () => deliveries.map((d) => `${d.event}${d.action ? `.${d.action}` : ""}`);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "forge-stack-test-"));
  sample = makeSampleRepo();
  mainSha = await git(sample, ["rev-parse", "HEAD"]);
  const lines = (await git(sample, ["log", "--format=%H %s"])).split("\n");
  // the last commit before the sample app's bugs: all of its tests pass, and none is marked as a known bug
  // yet (main passes too, with the bug tests as # TODO), so a bug pushed onto it fails its test for real
  greenSha = lines.find((l) => l.endsWith(` ${COMMITS[7].message}`))!.split(" ")[0];

  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const event = String(req.headers["x-github-event"] ?? "");
      const verified = await verify(SECRET, body, String(req.headers["x-hub-signature-256"] ?? ""));
      const payload = JSON.parse(body);
      const answer = (r: ServerResponse) => {
        deliveries.push({ event, action: payload.action ?? null, delivery: String(req.headers["x-github-delivery"] ?? ""), verified, path: req.url ?? "", payload });
        r.writeHead(verified ? 202 : 401, { "content-type": "application/json" }).end("{}");
      };
      const gate = hold.get(event);
      if (gate) {
        held.push(event);
        gate.push(() => answer(res));
      } else answer(res);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/github/webhooks/proj_stack`;
  // a port nobody listens on: the "receiver that is down"
  const gone = createServer();
  await new Promise<void>((r) => gone.listen(0, "127.0.0.1", () => r()));
  deadUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/github/webhooks/proj_down`;
  await new Promise<void>((r) => gone.close(() => r()));

  stack = await startForgeStack({
    root: join(work, "forge"),
    token: TOKEN,
    webhook: { url: (_o, repo) => (repo === OFFLINE ? deadUrl : receiverUrl), secret: () => SECRET },
    testCommand: (owner, repo) => (owner === OWNER && repo === REPO ? "npm test" : null),
    delivery: { retries: 2, backoffMs: 20 },
    onDelivery: (event, action, result) => void results.push({ event, action, result }),
    log: (line) => void logs.push(line),
    ciTmpRoot: join(work, "ci-tmp"),
  });
  stack.createRepo(OWNER, REPO, sample);
  stack.createRepo(OWNER, OFFLINE, sample);
  clone = join(work, "clone");
  await git(work, ["clone", "--quiet", stack.repoUrl(OWNER, REPO), clone]);
}, 120_000);

afterAll(async () => {
  for (const gate of hold.values()) for (const release of gate) release();
  hold.clear();
  await stack?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  if (sample) removeSampleRepo(sample);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("local forge stack", () => {
  let prNumber: number;
  let redSha: string;

  it("a pushed branch, a PR through the REST API, a push that breaks a test: webhooks in order, once each, signed", async () => {
    await git(clone, ["switch", "--quiet", "-c", BRANCH, greenSha]);
    await push(clone, BRANCH);
    await stack.idle();
    // no PR yet: the push and the green CI run
    expect(seen()).toEqual(["push", "check_run.created", "check_run.completed", "check_suite.completed", "workflow_run.completed"]);
    expect(deliveries[0].payload).toMatchObject({ ref: `refs/heads/${BRANCH}`, after: greenSha, created: true, deleted: false, repository: { full_name: `${OWNER}/${REPO}` } });
    expect(deliveries[0].payload.head_commit).toMatchObject({ id: greenSha, message: COMMITS[7].message });
    expect(deliveries[2].payload.check_run).toMatchObject({ conclusion: "success", head_sha: greenSha, pull_requests: [] });

    const opened = await api(`/repos/${OWNER}/${REPO}/pulls`, { method: "POST", body: JSON.stringify({ title: "Fix the CSV export", head: BRANCH, base: "main", draft: true }) });
    expect(opened.status).toBe(201);
    prNumber = ((await opened.json()) as { number: number }).number;
    await stack.idle();

    const bug = SAMPLE_BUGS.find((b) => b.id === "csv-export-latin1")!;
    const change = REVISIONS.find((r) => r.file === bug.file && "after" in r) as { after: string; before: string };
    const file = join(clone, bug.file);
    const text = readFileSync(file, "utf8");
    expect(text).toContain(change.before);
    writeFileSync(file, text.replace(change.before, change.after));
    await git(clone, ["-c", "commit.gpgsign=false", "commit", "--quiet", "-am", "reports: latin1 export"]);
    redSha = await git(clone, ["rev-parse", "HEAD"]);
    const before = deliveries.length;
    await push(clone, BRANCH);
    await stack.idle();

    const later = deliveries.slice(before);
    expect(seen().slice(before)).toEqual(["push", "pull_request.synchronize", "check_run.created", "check_run.completed", "check_suite.completed", "workflow_run.completed"]);
    expect(seen()[before - 1]).toBe("pull_request.opened");
    const openedHook = deliveries[before - 1].payload;
    expect(openedHook).toMatchObject({ number: prNumber, pull_request: { number: prNumber, draft: true, head: { ref: BRANCH, sha: greenSha } } });
    expect(later[1].payload).toMatchObject({ number: prNumber, before: greenSha, after: redSha, pull_request: { head: { sha: redSha } } });

    const created = later[2].payload.check_run;
    const completed = later[3].payload.check_run;
    expect(created).toMatchObject({ status: "in_progress", conclusion: null, head_sha: redSha, name: "test", app: { slug: "github-actions" } });
    expect(completed).toMatchObject({ id: created.id, status: "completed", conclusion: "failure", head_sha: redSha });
    expect(completed.pull_requests).toEqual([expect.objectContaining({ number: prNumber, head: expect.objectContaining({ ref: BRANCH, sha: redSha }) })]);
    expect(completed.output.text).toContain(bug.failingTest);
    expect(completed.check_suite).toMatchObject({ head_branch: BRANCH, head_sha: redSha });
    // one set of ids: the check run's suite, the workflow run, the details_url
    const suite = later[4].payload.check_suite;
    const run = later[5].payload.workflow_run;
    expect(suite).toMatchObject({ id: completed.check_suite.id, conclusion: "failure", head_sha: redSha, pull_requests: [expect.objectContaining({ number: prNumber })] });
    expect(suite.url).toBe(`${stack.apiUrl}/repos/${OWNER}/${REPO}/check-suites/${completed.check_suite.id}`);
    expect(run).toMatchObject({ check_suite_id: completed.check_suite.id, conclusion: "failure", head_sha: redSha });
    expect(completed.details_url).toBe(`${stack.url}/${OWNER}/${REPO}/actions/runs/${run.id}/job/${completed.id}`);
    expect(run.url).toBe(`${stack.apiUrl}/repos/${OWNER}/${REPO}/actions/runs/${run.id}`);

    // the REST API shows that check run, its PR, and its log
    const listed = (await (await api(`/repos/${OWNER}/${REPO}/commits/${redSha}/check-runs`)).json()) as any;
    expect(listed.total_count).toBe(1);
    expect(listed.check_runs[0]).toMatchObject({
      id: completed.id,
      details_url: completed.details_url,
      check_suite: { id: suite.id },
      conclusion: "failure",
      pull_requests: [expect.objectContaining({ number: prNumber })],
    });
    const logRes = await api(`/repos/${OWNER}/${REPO}/actions/jobs/${completed.id}/logs`);
    expect(logRes.status).toBe(200);
    expect(await logRes.text()).toContain(bug.failingTest);

    // every delivery signed and distinct; exactly two check_run pairs (the CI's own were not sent again)
    expect(deliveries.every((d) => d.verified && d.path === "/github/webhooks/proj_stack")).toBe(true);
    expect(new Set(deliveries.map((d) => d.delivery)).size).toBe(deliveries.length);
    expect(deliveries.filter((d) => d.event === "check_run").length).toBe(4);
    for (const d of deliveries) {
      expect(d.payload.installation).toMatchObject({ id: 1 });
      if (SCHEMAS[d.event]) expect(SCHEMAS[d.event].safeParse(d.payload).success, `${d.event} parses`).toBe(true);
      if (isForgeEvent(d.event)) expect(forgeEvent(d.event, d.payload).kind).not.toBe("invalid");
    }
    for (const d of later.slice(3)) {
      expect(forgeEvent(d.event, d.payload)).toMatchObject({ kind: "record", record: { pullRequest: prNumber, headSha: redSha, outcome: "failure" } });
    }
  }, 300_000);

  it("reviews and comments from the store are relayed; idle() waits for the delivery itself", async () => {
    const before = deliveries.length;
    stack.forge.store.addReview(OWNER, REPO, prNumber, { state: "CHANGES_REQUESTED", body: "keep the BOM", comments: [{ path: "src/reports/export.js", line: 3, body: "utf8 here" }] }, { login: "maya", association: "OWNER" });
    hold.set("issue_comment", []);
    stack.forge.store.addIssueComment(OWNER, REPO, prNumber, "please also add a test", { login: "maya", association: "OWNER" });
    let idle = false;
    const waiting = stack.idle().then(() => (idle = true));
    await until("the held issue_comment delivery", () => held.includes("issue_comment"));
    await new Promise((r) => setTimeout(r, 200));
    expect(idle).toBe(false); // the delivery is still open
    for (const release of hold.get("issue_comment")!) release();
    hold.delete("issue_comment");
    await waiting;
    expect(seen().slice(before)).toEqual(["pull_request_review_comment.created", "pull_request_review.submitted", "issue_comment.created"]);
    for (const d of deliveries.slice(before)) {
      expect(d.verified).toBe(true);
      expect(SCHEMAS[d.event].safeParse(d.payload).success).toBe(true);
      expect(forgeEvent(d.event, d.payload)).toMatchObject({ kind: "record", record: { pullRequest: prNumber } });
    }
  }, 60_000);

  it("a receiver that is down: retried, given up, and the stack keeps going", async () => {
    const offline = join(work, "offline");
    await git(work, ["clone", "--quiet", stack.repoUrl(OWNER, OFFLINE), offline]);
    await git(offline, ["switch", "--quiet", "-c", "down", greenSha]);
    const before = deliveries.length;
    await push(offline, "down");
    await stack.idle();
    const failed = results.filter((r) => r.event === "push" && !r.result.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0].result).toMatchObject({ ok: false, status: 0, attempts: 3 });
    expect(logs.some((l) => l.includes("given up after 3 attempt(s)") && l.includes(`${OWNER}/${OFFLINE}`))).toBe(true);
    expect(deliveries.length).toBe(before); // nothing reached the live receiver

    // still serving: git, REST and the relay
    await git(clone, ["switch", "--quiet", "-c", "after-outage", greenSha]);
    await push(clone, "after-outage");
    await stack.idle();
    expect(seen().slice(before)[0]).toBe("push");
    expect(deliveries[before].payload).toMatchObject({ ref: "refs/heads/after-outage", after: greenSha });
    const pulls = (await (await api(`/repos/${OWNER}/${REPO}/pulls?state=open`)).json()) as any[];
    expect(pulls.map((p) => p.number)).toContain(prNumber);
    void mainSha;
  }, 120_000);
});
