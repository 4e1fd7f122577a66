/**
 * The local CI: the embedded default's stand-in for GitHub Actions. Hooked to
 * the local forge's push events, it tests every pushed branch head and tells
 * nightshift the result exactly as GitHub would — signed `check_run`,
 * `check_suite` and `workflow_run` webhooks posted to nightshift's
 * `POST /github/webhooks/:project` — and, when given a ChecksSink, hands the
 * check runs (with their logs) to the forge's REST store.
 *
 *   const ci = startLocalCi({ resolveRepo, testCommand, webhookUrl, secret, checks?, pullsFor? });
 *   forge.events.on("push", ci.onPush);
 *   await ci.idle();  // tests: every queued run finished
 *   await ci.stop();
 *
 * Contract:
 * - A push of a branch (refs/heads/…, not a deletion) queues one run for
 *   (owner, repo, branch, after); tags and deletions are ignored, and so are
 *   repositories whose `testCommand` or `resolveRepo` answers null.
 * - Runs go `concurrency` at a time (default 1: serialized). A newer push to
 *   the same branch replaces that branch's queued (not yet running) run.
 * - One run: checks.created(run) → `check_run` created (in_progress) → the
 *   tests (run-tests.ts: a temporary clone at the sha, isolated with bwrap
 *   when available) → checks.completed(run) → `check_run` completed,
 *   `check_suite` completed, `workflow_run` completed, in that order. The
 *   sink always hears first, so a receiver that reacts to a webhook by asking
 *   the forge for the check run or its log finds it.
 * - Conclusion: success when the command exits 0, failure otherwise (a
 *   timeout or a failed checkout too). output.summary is a short line ("15
 *   passed, 1 failed") when the output is parsable; output.text names the
 *   failing tests and ends with the log's tail. The log is untrusted text
 *   (whoever puts it in a prompt fences it).
 * - `pull_requests` in every payload comes from `pullsFor(owner, repo, sha,
 *   branch)` asked when each webhook is built (none when absent).
 * - Webhooks: webhook-sender.ts (retries 5xx and network errors), or the
 *   caller's `send` (a relay, e.g. scripts/local/forge-stack.ts); a delivery
 *   that finally fails is reported to `onLog` and the run goes on.
 * - `stop()` drops the queue and kills a running test command; its check run
 *   is completed in the sink as `cancelled`, without webhooks.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { gitEnv } from "../forge/repos";
import type { PushEvent } from "../forge/git-server";
import { CheckoutError, runTests, type TestRunResult } from "./run-tests";
import { countsLine, readTestOutput } from "../../../workers/fix/test-results";
import {
  checkRunPayload,
  checkSuitePayload,
  type CiActor,
  type CiCommit,
  type CiConclusion,
  type CiPullRef,
  type CiRunFacts,
  stableId,
  workflowRunPayload,
} from "./webhook-payloads";
import { sendWebhook, type WebhookDelivery, type WebhookResult } from "./webhook-sender";


export const ZERO_SHA = "0000000000000000000000000000000000000000";

/** A check run as the forge's REST store keeps it. For GitHub Actions, the check run's id is the job's id. */
export interface LocalCheckRun {
  id: number;
  jobId: number;
  name: string;
  owner: string;
  repo: string;
  headSha: string;
  headBranch: string;
  checkSuiteId: number;
  workflowRunId: number;
  pullRequests: number[];
  status: "in_progress" | "completed";
  conclusion: CiConclusion | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string; summary: string; text: string | null };
  /** the test command's combined output (head + tail within the cap) */
  log: string;
}

/** What the local CI needs from a checks store. */
export interface ChecksSink {
  created(run: LocalCheckRun): void | Promise<void>;
  completed(run: LocalCheckRun): void | Promise<void>;
}

type MaybePromise<T> = T | Promise<T>;

export interface LocalCiOptions {
  /** the bare repository's path (or a clone URL); null: not ours, skip */
  resolveRepo(owner: string, repo: string): MaybePromise<string | null>;
  /** the shell command that runs the tests (e.g. `npm test`); null: no CI for this repository */
  testCommand(owner: string, repo: string): MaybePromise<string | null>;
  /** nightshift's webhook route, e.g. http://127.0.0.1:8787/github/webhooks/<project> */
  webhookUrl: string;
  secret: string;
  checks?: ChecksSink;
  pullsFor?(owner: string, repo: string, sha: string, branch: string): MaybePromise<CiPullRef[]>;
  /** runs at a time, default 1 */
  concurrency?: number;
  /** URL bases the payloads use, default http://localhost/api/v3 and http://localhost */
  urls?: { api: string; web: string };
  installationId?: number;
  /** who pushed (the payloads' sender), default a local user */
  sender?: CiActor;
  checkName?: string;
  workflowName?: string;
  workflowPath?: string;
  testTimeoutMs?: number;
  maxOutputBytes?: number;
  tmpRoot?: string;
  /** the first id handed to check runs, suites and workflow runs (one counter), default 1000 */
  firstId?: number;
  webhook?: { retries?: number; backoffMs?: number; timeoutMs?: number };
  /** delivers one webhook instead of webhook-sender's `sendWebhook` (a relay that routes, merges or drops deliveries) */
  send?(delivery: WebhookDelivery): Promise<WebhookResult>;
  /** progress and problems, one line each */
  onLog?(line: string): void;
  /** every delivery made, after its last attempt */
  onDelivery?(event: string, action: string, result: WebhookResult): void;
  now?(): Date;
}

