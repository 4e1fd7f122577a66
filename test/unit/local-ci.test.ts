// The local CI against the real local forge: real git pushes to the git server
// (scripts/local/forge/git-server.ts), the sample app's own tests run at the pushed
// sha, and signed webhooks delivered to a node:http receiver standing in for
// nightshift's POST /github/webhooks/:project. Everything is polled through
// ci.idle(); no test depends on how fast the machine is.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verify } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitOk } from "./git-client";
import { startLocalCi, type LocalCheckRun, type LocalCi } from "../../scripts/local/ci/local-ci";
import { runTests } from "../../scripts/local/ci/run-tests";
import type { WebhookResult } from "../../scripts/local/ci/webhook-sender";
import { startGitServer, type GitServer } from "../../scripts/local/forge/git-server";
import { COMMITS, makeSampleRepo, removeSampleRepo, REVISIONS, SAMPLE_BUGS } from "../../scripts/local/make-sample-repo";
import { forgeEvent } from "../../workers/ingest/sources/github/forge-events";
import { CheckRunPayload, CheckSuitePayload, WorkflowRunPayload } from "../../workers/ingest/sources/github/payloads";

const SECRET = "local-ci-webhook-secret";
const OWNER = "shop";
const REPO = "sample-app";
const BRANCH = "nightshift/rep_ci";
const PR = 7;

interface Delivery {
  event: string;
  delivery: string;
  signature: string;
  verified: boolean;
  status: number;
  payload: any;
}

const git = (cwd: string, args: string[]) => gitOk(cwd, args, { date: "2026-01-02T03:04:05Z" });

let work: string;
let sample: string;
let forge: GitServer;
let receiver: Server;
let ci: LocalCi;
let mainSha: string;
let greenSha: string;
let clone: string;
/** every request the receiver answered, 500s included */
const requests: Delivery[] = [];
/** event names whose first delivery the receiver answers with 500 */
const failFirst = new Set<string>();
const sink: { phase: "created" | "completed"; run: LocalCheckRun }[] = [];
const results: { event: string; action: string; result: WebhookResult }[] = [];
const logs: string[] = [];

