/**
 * One Durable Object per report's fix (issue 9), keyed by the report id: it
 * writes the fix in a Workspace of its own, pushes the branch
 * `nightshift/<report>` and opens a draft pull request, then (babysitting,
 * next) follows that pull request. The report starts it when research finds
 * it actionable (`ReportObject.researchDone` → `start`, idempotent); its alarm
 * does the work, so nothing blocks the report.
 *
 * Steps of an attempt: the report's research and signals (`fixInput`; a
 * report no longer ready → stale) → the fixer (fix/from-env.ts; none → stops
 * with "needs an LLM key") → the project's repository on a forge
 * (forge/from-env.ts; none → no_forge) → checkout of the forge's clone URL,
 * `writeFix` (baseline, fixer, tests, diff guard, commit) → push with the
 * forge's token (never in the sandbox) → draft pull request, reviewers, label.
 * A fix that is not "fixed" stops the run with the outcome's reason. Once the
 * commit is pushed it is remembered: a retried attempt opens the pull request
 * without writing the fix again. Errors (a sandbox or forge down) retry with
 * backoff up to FIX_MAX_ATTEMPTS, then the run is `failed` with the reason.
 * Every status change is handed to the report (`fixUpdate`), which shows it
 * and tells the inbox; a report that cannot be reached is retried on the alarm.
 *
 * Babysitting (state `watching`): webhooks about the pull request wake the
 * run (`wake`, from the GitHub route; also a poll every FIX_POLL_S); it reads
 * the pull request, its feedback and the check runs on its head from the
 * forge and asks `nextStep` (fix/babysit.ts): merged / closed end the run;
 * a trusted review comment or a CI failure starts a round — a fresh checkout
 * of the branch, the fixer with the comment or the failing logs as fenced
 * feedback, the tests against the first baseline, the diff guard, a new
 * commit pushed (never forced), the comment answered — at most
 * FIX_MAX_CI_ROUNDS rounds for CI and FIX_MAX_ROUNDS in all; green when CI
 * passed and nothing trusted waits. The journal (handled comments, answered
 * heads, deliveries) makes redelivered webhooks harmless.
 *
 * Outcomes: merged → `soaking` for FIX_SOAK_DAYS; signals joining the report
 * meanwhile (`recurred`, from the report) → regressed; none → verified.
 * Closed without merging → closed, with the last trusted word as the reason,
 * kept as a rejection that the next attempt's agent reads.
 */
import { DurableObject } from "cloudflare:workers";
import type { RunRecord } from "../workers/agent/run-record";
import type { Env } from "../workers/env";
import type { ForgeClient, PullRef, RepoRef } from "../workers/forge/forge-client";
import { type BabysitStep, commentKey, nextStep } from "../workers/fix/babysit";
import type { Fixer, FixFeedback } from "../workers/fix/fixer";
import { buildPullRequest } from "../workers/fix/pr-body";
import type { ProjectRepository } from "../workers/research/project-repo";
import type { ReportObject } from "./report";
import { forgeFromEnv } from "../workers/forge/from-env";
import { repoRefOf } from "../workers/forge/repo-ref";
import { fixerFromEnv, fixSettings } from "../workers/fix/from-env";
import type { FixJob } from "../workers/fix/job";
import { openOrUpdatePull } from "../workers/fix/open-pull";
import type { TestRun } from "../workers/fix/pr-body";
import type { FixStatus, FixSummary, TestTally } from "../workers/fix/summary";
import { readTestOutput } from "../workers/fix/test-results";
import { startBranch, writeFix, type FixAttempt, type FixOutcome } from "../workers/fix/write-fix";
import { mergeBase } from "../workers/fix/merge-base";
import { runSummary } from "../workers/research/result";
import { projectRepository } from "../workers/research/project-repo";
import { workspaceFromEnv } from "../workers/workspace/from-env";
import { workspaceIdFor } from "../workers/workspace/workspace-id";
import type { Workspace, WorkspaceBackup } from "../workers/workspace/workspace";
import { resumeCheckout, saveCheckout } from "../workers/fix/resume-checkout";
import { addColumnIfMissing } from "./add-column";

export const FIX_DIR = "/workspace/repo";

/** statuses of a run whose pull request is open or merged: never started over */
const KEEPS_ITS_PULL: readonly FixStatus[] = ["merged", "green", "pr_open"];