export interface LocalCi {
  /** the git server's push listener */
  onPush(event: PushEvent): void;
  /** resolves when nothing is queued or running */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

interface Job {
  key: string;
  event: PushEvent;
  branch: string;
}

/** output.text's cap; GitHub's is 65535 characters */
const TEXT_CHARS = 60_000;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function readCommit(source: string, sha: string): Promise<CiCommit | null> {
  if (!SHA.test(sha) || !existsSync(source)) return Promise.resolve(null);
  return new Promise((ok) => {
    execFile(
      "git",
      ["show", "-s", "--format=%T%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B", sha, "--"],
      { cwd: source, env: gitEnv(), timeout: 30_000, maxBuffer: 1 << 20 },
      (err, stdout) => {
        if (err) return ok(null);
        const [treeId, an, ae, ad, cn, ce, cd, ...message] = String(stdout).split("\0");
        if (!treeId || message.length === 0) return ok(null);
        ok({ treeId, message: message.join("\0").replace(/\n+$/, ""), timestamp: ad, author: { name: an, email: ae }, committer: { name: cn, email: ce } });
      },
    );
  });
}

function outputText(result: TestRunResult | null, failing: string[], note: string | null, log: string): string {
  const parts: string[] = [];
  if (failing.length) parts.push(`Failing tests:\n${failing.map((n) => `- ${n}`).join("\n")}\n`);
  if (note) parts.push(`[local-ci] ${note}\n`);
  const head = parts.join("\n");
  const room = Math.max(0, TEXT_CHARS - head.length - 40);
  const tail = log.length > room ? log.slice(log.length - room) : log;
  const label = result && log.length > room ? "Log (tail):" : "Log:";
  return `${head}${head ? "\n" : ""}${label}\n${tail}`;
}

export function startLocalCi(options: LocalCiOptions): LocalCi {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const urls = options.urls ?? { api: "http://localhost/api/v3", web: "http://localhost" };
  const sender = options.sender ?? { login: "local-developer", id: 1001, type: "User" as const };
  const installationId = options.installationId ?? 1;
  const checkName = options.checkName ?? "test";
  const workflowName = options.workflowName ?? "CI";
  const workflowPath = options.workflowPath ?? ".github/workflows/ci.yml";
  const now = options.now ?? (() => new Date());
  const log = (line: string) => options.onLog?.(`[local-ci] ${line}`);
  let nextId = options.firstId ?? 1000;
  const runNumbers = new Map<string, number>();
  const queue: Job[] = [];
  const running = new Set<Promise<void>>();
  const waiters: (() => void)[] = [];
  const aborter = new AbortController();
  let stopped = false;

  const iso = () => now().toISOString().replace(/\.\d{3}Z$/, "Z");

  function settleIdle(): void {
    if (queue.length || running.size) return;
    for (const w of waiters.splice(0)) w();
  }

  async function deliver(event: string, payload: { action: string }): Promise<void> {
    if (stopped) return;
    const result = await (options.send ?? sendWebhook)({
      url: options.webhookUrl,
      secret: options.secret,
      event,
      payload,
      installationId,
      retries: options.webhook?.retries,
      backoffMs: options.webhook?.backoffMs,
      timeoutMs: options.webhook?.timeoutMs,
    });
    options.onDelivery?.(event, payload.action, result);
    if (!result.ok) log(`${event} ${payload.action} delivery ${result.deliveryId} failed after ${result.attempts} attempt(s): ${result.status || result.error}`);
  }

  async function toSink(phase: "created" | "completed", run: LocalCheckRun): Promise<void> {
    if (!options.checks) return;
    try {
      await options.checks[phase]({ ...run, output: { ...run.output }, pullRequests: [...run.pullRequests] });
    } catch (e) {
      log(`checks sink ${phase} failed for check run ${run.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async function execute(job: Job): Promise<void> {
    const { owner, repo, after, before } = job.event;
    const command = await options.testCommand(owner, repo);
    const source = command ? await options.resolveRepo(owner, repo) : null;
    if (!command || !source) return log(`no CI for ${owner}/${repo}; ${job.branch} ${after.slice(0, 12)} not tested`);

    const checkRunId = nextId++;
    const checkSuiteId = nextId++;
    const workflowRunId = nextId++;
    const repoKey = `${owner}/${repo}`;
    const runNumber = (runNumbers.get(repoKey) ?? 0) + 1;
    runNumbers.set(repoKey, runNumber);
    const createdAt = iso();
    const headCommit = await readCommit(source, after);
    const prs = async () => (options.pullsFor ? await options.pullsFor(owner, repo, after, job.branch) : []);

    const facts = async (over: Partial<CiRunFacts>): Promise<CiRunFacts> => ({
      repository: { owner, name: repo },
      urls,
      installationId,
      sender,
      headSha: after,
      headBranch: job.branch,
      before: before,
      headCommit,
      pullRequests: await prs(),
      checkRunId,
      checkSuiteId,
      workflowRunId,
      workflowId: stableId(`${repoKey}:${workflowPath}`),
      runNumber,
      checkName,
      workflowName,
      workflowPath,
      trigger: "push",
      status: "in_progress",
      conclusion: null,
      createdAt,
      startedAt: createdAt,
      completedAt: null,
      output: { title: null, summary: null, text: null },
      ...over,
    });

    const started = await facts({});
    const run: LocalCheckRun = {
      id: checkRunId,
      jobId: checkRunId,
      name: checkName,
      owner,
      repo,
      headSha: after,
      headBranch: job.branch,
      checkSuiteId,
      workflowRunId,
      pullRequests: started.pullRequests.map((p) => p.number),
      status: "in_progress",
      conclusion: null,
      startedAt: createdAt,
      completedAt: null,
      output: { title: "Running tests", summary: `\`${command}\` at ${after.slice(0, 12)}`, text: null },
      log: "",
    };
    log(`${repoKey} ${job.branch} ${after.slice(0, 12)}: check run ${checkRunId} started`);
    await toSink("created", run);
    await deliver("check_run", checkRunPayload("created", { ...started, output: { title: run.output.title, summary: run.output.summary, text: null } }));

    let result: TestRunResult | null = null;
    let conclusion: CiConclusion;
    let title: string;
    let summary: string;
    let failing: string[] = [];
    let note: string | null = null;
    let logText: string;
    try {
      result = await runTests({
        source,
        sha: after,
        command,
        timeoutMs: options.testTimeoutMs,
        maxOutputBytes: options.maxOutputBytes,
        tmpRoot: options.tmpRoot,
        signal: aborter.signal,
      });
      logText = result.output;
      const parsed = readTestOutput(result.output);
      const line = countsLine(parsed);
      failing = parsed.failing;
      note = result.isolationNote ?? null;
      if (result.aborted) {
        conclusion = "cancelled";
        title = "Cancelled";
        summary = "the local CI stopped";
      } else if (result.exitCode === 0 && !result.timedOut) {
        conclusion = "success";
        title = "Tests passed";
        summary = line ?? "tests passed";
      } else {
        conclusion = "failure";
        const secs = Math.round((options.testTimeoutMs ?? 600_000) / 1000);
        title = result.timedOut ? `Tests timed out after ${secs} s` : parsed.failed ? `${parsed.failed} test${parsed.failed === 1 ? "" : "s"} failed` : "Tests failed";
        summary = line ?? (result.timedOut ? `timed out after ${secs} s` : `tests failed (exit code ${result.exitCode})`);
      }
    } catch (e) {
      conclusion = stopped ? "cancelled" : "failure";
      const detail = e instanceof CheckoutError ? e.detail : e instanceof Error ? e.message : String(e);
      title = `Could not run the tests at ${after.slice(0, 12)}`;
      summary = e instanceof CheckoutError ? "the checkout failed" : "the test command could not start";
      logText = detail;
    }

    const completedAt = iso();
    run.status = "completed";
    run.conclusion = conclusion;
    run.completedAt = completedAt;
    run.output = { title, summary, text: outputText(result, failing, note, logText) };
    run.log = logText;
    await toSink("completed", run);
    log(`${repoKey} ${job.branch} ${after.slice(0, 12)}: check run ${checkRunId} ${conclusion} (${summary})`);
    if (conclusion === "cancelled") return;
    const done = await facts({ status: "completed", conclusion, completedAt, output: run.output });
    await deliver("check_run", checkRunPayload("completed", done));
    await deliver("check_suite", checkSuitePayload(done));
    await deliver("workflow_run", workflowRunPayload(done));
  }

  function pump(): void {
    while (!stopped && running.size < concurrency && queue.length) {
      const job = queue.shift()!;
      const p: Promise<void> = execute(job)
        .catch((e) => log(`run for ${job.key} failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          running.delete(p);
          pump();
          settleIdle();
        });
      running.add(p);
    }
  }

  return {
    onPush(event: PushEvent): void {
      if (stopped) return;
      if (!event.ref.startsWith("refs/heads/") || event.after === ZERO_SHA || !SHA.test(event.after)) return;
      const branch = event.ref.slice("refs/heads/".length);
      const key = `${event.owner}/${event.repo}:${branch}`;
      const older = queue.findIndex((j) => j.key === key);
      if (older >= 0) {
        log(`${key} ${queue[older].event.after.slice(0, 12)} superseded by ${event.after.slice(0, 12)} before it ran`);
        queue.splice(older, 1);
      }
      queue.push({ key, event: { ...event }, branch });
      pump();
    },
    idle(): Promise<void> {
      if (!queue.length && !running.size) return Promise.resolve();
      return new Promise((r) => waiters.push(r));
    },
    async stop(): Promise<void> {
      stopped = true;
      queue.length = 0;
      aborter.abort();
      await Promise.allSettled([...running]);
      settleIdle();
    },
  };
}