/** the deliveries the receiver accepted, in order */
const accepted = () => requests.filter((r) => r.status === 202);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "local-ci-test-"));
  sample = makeSampleRepo();
  mainSha = await git(sample, ["rev-parse", "HEAD"]);
  // the last commit before the sample app's bugs: all of its tests pass, and none is marked as a known bug
  // yet (main passes too, with the bug tests as # TODO), so a bug pushed onto it fails its test for real
  const lines = (await git(sample, ["log", "--format=%H %s"])).split("\n");
  greenSha = lines.find((l) => l.endsWith(` ${COMMITS[7].message}`))!.split(" ")[0];
  forge = await startGitServer({ root: join(work, "forge") });
  forge.createRepo(OWNER, REPO, sample);

  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const event = String(req.headers["x-github-event"] ?? "");
      const signature = String(req.headers["x-hub-signature-256"] ?? "");
      const verified = await verify(SECRET, body, signature);
      let status = verified ? 202 : 401;
      if (verified && failFirst.has(event)) {
        failFirst.delete(event);
        status = 500;
      }
      requests.push({ event, delivery: String(req.headers["x-github-delivery"] ?? ""), signature, verified, status, payload: JSON.parse(body) });
      res.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));

  ci = startLocalCi({
    resolveRepo: (owner, repo) => join(forge.root, owner, `${repo}.git`),
    testCommand: (owner, repo) => (owner === OWNER && repo === REPO ? "npm test" : null),
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/github/webhooks/proj_1`,
    secret: SECRET,
    checks: {
      created: (run) => void sink.push({ phase: "created", run }),
      completed: (run) => void sink.push({ phase: "completed", run }),
    },
    pullsFor: (_o, _r, _sha, branch) => (branch === BRANCH ? [{ number: PR, headRef: BRANCH, baseRef: "main", baseSha: mainSha }] : []),
    installationId: 77,
    urls: { api: `${forge.url}/api/v3`, web: forge.url },
    webhook: { retries: 3, backoffMs: 20 },
    tmpRoot: join(work, "ci-tmp"),
    onDelivery: (event, action, result) => void results.push({ event, action, result }),
    onLog: (line) => void logs.push(line),
  });
  forge.events.on("push", ci.onPush);

  clone = join(work, "clone");
  await git(work, ["clone", "--quiet", forge.repoUrl(OWNER, REPO), clone]);
});

afterAll(async () => {
  await ci?.stop();
  await forge?.stop();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  if (sample) removeSampleRepo(sample);
  if (work) rmSync(work, { recursive: true, force: true });
});

function schemaFor(event: string) {
  return event === "check_run" ? CheckRunPayload : event === "check_suite" ? CheckSuitePayload : WorkflowRunPayload;
}

describe("local CI", () => {
  it("a green push: check_run created → completed success, check_suite, workflow_run; signed; a 500 is retried", async () => {
    failFirst.add("check_suite");
    await git(clone, ["switch", "--quiet", "-c", BRANCH, greenSha]);
    await git(clone, ["push", "--quiet", "origin", BRANCH]);
    await ci.idle();

    const got = accepted();
    expect(got.map((d) => `${d.event}.${d.payload.action}`)).toEqual(["check_run.created", "check_run.completed", "check_suite.completed", "workflow_run.completed"]);
    expect(requests.every((d) => d.verified)).toBe(true);
    expect(new Set(got.map((d) => d.delivery)).size).toBe(4);

    // the receiver's 500 on check_suite was retried with the same delivery id
    const suites = requests.filter((d) => d.event === "check_suite");
    expect(suites.map((d) => d.status)).toEqual([500, 202]);
    expect(suites[0].delivery).toBe(suites[1].delivery);
    expect(results.find((r) => r.event === "check_suite")!.result).toMatchObject({ ok: true, status: 202, attempts: 2 });

    const [created, completed, suite, workflow] = got.map((d) => d.payload);
    expect(created.check_run).toMatchObject({ status: "in_progress", conclusion: null, head_sha: greenSha, name: "test" });
    expect(completed.check_run).toMatchObject({ id: created.check_run.id, status: "completed", conclusion: "success", head_sha: greenSha });
    expect(completed.check_run.output.summary).toMatch(/^[1-9][0-9]* passed, 0 failed$/);
    expect(suite.check_suite).toMatchObject({ conclusion: "success", head_sha: greenSha, head_branch: BRANCH, id: completed.check_run.check_suite.id });
    expect(suite.check_suite.head_commit).toMatchObject({ id: greenSha, message: COMMITS[7].message });
    expect(workflow.workflow_run).toMatchObject({ conclusion: "success", head_sha: greenSha, head_branch: BRANCH, check_suite_id: suite.check_suite.id, event: "push" });
    for (const p of [created, completed, suite, workflow]) {
      expect(p.installation).toMatchObject({ id: 77 });
      expect(p.repository).toMatchObject({ full_name: `${OWNER}/${REPO}` });
    }
    expect(completed.check_run.pull_requests).toEqual([
      expect.objectContaining({ number: PR, head: expect.objectContaining({ ref: BRANCH, sha: greenSha }), base: expect.objectContaining({ ref: "main", sha: mainSha }) }),
    ]);
    for (const d of got) {
      expect(schemaFor(d.event).safeParse(d.payload).success).toBe(true);
      expect(forgeEvent(d.event, d.payload).kind).toBe("ignore"); // success is not a CI failure
    }

    // the sink heard created (in_progress) then completed, with the log
    expect(sink.map((s) => `${s.phase}:${s.run.status}:${s.run.conclusion}`)).toEqual(["created:in_progress:null", "completed:completed:success"]);
    expect(sink[1].run).toMatchObject({ id: created.check_run.id, jobId: created.check_run.id, headSha: greenSha, headBranch: BRANCH, pullRequests: [PR], owner: OWNER, repo: REPO });
    expect(sink[1].run.log).toMatch(/# pass [1-9]/);
    // the temporary checkout is gone
    expect(readdirSync(join(work, "ci-tmp"))).toEqual([]);
  });

  it("a push that breaks a test: failure, the failing test named, recorded as forge events for the PR", async () => {
    const bug = SAMPLE_BUGS.find((b) => b.id === "csv-export-latin1")!;
    const change = REVISIONS.find((r) => r.file === bug.file && "after" in r) as { after: string; before: string };
    const file = join(clone, bug.file);
    const text = readFileSync(file, "utf8");
    expect(text).toContain(change.before);
    writeFileSync(file, text.replace(change.before, change.after));
    await git(clone, ["-c", "commit.gpgsign=false", "commit", "--quiet", "-am", "reports: latin1 export"]);
    const redSha = await git(clone, ["rev-parse", "HEAD"]);
    requests.length = 0;
    sink.length = 0;
    await git(clone, ["push", "--quiet", "origin", BRANCH]);
    await ci.idle();

    const got = accepted();
    expect(got.map((d) => `${d.event}.${d.payload.action}`)).toEqual(["check_run.created", "check_run.completed", "check_suite.completed", "workflow_run.completed"]);
    const completed = got[1].payload.check_run;
    expect(completed).toMatchObject({ conclusion: "failure", head_sha: redSha });
    expect(completed.output.summary).toMatch(/^[1-9][0-9]* passed, 1 failed$/);
    expect(completed.output.title).toBe("1 test failed");
    expect(completed.output.text).toContain(`- ${bug.failingTest}`);
    expect(completed.output.text).toContain(`not ok`);
    for (const d of got.slice(1)) {
      expect(schemaFor(d.event).safeParse(d.payload).success).toBe(true);
      const decision = forgeEvent(d.event, d.payload);
      expect(decision).toMatchObject({
        kind: "record",
        record: { event: d.event, action: "completed", repository: `${OWNER}/${REPO}`, pullRequest: PR, headSha: redSha, outcome: "failure" },
      });
    }
    expect(sink.at(-1)!.run).toMatchObject({ conclusion: "failure", headSha: redSha });
    expect(sink.at(-1)!.run.log).toContain(bug.failingTest);
  });

  it("ignores tags and branch deletions; a newer push supersedes a queued one", async () => {
    requests.length = 0;
    sink.length = 0;
    await git(clone, ["tag", "v-ci", greenSha]);
    await git(clone, ["push", "--quiet", "origin", "v-ci"]);
    await git(clone, ["push", "--quiet", "origin", `${greenSha}:refs/heads/throwaway`]);
    await ci.idle();
    expect(sink.filter((s) => s.phase === "created").map((s) => s.run.headBranch)).toEqual(["throwaway"]);
    sink.length = 0;
    await git(clone, ["push", "--quiet", "origin", "--delete", "throwaway"]);
    await ci.idle();
    expect(sink).toEqual([]);

    // the first push starts at once; the second is queued behind it and replaced by the third
    const base = { owner: OWNER, repo: REPO, before: "0".repeat(40) };
    ci.onPush({ ...base, ref: "refs/heads/queued", after: greenSha });
    ci.onPush({ ...base, ref: "refs/heads/other", after: mainSha });
    ci.onPush({ ...base, ref: "refs/heads/other", after: greenSha });
    await ci.idle();
    expect(sink.filter((s) => s.phase === "created").map((s) => `${s.run.headBranch}@${s.run.headSha}`)).toEqual([`queued@${greenSha}`, `other@${greenSha}`]);
    expect(logs.some((l) => l.includes("superseded"))).toBe(true);
  });
});

describe("local CI stop", () => {
  it("kills a running test command; its check run ends cancelled in the sink, without completion webhooks", async () => {
    const mine: { phase: string; run: LocalCheckRun }[] = [];
    const stopping = startLocalCi({
      resolveRepo: (owner, repo) => join(forge.root, owner, `${repo}.git`),
      testCommand: () => "sleep 600",
      webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/github/webhooks/proj_1`,
      secret: SECRET,
      checks: { created: (run) => void mine.push({ phase: "created", run }), completed: (run) => void mine.push({ phase: "completed", run }) },
      tmpRoot: join(work, "stop-tmp"),
    });
    requests.length = 0;
    stopping.onPush({ owner: OWNER, repo: REPO, ref: "refs/heads/slow", before: "0".repeat(40), after: greenSha });
    // poll until the run has started and its created webhook arrived
    for (let i = 0; i < 600 && !(mine.length && accepted().length); i++) await new Promise((r) => setTimeout(r, 100));
    expect(accepted().map((d) => `${d.event}.${d.payload.action}`)).toEqual(["check_run.created"]);
    await stopping.stop(); // without the kill this waits 10 minutes
    await stopping.idle();
    expect(mine.map((m) => `${m.phase}:${m.run.conclusion}`)).toEqual(["created:null", "completed:cancelled"]);
    expect(accepted()).toHaveLength(1);
    expect(readdirSync(join(work, "stop-tmp"))).toEqual([]);
  });
});

