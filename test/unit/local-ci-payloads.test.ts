// The local CI's pure parts: webhook payloads held to @octokit/webhooks-examples' field set
// and to nightshift's own payload schemas and forge-event decisions; the test-output
// summary; the head+tail output cap; the signed, retrying webhook sender.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verify } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeadTailOutput } from "../../scripts/local/ci/head-tail";
import { checkRunPayload, checkSuitePayload, type CiRunFacts, workflowRunPayload } from "../../scripts/local/ci/webhook-payloads";
import { sendWebhook } from "../../scripts/local/ci/webhook-sender";
import { forgeEvent } from "../../workers/ingest/sources/github/forge-events";
import { CheckRunPayload, CheckSuitePayload, WorkflowRunPayload } from "../../workers/ingest/sources/github/payloads";
import { loadExamples } from "../fixtures/github/extract";

const SHA = "a".repeat(40);
const BASE = "b".repeat(40);

function facts(over: Partial<CiRunFacts> = {}): CiRunFacts {
  return {
    repository: { owner: "shop", name: "sample-app" },
    urls: { api: "http://127.0.0.1:9/api/v3", web: "http://127.0.0.1:9" },
    installationId: 42,
    sender: { login: "maya", id: 7, type: "User" },
    headSha: SHA,
    headBranch: "nightshift/rep_1",
    before: "0".repeat(40),
    headCommit: { treeId: "c".repeat(40), message: "fix: cart\n\nbody", timestamp: "2026-12-01T00:00:00Z", author: { name: "N", email: "n@x" }, committer: { name: "N", email: "n@x" } },
    pullRequests: [{ number: 12, headRef: "nightshift/rep_1", baseRef: "main", baseSha: BASE }],
    checkRunId: 1001,
    checkSuiteId: 1002,
    workflowRunId: 1003,
    workflowId: 55,
    runNumber: 3,
    checkName: "test",
    workflowName: "CI",
    workflowPath: ".github/workflows/ci.yml",
    trigger: "push",
    status: "completed",
    conclusion: "failure",
    createdAt: "2026-12-02T07:00:00Z",
    startedAt: "2026-12-02T07:00:00Z",
    completedAt: "2026-12-02T07:00:09Z",
    output: { title: "1 test failed", summary: "14 passed, 1 failed", text: "Failing tests:\n- x" },
    ...over,
  };
}

const defs = loadExamples();
function exampleOf(event: string, index: number): Record<string, any> {
  return defs.find((d) => d.name === event)!.examples[index] as Record<string, any>;
}

/** keys of `example` missing from `ours` */
function missing(example: Record<string, unknown>, ours: Record<string, unknown>): string[] {
  return Object.keys(example).filter((k) => !(k in ours));
}

describe("webhook payloads", () => {
  it("check_run carries every field GitHub's example does, at each level", () => {
    const ex = exampleOf("check_run", 1); // completed, failure
    for (const action of ["created", "completed"] as const) {
      const p = checkRunPayload(action, facts(action === "created" ? { status: "in_progress", conclusion: null, completedAt: null } : {}));
      expect(missing(ex, p).filter((k) => k !== "organization")).toEqual([]);
      expect(missing(ex.check_run, p.check_run)).toEqual([]);
      expect(missing(ex.check_run.check_suite, p.check_run.check_suite)).toEqual([]);
      expect(missing(ex.check_run.output, p.check_run.output)).toEqual([]);
      expect(missing(ex.check_run.app, p.check_run.app)).toEqual([]);
      expect(missing(ex.check_run.pull_requests[0], p.check_run.pull_requests[0])).toEqual([]);
      expect(missing(ex.check_run.pull_requests[0].head, p.check_run.pull_requests[0].head)).toEqual([]);
      expect(missing(ex.repository, p.repository)).toEqual([]);
      expect(missing(ex.repository.owner, p.repository.owner)).toEqual([]);
      expect(missing(ex.sender, p.sender)).toEqual([]);
      expect(missing(exampleOf("check_run", 6).installation, p.installation)).toEqual([]);
    }
    const created = checkRunPayload("created", facts({ status: "in_progress", conclusion: null, completedAt: null }));
    expect(created.check_run).toMatchObject({ status: "in_progress", conclusion: null, completed_at: null, head_sha: SHA });
    expect(created.check_run.check_suite).toMatchObject({ status: "in_progress", conclusion: null, head_branch: "nightshift/rep_1" });
  });

  it("check_suite and workflow_run carry every field GitHub's examples do", () => {
    const suiteEx = exampleOf("check_suite", 1);
    const suite = checkSuitePayload(facts());
    expect(missing(suiteEx, suite)).toEqual([]);
    expect(missing(suiteEx.check_suite, suite.check_suite)).toEqual([]);
    expect(missing(suiteEx.check_suite.head_commit, suite.check_suite.head_commit!)).toEqual([]);
    expect(missing(suiteEx.check_suite.app, suite.check_suite.app)).toEqual([]);

    const runEx = exampleOf("workflow_run", 2);
    const run = workflowRunPayload(facts());
    expect(missing(runEx, run).filter((k) => k !== "organization")).toEqual([]);
    expect(missing(runEx.workflow_run, run.workflow_run)).toEqual([]);
    expect(missing(runEx.workflow, run.workflow)).toEqual([]);
    expect(missing(runEx.workflow_run.repository, run.workflow_run.repository)).toEqual([]);
    expect(missing(runEx.workflow_run.head_repository, run.workflow_run.head_repository)).toEqual([]);
    expect(missing(runEx.workflow_run.head_commit, run.workflow_run.head_commit!)).toEqual([]);
    expect(missing(runEx.workflow_run.pull_requests[0], run.workflow_run.pull_requests[0])).toEqual([]);
    expect(run.workflow_run).toMatchObject({ conclusion: "failure", status: "completed", head_sha: SHA, run_number: 3, event: "push", display_title: "fix: cart" });
  });

  it("fills pull_requests with head and base, as the caller said", () => {
    const p = checkRunPayload("completed", facts());
    expect(p.check_run.pull_requests).toEqual([
      expect.objectContaining({ number: 12, head: expect.objectContaining({ ref: "nightshift/rep_1", sha: SHA }), base: expect.objectContaining({ ref: "main", sha: BASE }) }),
    ]);
    expect(checkSuitePayload(facts({ pullRequests: [] })).check_suite.pull_requests).toEqual([]);
  });

  it("parse with nightshift's schemas; failures become forge events, successes are ignored", () => {
    const bad = facts();
    const good = facts({ conclusion: "success", output: { title: "Tests passed", summary: "15 passed, 0 failed", text: "" } });
    const cases = [
      ["check_run", CheckRunPayload, (f: CiRunFacts) => checkRunPayload("completed", f)],
      ["check_suite", CheckSuitePayload, checkSuitePayload],
      ["workflow_run", WorkflowRunPayload, workflowRunPayload],
    ] as const;
    for (const [event, schema, build] of cases) {
      expect(schema.safeParse(JSON.parse(JSON.stringify(build(bad)))).success).toBe(true);
      const decision = forgeEvent(event, JSON.parse(JSON.stringify(build(bad))));
      expect(decision).toMatchObject({ kind: "record", record: { event, action: "completed", repository: "shop/sample-app", pullRequest: 12, headSha: SHA, outcome: "failure" } });
      expect(forgeEvent(event, JSON.parse(JSON.stringify(build(good))))).toMatchObject({ kind: "ignore" });
    }
    const created = checkRunPayload("created", facts({ status: "in_progress", conclusion: null, completedAt: null }));
    expect(CheckRunPayload.safeParse(JSON.parse(JSON.stringify(created))).success).toBe(true);
    expect(forgeEvent("check_run", JSON.parse(JSON.stringify(created)))).toMatchObject({ kind: "ignore" });
    const rec = forgeEvent("check_run", JSON.parse(JSON.stringify(checkRunPayload("completed", bad))));
    expect(rec.kind === "record" && rec.record.summary).toMatchObject({ name: "test", app: "github-actions", head_branch: "nightshift/rep_1", output_summary: "14 passed, 1 failed" });
  });
});

