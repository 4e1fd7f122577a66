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
 */
import { DurableObject } from "cloudflare:workers";
import type { RunRecord } from "../workers/agent/run-record";
import type { Env } from "../workers/env";
import type { PullRef } from "../workers/forge/forge-client";
import { forgeFromEnv } from "../workers/forge/from-env";
import { repoRefOf } from "../workers/forge/repo-ref";
import { fixerFromEnv, fixSettings } from "../workers/fix/from-env";
import type { FixJob } from "../workers/fix/job";
import { openOrUpdatePull } from "../workers/fix/open-pull";
import type { TestRun } from "../workers/fix/pr-body";
import type { FixStatus, FixSummary, TestTally } from "../workers/fix/summary";
import { readTestOutput } from "../workers/fix/test-results";
import { startBranch, writeFix, type FixAttempt, type FixOutcome } from "../workers/fix/write-fix";
import { runSummary } from "../workers/research/result";
import { projectRepository } from "../workers/research/project-repo";
import { workspaceFromEnv } from "../workers/workspace/from-env";

export const FIX_DIR = "/workspace/repo";

type RunState = "queued" | "running" | "done" | "failed";

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

/** `fx-` and 16 hex digits of the report id's SHA-256: a valid, stable Workspace id */
export async function fixWorkspaceId(report: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`fix:${report}`)));
  return `fx-${Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("")}`;
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
        tests TEXT, run_record TEXT, warnings TEXT, delivered INTEGER NOT NULL DEFAULT 0);
    `);
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
    if ((row.state === "queued" || row.state === "running") && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
    if ((row.state === "done" || row.state === "failed") && !row.delivered) await this.ctx.storage.setAlarm(Date.now());
    return this.view()!;
  }

  async snapshot(): Promise<FixRunView | null> {
    return this.view();
  }

  /** The fix agent's recorded run (every tool call and result); null before one ran. */
  async record(): Promise<RunRecord | null> {
    const row = this.row();
    return row?.run_record ? (JSON.parse(row.run_record) as RunRecord) : null;
  }

  async alarm(): Promise<void> {
    const row = this.row();
    if (!row) return;
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

  private async attempt(row: Row): Promise<void> {
    const report = this.env.REPORTS.get(this.env.REPORTS.idFromName(row.report));
    const input = await report.fixInput();
    if (!input) return this.finish("done", "stale", null, "the report is no longer ready to fix");
    const fixer = fixerFromEnv(this.env);
    if (!fixer) return this.finish("done", "needs_llm_key", null, "writing the fix needs an LLM key: set ANTHROPIC_API_KEY (FIXER=anthropic) and nightshift writes it; until then the report waits for a person");
    const settings = await projectRepository(this.env, row.project);
    if (!settings) return this.finish("done", "no_forge", null, "the project has no repository connected (PATCH /v1/project {repository})");
    const repo = repoRefOf(settings.url);
    const forge = forgeFromEnv(this.env);
    if (!repo || !forge) {
      const why = !repo ? `${settings.url.slice(0, 200)} is not a repository on a forge (https://<host>/<owner>/<repo>)` : "no forge is configured (GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, or LOCAL_FORGE_URL)";
      return this.finish("done", "no_forge", null, `no pull request can be opened: ${why}`);
    }
    const { testTimeoutMs, linkBase } = fixSettings(this.env);
    const branch = `nightshift/${row.report}`;
    let commit = row.commit_sha;
    let base = row.base_branch;
    let tests = row.tests ? (JSON.parse(row.tests) as { baseline: TestRun | null; after: TestRun | null }) : { baseline: null, after: null };
    if (!commit) {
      const ws = workspaceFromEnv(this.env, await fixWorkspaceId(row.report));
      if (await ws.exists(FIX_DIR)) await ws.remove(FIX_DIR, { recursive: true });
      // the project's own repository URL: the forge's clone URL as the project connected it
      const checkout = await ws.gitCheckout(settings.url, settings.branch ?? undefined, FIX_DIR);
      base = settings.branch ?? checkout.branch;
      await startBranch(ws, FIX_DIR, branch);
      const fix: FixAttempt = await writeFix(
        fixer,
        { reportId: row.report, research: input.research, signals: input.signals, workspace: ws, dir: FIX_DIR, testCommand: settings.testCommand },
        { testTimeoutMs },
      );
      tests = { baseline: fix.baseline, after: fix.after };
      this.sql.exec(
        "UPDATE run SET outcome = ?, tests = ?, run_record = ?, branch = ?, base_branch = ?",
        fix.outcome,
        JSON.stringify(tests),
        fix.run ? JSON.stringify(fix.run) : null,
        branch,
        base,
      );
      if (fix.outcome !== "fixed") return this.finish("done", "stopped", fix.outcome, fix.reason);
      const open = await forge.findOpenPull(repo, branch);
      // our own branch: overwritten unless a pull request from it is open (someone may have pushed to it)
      const pushed = await ws.pushBranch(FIX_DIR, branch, settings.url, { token: await forge.pushToken(repo), force: !open });
      commit = pushed.sha;
      this.sql.exec("UPDATE run SET commit_sha = ?, pushes = pushes + 1, reason = ?", commit, fix.reason);
    }
    const fresh = this.row()!;
    const opened = await openOrUpdatePull(forge, repo, branch, base ?? "main", {
      report: { id: row.report },
      linkBase,
      research: input.research,
      evidence: input.evidence,
      tests: { baseline: tests.baseline, result: tests.after },
    });
    this.sql.exec("UPDATE run SET pull = ?, warnings = ?", JSON.stringify(pullView(opened.pull)), JSON.stringify(opened.warnings));
    this.finish("done", "pr_open", (fresh.outcome as FixOutcome | null) ?? "fixed", `draft pull request #${opened.pull.number} ${opened.opened ? "opened" : "updated"}: ${fresh.reason}`.slice(0, 1000));
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