describe("run-tests", () => {
  let repo: string;
  let sha: string;
  let tmpRoot: string;

  beforeAll(async () => {
    repo = mkdtempSync(join(tmpdir(), "local-ci-tiny-"));
    tmpRoot = join(repo, "..", `${repo.split("/").pop()}-runs`);
    mkdirSync(tmpRoot);
    await git(repo, ["init", "--quiet", "--initial-branch=main"]);
    writeFileSync(join(repo, "README"), "tiny\n");
    await git(repo, ["add", "README"]);
    await git(repo, ["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "tiny"]);
    sha = await git(repo, ["rev-parse", "HEAD"]);
  });
  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(tmpRoot, { recursive: true, force: true });
  });

  it("kills a command that outlives its deadline, with its background children, and cleans up", async () => {
    // without the kill this would sleep for 10 minutes, far past the test's timeout; the
    // background sleep holds the output pipe open, so it must die too for runTests to return
    const r = await runTests({ source: repo, sha, command: "echo started; (sleep 600 &); sleep 600", timeoutMs: 1500, tmpRoot });
    expect(r).toMatchObject({ timedOut: true, exitCode: 124 });
    expect(r.output).toContain("started");
    expect(r.output).toContain("timed out");
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it("runs at the sha with a fixed environment, keeps head and tail of long output, reports isolation", async () => {
    process.env.LOCAL_CI_TEST_LEAK = "do-not-pass";
    try {
      const r = await runTests({
        source: repo,
        sha,
        command: 'cat README; echo "leak=[$LOCAL_CI_TEST_LEAK] ci=$CI"; i=0; while [ $i -lt 20000 ]; do echo line-$i; i=$((i+1)); done; exit 3',
        maxOutputBytes: 4096,
        tmpRoot,
      });
      expect(r).toMatchObject({ exitCode: 3, timedOut: false, truncated: true });
      expect(r.output).toContain("tiny\nleak=[] ci=true\nline-0\n");
      expect(r.output).toContain("line-19999\n");
      expect(r.output).toMatch(/bytes of output omitted/);
      if (r.isolation === "none") expect(r.isolationNote).toMatch(/unisolated/);
      else expect(r.isolationNote).toBeUndefined();
    } finally {
      delete process.env.LOCAL_CI_TEST_LEAK;
    }
  });

  it("refuses a malformed sha and reports a missing one as a checkout error", async () => {
    await expect(runTests({ source: repo, sha: "--upload-pack=x", command: "true", tmpRoot })).rejects.toThrow(/bad commit id/);
    await expect(runTests({ source: repo, sha: "f".repeat(40), command: "true", tmpRoot })).rejects.toMatchObject({ name: "CheckoutError" });
    expect(readdirSync(tmpRoot)).toEqual([]);
  });
});