describe("head + tail output", () => {
  it("keeps the first and last bytes and says how many were dropped", () => {
    const out = new HeadTailOutput(10, 10);
    for (let i = 0; i < 100; i++) out.push(Buffer.from(`${i},`));
    const text = out.text();
    expect(text.startsWith("0,1,2,3,4,")).toBe(true);
    expect(text.endsWith("97,98,99,")).toBe(true);
    expect(out.truncated).toBe(true);
    expect(text).toMatch(/\[local-ci\] … \d+ bytes of output omitted …/);
    const small = new HeadTailOutput(10, 10);
    small.push(Buffer.from("hello "));
    small.push(Buffer.from("world, all"));
    expect(small.text()).toBe("hello world, all"); // 16 bytes: under the 20-byte cap, kept whole
    expect(small.truncated).toBe(false);
  });
});

describe("webhook sender", () => {
  const SECRET = "sender-secret";
  let server: Server;
  let url: string;
  const seen: { headers: IncomingMessage["headers"]; body: string; verified: boolean }[] = [];
  let failures = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        seen.push({ headers: req.headers, body, verified: await verify(SECRET, body, String(req.headers["x-hub-signature-256"] ?? "")) });
        if (failures > 0) {
          failures--;
          res.writeHead(503).end();
        } else res.writeHead(202).end("{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/github/webhooks/p1`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("signs, retries a 5xx with the same delivery id, and reports the status", async () => {
    seen.length = 0;
    failures = 2;
    const r = await sendWebhook({ url, secret: SECRET, event: "check_run", payload: { action: "completed", n: 1 }, backoffMs: 10 });
    expect(r).toMatchObject({ ok: true, status: 202, attempts: 3 });
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.headers["x-github-delivery"]))).toEqual(new Set([r.deliveryId]));
    expect(seen.every((s) => s.verified && s.headers["x-github-event"] === "check_run" && s.headers["content-type"] === "application/json")).toBe(true);
  });

  it("gives up after the retries, and on a network error answers status 0", async () => {
    failures = 10;
    const r = await sendWebhook({ url, secret: SECRET, event: "check_suite", payload: { action: "completed" }, retries: 1, backoffMs: 10 });
    expect(r).toMatchObject({ ok: false, status: 503, attempts: 2 });
    failures = 0;
    const closed = createServer();
    await new Promise<void>((r2) => closed.listen(0, "127.0.0.1", () => r2()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r2) => closed.close(() => r2()));
    const down = await sendWebhook({ url: `http://127.0.0.1:${port}/x`, secret: SECRET, event: "ping", payload: { action: "x" }, retries: 1, backoffMs: 10 });
    expect(down).toMatchObject({ ok: false, status: 0, attempts: 2 });
    expect(down.error).toBeTruthy();
  });

  it("does not retry a 4xx", async () => {
    seen.length = 0;
    const r = await sendWebhook({ url, secret: "wrong", event: "check_run", payload: { action: "completed" }, backoffMs: 10 });
    expect(seen[0].verified).toBe(false);
    expect(r.attempts).toBe(1);
  });
});