type RunState = "queued" | "running" | "watching" | "soaking" | "done" | "failed";

interface Row {
  project: string;
  report: string;
  revision: number;
  state: RunState;
  status: FixStatus;
  outcome: string | null;
  reason: string;
  attempts: number;
  starts: number;
  started_at: number | null;
  finished_at: number | null;
  last_error: string | null;
  branch: string | null;
  base_branch: string | null;
  commit_sha: string | null;
  pushes: number;
  pull: string | null;
  tests: string | null;
  run_record: string | null;
  warnings: string | null;
  delivered: number;
  repository: string | null;
  pull_number: number | null;
  rounds: number;
  ci_rounds: number;
  cost: string | null;
  ignored: string | null;
  errors: number;
  soak_until: number | null;
  /** every round's agent run, oldest first (JSON) */
  runs: string | null;
  /** pull requests a person closed without merging, and why (JSON): the next attempt reads them */
  rejected: string | null;
  /** the checkout backed up after a push (WorkspaceBackup JSON): later rounds resume from it */
  checkout_backup: string | null;
  [key: string]: SqlStorageValue;
}

export interface FixRunView {
  report: string;
  project: string;
  revision: number;
  state: RunState;
  summary: FixSummary;
  starts: number;
  started_at: number | null;
  finished_at: number | null;
  last_error: string | null;
  commit_sha: string | null;
  warnings: string[];
  delivered: boolean;
}

function tally(run: TestRun | null): TestTally | null {
  if (!run) return null;
  const r = readTestOutput(run.output);
  return { exit_code: run.exitCode, passed: r.passed, failed: r.failed };
}

export class FixRunObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS run (
        id INTEGER PRIMARY KEY CHECK (id = 1), project TEXT NOT NULL, report TEXT NOT NULL, revision INTEGER NOT NULL,
        state TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT, reason TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0, starts INTEGER NOT NULL DEFAULT 0, started_at INTEGER, finished_at INTEGER,
        last_error TEXT, branch TEXT, base_branch TEXT, commit_sha TEXT, pushes INTEGER NOT NULL DEFAULT 0, pull TEXT,
        tests TEXT, run_record TEXT, warnings TEXT, delivered INTEGER NOT NULL DEFAULT 0,
        repository TEXT, pull_number INTEGER, rounds INTEGER NOT NULL DEFAULT 0, ci_rounds INTEGER NOT NULL DEFAULT 0,
        cost TEXT, ignored TEXT, errors INTEGER NOT NULL DEFAULT 0, soak_until INTEGER, runs TEXT, rejected TEXT);
      CREATE TABLE IF NOT EXISTS journal (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
    `);
    // runs made before later rounds resumed from a backup
    addColumnIfMissing(this.sql, "run", "checkout_backup", "TEXT");
  }

  /** The report's entry: stores the job once and lets the alarm run it. */
  async start(job: FixJob): Promise<FixRunView> {
    const row = this.row();
    if (!row) {
      this.sql.exec("INSERT INTO run (project, report, revision, state, status, reason, starts, id) VALUES (?, ?, ?, 'queued', 'queued', 'waiting to start', 1, 1)", job.project, job.report, job.revision);
      await this.ctx.storage.setAlarm(Date.now());
      return this.view()!;
    }
    if (row.report !== job.report) throw new Error(`fix run ${row.report} was addressed as ${job.report}`);
    this.sql.exec("UPDATE run SET starts = starts + 1");
    // the report is ready again after newer research (its fix was rejected or did not hold): a new attempt
    if (job.revision > row.revision && (row.state === "done" || row.state === "failed") && !KEEPS_ITS_PULL.includes(row.status)) {
      await this.requeue(job, `researched again (revision ${job.revision}) after the last attempt ended ${row.status}`);
      return this.view()!;
    }
    if ((row.state === "queued" || row.state === "running") && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
    if ((row.state === "done" || row.state === "failed") && !row.delivered) await this.ctx.storage.setAlarm(Date.now());
    return this.view()!;
  }

  /**
   * Start over (a person asked, POST /v1/reports/:id/fix): a run that ended
   * without an open pull request is queued again from a fresh checkout; one
   * that works, watches a pull request or soaks a merged one is left alone.
   * A run that never started is started.
   */
  async restart(job: FixJob): Promise<{ restarted: boolean; status: FixStatus; summary: FixSummary | null }> {
    const row = this.row();
    if (!row) {
      const view = await this.start(job);
      return { restarted: true, status: view.summary.status, summary: view.summary };
    }
    if (row.state !== "done" && row.state !== "failed") return { restarted: false, status: row.status, summary: this.summary(row) };
    if (KEEPS_ITS_PULL.includes(row.status)) return { restarted: false, status: row.status, summary: this.summary(row) };
    // read before the alarm may run; the run tells the report when it has an outcome, as on a first start
    const summary = await this.requeue(job, "asked again by a person");
    return { restarted: true, status: "queued", summary };
  }

  /** A new attempt from a fresh checkout; what earlier attempts taught (`rejected`), rounds and cost are kept. */
  private async requeue(job: FixJob, reason: string): Promise<FixSummary> {
    this.sql.exec(
      "UPDATE run SET state = 'queued', status = 'queued', reason = ?, outcome = NULL, attempts = 0, commit_sha = NULL, pull = NULL, pull_number = NULL, tests = NULL, errors = 0, finished_at = NULL, soak_until = NULL, checkout_backup = NULL, revision = ?, delivered = 0",
      reason,
      job.revision,
    );
    this.sql.exec("DELETE FROM journal");
    const summary = this.summary(this.row()!);
    await this.ctx.storage.setAlarm(Date.now());
    return summary;
  }

  async snapshot(): Promise<FixRunView | null> {
    return this.view();
  }

  /** Every round's recorded run, oldest first: the first fix, then each answer to CI or a review. */
  async records(): Promise<RunRecord[]> {
    const row = this.row();
    return row?.runs ? (JSON.parse(row.runs) as RunRecord[]) : [];
  }

  /**
   * A webhook about this run's pull request (or its branch): look at the forge
   * again now. Ignored for another project, or unless the run is watching a
   * pull request; a delivery seen before changes nothing.
   */
  async wake(input: { project: string; delivery: string; event: string }): Promise<{ woke: boolean }> {
    const row = this.row();
    if (!row || row.project !== input.project || row.state !== "watching") return { woke: false };
    const key = `delivery:${input.delivery}`;
    if (this.journaled(key)) return { woke: false };
    this.journal(key);
    await this.ctx.storage.setAlarm(Date.now());
    return { woke: true };
  }

  /**
   * Signals joined the report while its merged fix soaks: the problem came
   * back after the deploy. The fix is marked regressed and the report shows it
   * (the inbox flags it for a person); outside the soak window nothing changes.
   */
  async recurred(input: { at: number; signals: number }): Promise<{ regressed: boolean }> {
    const row = this.row();
    if (!row || row.state !== "soaking") return { regressed: false };
    // the next attempt's agent is told this approach was merged and did not hold
    this.remember({ pull: row.pull_number ?? 0, reason: `merged, but the problem came back after the deploy (${input.signals} new signal${input.signals === 1 ? "" : "s"})` });
    this.finish("done", "regressed", null, `the problem came back after the merge: ${input.signals} new signal${input.signals === 1 ? "" : "s"} at ${new Date(input.at).toISOString()} joined the report within the soak window`);
    await this.ctx.storage.deleteAlarm();
    await this.deliver();
    return { regressed: true };
  }

  async alarm(): Promise<void> {
    const row = this.row();
    if (!row) return;
    if (row.state === "watching") return this.watch(row);
    if (row.state === "soaking") {
      if (Date.now() >= (row.soak_until ?? 0)) {
        this.finish("done", "verified", null, `no signal of this problem in the ${Math.round(fixSettings(this.env).soakMs / 86_400_000)} days after the merge`);
      } else {
        await this.ctx.storage.setAlarm(row.soak_until!);
      }
      if (!this.row()!.delivered) await this.deliver();
      return;
    }
    if (row.state === "done" || row.state === "failed") {
      if (!row.delivered) await this.deliver();
      return;
    }
    const attempt = row.attempts + 1;
    this.sql.exec("UPDATE run SET state = 'running', status = 'running', reason = 'writing the fix', attempts = ?, started_at = COALESCE(started_at, ?), delivered = 0", attempt, Date.now());
    try {
      await this.attempt(row);
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      const policy = fixSettings(this.env);
      if (attempt < policy.maxAttempts) {
        this.sql.exec("UPDATE run SET state = 'queued', status = 'queued', reason = ?, last_error = ?", `attempt ${attempt} failed; retrying: ${reason}`.slice(0, 1000), reason);
        await this.ctx.storage.setAlarm(Date.now() + policy.baseMs * 2 ** (attempt - 1));
        await this.deliver();
        return;
      }
      this.finish("failed", "failed", null, `the fix run failed after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${reason}`, reason);
    }
    await this.deliver();
  }

  /** The first round: the fix written, pushed, the draft pull request opened; then the run watches it. */
  private async attempt(row: Row): Promise<void> {
    const ctx = await this.context(row);
    if ("stop" in ctx) return this.finish("done", ctx.stop.status, null, ctx.stop.reason);
    const { input, fixer, settings, repo, forge } = ctx;
    const { testTimeoutMs, linkBase } = fixSettings(this.env);
    const branch = `nightshift/${row.report}`;
    let base = row.base_branch;
    let tests = row.tests ? (JSON.parse(row.tests) as { baseline: TestRun | null; after: TestRun | null }) : { baseline: null, after: null };
    if (!row.commit_sha) {
      const ws = workspaceFromEnv(this.env, await workspaceIdFor("fx", `fix:${row.report}`));
      if (await ws.exists(FIX_DIR)) await ws.remove(FIX_DIR, { recursive: true });
      // the project's own repository URL: the forge's clone URL as the project connected it
      const checkout = await ws.gitCheckout(settings.url, settings.branch ?? undefined, FIX_DIR);
      base = settings.branch ?? checkout.branch;
      await startBranch(ws, FIX_DIR, branch);
      const fix: FixAttempt = await writeFix(
        fixer,
        {
          reportId: row.report,
          research: input.research,
          signals: input.signals,
          workspace: ws,
          dir: FIX_DIR,
          testCommand: settings.testCommand,
          rejected: row.rejected ? (JSON.parse(row.rejected) as { pull: number; reason: string }[]) : [],
        },
        { testTimeoutMs },
      );
      tests = { baseline: fix.baseline, after: fix.after };
      this.sql.exec("UPDATE run SET outcome = ?, tests = ?, branch = ?, base_branch = ?, rounds = rounds + 1", fix.outcome, JSON.stringify(tests), branch, base);
      this.keepRun(fix.run);
      // the Messages API failing (after the SDK's own retries) may pass: the attempt is retried with backoff
      if (fix.outcome === "fixer_stopped" && fix.run?.stop_reason === "model_error") throw new Error(fix.reason);
      if (fix.outcome !== "fixed") return this.finish("done", "stopped", fix.outcome, fix.reason);
      const open = await forge.findOpenPull(repo, branch);
      // our own branch: overwritten unless a pull request from it is open (someone may have pushed to it)
      const pushed = await ws.pushBranch(FIX_DIR, branch, settings.url, { token: await forge.pushToken(repo), force: !open });
      this.sql.exec("UPDATE run SET commit_sha = ?, pushes = pushes + 1, reason = ?", pushed.sha, fix.reason);
      await this.saveCheckout(ws, row.report);
    }
    const fresh = this.row()!;
    const opened = await openOrUpdatePull(forge, repo, branch, base ?? "main", {
      report: { id: row.report },
      linkBase,
      research: input.research,
      evidence: input.evidence,
      tests: { baseline: tests.baseline, result: tests.after },
    });
    const full = `${repo.owner}/${repo.repo}`;
    await this.env.DB.prepare("INSERT OR IGNORE INTO fix_pulls (project_id, repository, number, report_id, opened_at) VALUES (?, ?, ?, ?, ?)")
      .bind(row.project, full, opened.pull.number, row.report, Date.now())
      .run();
    this.sql.exec("UPDATE run SET pull = ?, repository = ?, pull_number = ?", JSON.stringify(pullView(opened.pull)), full, opened.pull.number);
    for (const w of opened.warnings) this.warn(w);
    this.finish("watching", "pr_open", (fresh.outcome as FixOutcome | null) ?? "fixed", `draft pull request #${opened.pull.number} ${opened.opened ? "opened" : "updated"}: ${fresh.reason}`.slice(0, 1000));
    await this.ctx.storage.setAlarm(Date.now() + fixSettings(this.env).pollMs);
  }

  /** What every round needs, or why there can be none. */
  private async context(row: Row): Promise<
    | { stop: { status: FixStatus; reason: string } }
    | { input: NonNullable<Awaited<ReturnType<ReportObject["fixInput"]>>>; fixer: Fixer; settings: ProjectRepository; repo: RepoRef; forge: ForgeClient }
  > {
    const report = this.env.REPORTS.get(this.env.REPORTS.idFromName(row.report));
    const input = await report.fixInput();
    if (!input) return { stop: { status: "stale", reason: "the report is no longer ready to fix" } };
    const fixer = fixerFromEnv(this.env);
    if (!fixer) return { stop: { status: "needs_llm_key", reason: "writing the fix needs an LLM key: set ANTHROPIC_API_KEY (FIXER=anthropic) and nightshift writes it; until then the report waits for a person" } };
    const settings = await projectRepository(this.env, row.project);
    if (!settings) return { stop: { status: "no_forge", reason: "the project has no repository connected (PATCH /v1/project {repository})" } };
    const repo = repoRefOf(settings.url);
    const forge = forgeFromEnv(this.env);
    if (!repo || !forge) {
      const why = !repo ? `${settings.url.slice(0, 200)} is not a repository on a forge (https://<host>/<owner>/<repo>)` : "no forge is configured (GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, or LOCAL_FORGE_URL)";
      return { stop: { status: "no_forge", reason: `no pull request can be opened: ${why}` } };
    }
    return { input, fixer, settings, repo, forge };
  }

  /** One look at the open pull request (fix/babysit.ts decides), and what follows from it. */
  private async watch(row: Row): Promise<void> {
    const policy = fixSettings(this.env);
    try {
      const ctx = await this.context(row);
      if ("stop" in ctx) {
        this.finish("done", ctx.stop.status === "stale" ? "stopped" : ctx.stop.status, null, ctx.stop.reason);
        return this.deliver();
      }
      const { forge, repo } = ctx;
      const pull = await forge.getPull(repo, row.pull_number!);
      const [feedback, checks] = await Promise.all([forge.feedback(repo, pull.number), forge.checkRuns(repo, pull.headSha)]);
      const step = nextStep({
        pull,
        feedback,
        checks,
        journal: new Set(this.sql.exec<{ key: string }>("SELECT key FROM journal").toArray().map((r) => r.key)),
        // the pull request is nightshift's own: its author's comments (the answers it posts) are never feedback
        ownLogins: [pull.author],
        trustedBots: [...policy.trustedBots, ...ctx.settings.reviewBots],
        ciRounds: row.ci_rounds,
        maxCiRounds: policy.maxCiRounds,
        rounds: row.rounds,
        maxRounds: policy.maxRounds,
      });
      this.sql.exec("UPDATE run SET pull = ?, errors = 0", JSON.stringify(pullView(pull)));
      switch (step.kind) {
        case "merged": {
          // soaking: signals of this problem arriving now mean the fix did not hold (recurred)
          const until = Date.now() + policy.soakMs;
          this.finish("soaking", "merged", null, `${step.reason}; watching for the problem to come back until ${new Date(until).toISOString()}`);
          this.sql.exec("UPDATE run SET soak_until = ?", until);
          await this.ctx.storage.setAlarm(until);
          break;
        }
        case "closed": {
          // a rejection teaches: the next attempt (POST /v1/reports/:id/fix) is told why
          this.remember({ pull: pull.number, reason: step.reason });
          this.finish("done", "closed", null, step.reason);
          break;
        }
        case "give_up":
          this.finish("done", "stopped", null, step.reason);
          break;
        case "show": {
          const ignored = row.ignored ? (JSON.parse(row.ignored) as FixSummary["ignored_comments"]) : [];
          for (const c of step.comments) {
            this.journal(commentKey(c));
            ignored.push({ author: c.author, association: c.authorAssociation, excerpt: c.body.trim().slice(0, 200) });
          }
          this.sql.exec("UPDATE run SET ignored = ?, delivered = 0", JSON.stringify(ignored.slice(-20)));
          // look again at once: trusted feedback or CI may wait behind these
          await this.ctx.storage.setAlarm(Date.now());
          break;
        }
        case "review_round":
        case "ci_round":
        case "conflict_round":
          await this.round(row, ctx, pull, step);
          break;
        case "wait":
        case "green":
          if (row.status !== (step.kind === "green" ? "green" : "pr_open") || row.reason !== step.reason) {
            this.sql.exec("UPDATE run SET status = ?, reason = ?, delivered = 0", step.kind === "green" ? "green" : "pr_open", step.reason);
          }
          // the forge is still computing whether it merges: look again soon, once for this (base, head)
          if (step.kind === "wait" && step.recheck) {
            this.journal(step.recheck);
            await this.ctx.storage.setAlarm(Date.now() + policy.baseMs);
          }
          break;
      }
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      this.sql.exec("UPDATE run SET last_error = ?, errors = errors + 1", reason);
      const errors = this.row()!.errors;
      await this.ctx.storage.setAlarm(Date.now() + Math.min(policy.baseMs * 2 ** Math.min(errors - 1, 10), policy.pollMs));
      return;
    }
    const after = this.row()!;
    if (after.state === "watching" && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + policy.pollMs);
    if (!after.delivered) await this.deliver();
  }

  /**
   * A later round on the pushed branch: the fixer answers a trusted review or a CI failure with a
   * new commit; a pull request that no longer merges gets its base merged in (fix/merge-base.ts:
   * clean, or conflicts the fixer resolves), pushed as a merge commit.
   */
  private async round(
    row: Row,
    ctx: { input: NonNullable<Awaited<ReturnType<ReportObject["fixInput"]>>>; fixer: Fixer; settings: ProjectRepository; repo: RepoRef; forge: ForgeClient },
    pull: PullRef,
    step: Extract<BabysitStep, { kind: "review_round" | "ci_round" | "conflict_round" }>,
  ): Promise<void> {
    const { input, fixer, settings, repo, forge } = ctx;
    const { testTimeoutMs, linkBase } = fixSettings(this.env);
    const feedback: FixFeedback[] =
      step.kind === "review_round"
        ? step.comments.map((c) => ({ kind: "review_comment", from: `${c.author} (${c.authorAssociation.toLowerCase()})`, text: c.body, path: c.path, line: c.line }))
        : step.kind === "ci_round"
          ? await Promise.all(
              step.failing.slice(0, 3).map(async (c) => ({
                kind: "ci_failure" as const,
                from: c.name,
                text: (await forge.checkRunLog(repo, c.id, 16_384).catch(() => null)) ?? [c.title, c.summary, c.text].filter(Boolean).join("\n"),
              })),
            )
          : [];
    const ws = workspaceFromEnv(this.env, await workspaceIdFor("fx", `fix:${row.report}`));
    // the backed-up checkout (with its installed dependencies) reset to the pushed head, else a fresh clone
    const resumed = await resumeCheckout(ws, FIX_DIR, settings.url, pull.headRef, row.checkout_backup ? (JSON.parse(row.checkout_backup) as WorkspaceBackup) : null);
    if (resumed.warning) this.warn(resumed.warning);
    const tests = row.tests ? (JSON.parse(row.tests) as { baseline: TestRun | null; after: TestRun | null }) : { baseline: null, after: null };
    if (step.kind === "conflict_round") {
      const merged = await mergeBase(
        fixer,
        { reportId: row.report, research: input.research, signals: input.signals, workspace: ws, dir: FIX_DIR, testCommand: settings.testCommand },
        { base: step.base, branch: pull.headRef, baseline: tests.baseline, testTimeoutMs },
      );
      this.sql.exec("UPDATE run SET rounds = rounds + 1");
      this.keepRun(merged.run);
      if (merged.outcome === "up_to_date") {
        this.journal(step.key);
        this.sql.exec("UPDATE run SET status = 'pr_open', reason = ?, delivered = 0", `${merged.reason}; nothing to push`.slice(0, 1000));
        return;
      }
      if (merged.outcome !== "merged") {
        this.finish("done", "stopped", merged.outcome, `conflicts with ${step.base}: ${merged.reason}`.slice(0, 1000));
        return;
      }
      // a merge commit on top of the head: a fast-forward, never forced
      const pushed = await ws.pushBranch(FIX_DIR, pull.headRef, settings.url, { token: await forge.pushToken(repo) });
      this.journal(step.key);
      if (resumed.how === "cloned") await this.saveCheckout(ws, row.report);
      const merge = { baseline: tests.baseline, after: merged.after };
      const how = merged.conflicts.length ? `resolving conflicts in ${merged.conflicts.slice(0, 3).join(", ")}${merged.conflicts.length > 3 ? ", …" : ""}` : "cleanly";
      this.sql.exec("UPDATE run SET commit_sha = ?, pushes = pushes + 1, tests = ?, status = 'pr_open', reason = ?, delivered = 0", pushed.sha, JSON.stringify(merge), `pushed ${pushed.sha.slice(0, 12)} merging ${step.base} ${how}; waiting for CI`.slice(0, 1000));
      await forge.updatePullBody(repo, pull.number, buildPullRequest({ report: { id: row.report }, linkBase, research: input.research, evidence: input.evidence, tests: { baseline: merge.baseline, result: merge.after } }).body);
      return;
    }
    const fix = await writeFix(
      fixer,
      { reportId: row.report, research: input.research, signals: input.signals, workspace: ws, dir: FIX_DIR, testCommand: settings.testCommand, feedback },
      { testTimeoutMs, baseline: tests.baseline, requireCoverage: false },
    );
    this.sql.exec("UPDATE run SET rounds = rounds + 1, ci_rounds = ci_rounds + ?", step.kind === "ci_round" ? 1 : 0);
    this.keepRun(fix.run);
    const what = step.kind === "ci_round" ? `CI failure (${step.failing.map((c) => c.name).join(", ")})` : `review by ${[...new Set(step.comments.map((c) => c.author))].join(", ")}`;
    if (fix.outcome !== "fixed") {
      this.finish("done", "stopped", fix.outcome, `answering the ${what}: ${fix.reason}`.slice(0, 1000));
      return;
    }
    const pushed = await ws.pushBranch(FIX_DIR, pull.headRef, settings.url, { token: await forge.pushToken(repo) });
    if (resumed.how === "cloned") await this.saveCheckout(ws, row.report);
    if (step.kind === "ci_round") this.journal(`ci:${pull.headSha}`);
    for (const c of step.kind === "review_round" ? step.comments : []) {
      this.journal(commentKey(c));
      const answer = `Pushed ${pushed.sha.slice(0, 12)} for this: ${fix.answer?.summary ?? "see the commit"}`.slice(0, 1000);
      const posted = c.kind === "review_comment" ? await forge.replyToReviewComment(repo, pull.number, c.id, answer) : await forge.comment(repo, pull.number, `@${c.author} ${answer}`);
      this.journal(`comment:${c.kind === "review_comment" ? "review_comment" : "issue_comment"}:${posted.id}`);
    }
    const newTests = { baseline: tests.baseline, after: fix.after };
    this.sql.exec("UPDATE run SET commit_sha = ?, pushes = pushes + 1, tests = ?, outcome = ?, status = 'pr_open', reason = ?, delivered = 0", pushed.sha, JSON.stringify(newTests), fix.outcome, `pushed ${pushed.sha.slice(0, 12)} answering the ${what}; waiting for CI`.slice(0, 1000));
    await forge.updatePullBody(repo, pull.number, buildPullRequest({ report: { id: row.report }, linkBase, research: input.research, evidence: input.evidence, tests: { baseline: newTests.baseline, result: newTests.after } }).body);
  }

  /** the checkout in FIX_DIR backed up for later rounds, where the Workspace keeps backups (fix/resume-checkout.ts) */
  private async saveCheckout(ws: Workspace, report: string): Promise<void> {
    const saved = await saveCheckout(ws, FIX_DIR, `fix-${report}`);
    if (saved.backup) this.sql.exec("UPDATE run SET checkout_backup = ?", JSON.stringify(saved.backup));
    if (saved.warning) this.warn(saved.warning);
  }

  /** a note for the run's record (its last 20 kept) */
  private warn(warning: string): void {
    const row = this.row()!;
    const warnings = row.warnings ? (JSON.parse(row.warnings) as string[]) : [];
    if (warnings.includes(warning.slice(0, 500))) return;
    warnings.push(warning.slice(0, 500));
    this.sql.exec("UPDATE run SET warnings = ?", JSON.stringify(warnings.slice(-20)));
  }

  /** the latest agent run, and its tokens and cost added to the fix's totals */
  private keepRun(run: RunRecord | null): void {
    if (!run) return;
    const row = this.row()!;
    const cost = row.cost ? (JSON.parse(row.cost) as Omit<FixSummary["cost"], "rounds" | "ci_rounds">) : { tool_calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
    cost.tool_calls += run.tool_calls;
    cost.input_tokens += run.input_tokens;
    cost.output_tokens += run.output_tokens;
    cost.cost_usd = Math.round((cost.cost_usd + run.cost_usd) * 1e6) / 1e6;
    const runs = row.runs ? (JSON.parse(row.runs) as RunRecord[]) : [];
    runs.push(run);
    this.sql.exec("UPDATE run SET run_record = ?, cost = ?, runs = ?", JSON.stringify(run), JSON.stringify(cost), JSON.stringify(runs.slice(-12)));
  }

  /** an attempt that did not work (closed without merging, or merged and regressed): the next attempt's agent reads it */
  private remember(attempt: { pull: number; reason: string }): void {
    const row = this.row()!;
    const rejected = row.rejected ? (JSON.parse(row.rejected) as { pull: number; reason: string }[]) : [];
    rejected.push(attempt);
    this.sql.exec("UPDATE run SET rejected = ?", JSON.stringify(rejected.slice(-10)));
  }

  private journal(key: string): void {
    this.sql.exec("INSERT OR IGNORE INTO journal (key, at) VALUES (?, ?)", key, Date.now());
  }

  private journaled(key: string): boolean {
    return this.sql.exec("SELECT 1 FROM journal WHERE key = ?", key).toArray().length > 0;
  }

  private finish(state: RunState, status: FixStatus, outcome: FixOutcome | null, reason: string, lastError?: string): void {
    this.sql.exec(
      "UPDATE run SET state = ?, status = ?, outcome = COALESCE(?, outcome), reason = ?, last_error = COALESCE(?, last_error), finished_at = ?, delivered = 0",
      state,
      status,
      outcome,
      reason.slice(0, 1000),
      lastError ?? null,
      Date.now(),
    );
  }

  /** Hands the summary to the report; a report that cannot be reached is retried on the alarm. */
  private async deliver(): Promise<void> {
    const row = this.row()!;
    const report = this.env.REPORTS.get(this.env.REPORTS.idFromName(row.report));
    try {
      await report.fixUpdate(this.summary(row));
      this.sql.exec("UPDATE run SET delivered = 1");
    } catch (err) {
      console.error(`fix run ${row.report}: report not told yet: ${String(err)}`);
      const alarm = await this.ctx.storage.getAlarm();
      if (alarm === null) await this.ctx.storage.setAlarm(Date.now() + fixSettings(this.env).baseMs);
    }
  }

  private summary(row: Row): FixSummary {
    const tests = row.tests ? (JSON.parse(row.tests) as { baseline: TestRun | null; after: TestRun | null }) : null;
    const record = row.run_record ? (JSON.parse(row.run_record) as RunRecord) : null;
    return {
      status: row.status,
      reason: row.reason,
      outcome: (row.outcome as FixOutcome | null) ?? null,
      branch: row.branch,
      pull: row.pull ? (JSON.parse(row.pull) as FixSummary["pull"]) : null,
      pushes: row.pushes,
      tests: { baseline: tally(tests?.baseline ?? null), after: tally(tests?.after ?? null) },
      run: record ? runSummary(record, `fix:${row.report}`) : null,
      cost: { rounds: row.rounds, ci_rounds: row.ci_rounds, ...(row.cost ? JSON.parse(row.cost) : { tool_calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 }) },
      ignored_comments: row.ignored ? (JSON.parse(row.ignored) as FixSummary["ignored_comments"]) : [],
      attempts: row.attempts,
      updated_at: Date.now(),
    };
  }

  private row(): Row | null {
    return this.sql.exec<Row>("SELECT * FROM run WHERE id = 1").toArray()[0] ?? null;
  }

  private view(): FixRunView | null {
    const r = this.row();
    if (!r) return null;
    return {
      report: r.report,
      project: r.project,
      revision: r.revision,
      state: r.state,
      summary: this.summary(r),
      starts: r.starts,
      started_at: r.started_at,
      finished_at: r.finished_at,
      last_error: r.last_error,
      commit_sha: r.commit_sha,
      warnings: r.warnings ? (JSON.parse(r.warnings) as string[]) : [],
      delivered: r.delivered === 1,
    };
  }
}

function pullView(p: PullRef): NonNullable<FixSummary["pull"]> {
  return { number: p.number, url: p.url, html_url: p.htmlUrl, head_sha: p.headSha, draft: p.draft };
}
