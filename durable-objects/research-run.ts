/**
 * One Durable Object per research run, keyed `${report}:${revision}`
 * (workers/research/job.ts). The research queue's consumer hands it the job
 * (`start`, idempotent: a redelivered job finds the run and does not start it
 * again); its alarm runs it: it reads the report's signals at that revision,
 * summarizes their evidence, checks out the project's repository in a
 * Workspace of its own (when the project connected one), runs the code
 * researcher (faces from workers/research/from-env.ts) and hands the result —
 * evidence, research output, the bucket, a summary of the recorded run —
 * back to the report (`ReportObject.researchDone`). The whole run record
 * (every tool call and result) stays here: `record()`. Its state (queued / running / done / failed,
 * attempts, started and finished times, the result, the last error) lives in
 * its own SQLite, so a restart resumes where it stopped.
 *
 * Failure: an attempt that throws is retried on the alarm with exponential
 * backoff, at most RESEARCH_MAX_ATTEMPTS attempts; then the run is `failed`
 * and the report is told (`researchFailed`): it stays `researching` with the
 * reason on its record, and the cron sweep's stalled-research re-arm sends the
 * job again with `rearm`, which restarts a failed run (never a done one).
 */
import { DurableObject } from "cloudflare:workers";
import type { RunRecord } from "../workers/agent/run-record";
import type { Env } from "../workers/env";
import { checkoutRepository } from "../workers/research/checkout";
import { researchWithTools } from "../workers/research/with-tools";
import { researchFacesFromEnv, researchRetryPolicy } from "../workers/research/from-env";
import { type ResearchJob, researchRunKey } from "../workers/research/job";
import type { ResearchOutput } from "../workers/research/output";
import { projectRepository } from "../workers/research/project-repo";
import { type ResearchResult, runSummary } from "../workers/research/result";
import type { Evidence } from "../workers/research/research";
import { addColumnIfMissing } from "./add-column";

export type ResearchRunState = "queued" | "running" | "done" | "failed";

export interface ResearchRunView {
  key: string;
  project: string;
  report: string;
  revision: number;
  state: ResearchRunState;
  attempts: number;
  /** how many times `start` was called (deliveries and re-sends), run or not */
  starts: number;
  started_at: number | null;
  finished_at: number | null;
  /** the last attempt's error (kept once a later attempt succeeds) */
  last_error: string | null;
  /** done: what the run found (null when the report had moved on and the run was skipped) */
  outcome: "researched" | "stale" | null;
  /** whether the report has taken the result or the failure */
  delivered: boolean;
}

/** The run's row: the view's fields as stored, with what it found (JSON) and `delivered` as 0/1. */
type RunRow = Omit<ResearchRunView, "key" | "outcome" | "delivered"> & {
  evidence: string | null;
  decision: string | null;
  research: string | null;
  run_record: string | null;
  outcome: string | null;
  delivered: number;
  [key: string]: SqlStorageValue;
};

export class ResearchRunObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS run (
        id INTEGER PRIMARY KEY CHECK (id = 1), project TEXT NOT NULL, report TEXT NOT NULL, revision INTEGER NOT NULL,
        state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, starts INTEGER NOT NULL DEFAULT 0,
        started_at INTEGER, finished_at INTEGER, last_error TEXT, evidence TEXT, decision TEXT, outcome TEXT,
        delivered INTEGER NOT NULL DEFAULT 0);
    `);
    // runs made before research read the code
    addColumnIfMissing(this.sql, "run", "research", "TEXT");
    addColumnIfMissing(this.sql, "run", "run_record", "TEXT");
  }

  /** The queue consumer's entry: stores the job once and lets the alarm run it. */
  async start(job: ResearchJob): Promise<ResearchRunView> {
    const row = this.row();
    if (!row) {
      this.sql.exec("INSERT INTO run (id, project, report, revision, state, starts) VALUES (1, ?, ?, ?, 'queued', 1)", job.project, job.report, job.revision);
      await this.ctx.storage.setAlarm(Date.now());
      return this.view()!;
    }
    if (row.report !== job.report || row.revision !== job.revision) throw new Error(`research run ${row.report}:${row.revision} was addressed as ${job.report}:${job.revision}`);
    this.sql.exec("UPDATE run SET starts = starts + 1");
    if (row.state === "failed" && job.rearm) {
      // the sweep found the report still stalled: a new round of attempts
      this.sql.exec("UPDATE run SET state = 'queued', attempts = 0, delivered = 0, finished_at = NULL");
      await this.ctx.storage.setAlarm(Date.now());
    } else if ((row.state === "done" || row.state === "failed") && !row.delivered) {
      // finished, but the report has not taken it yet: try again now
      await this.ctx.storage.setAlarm(Date.now());
    } else if (row.state === "running" || row.state === "queued") {
      // a restart may have lost the alarm: make sure one is set
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
    }
    return this.view()!;
  }

  async snapshot(): Promise<ResearchRunView | null> {
    return this.view();
  }

  /** The recorded run (every tool call and result) of a run that researched; null otherwise. */
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
    const report = this.env.REPORTS.get(this.env.REPORTS.idFromName(row.report));
    const attempt = row.attempts + 1;
    this.sql.exec("UPDATE run SET state = 'running', attempts = ?, started_at = COALESCE(started_at, ?)", attempt, Date.now());
    const input = await report.researchInput(row.revision);
    if (!input) {
      // the report moved on (a newer revision, merged, quarantined): nothing to research at this revision
      this.sql.exec("UPDATE run SET state = 'done', outcome = 'stale', finished_at = ?", Date.now());
      await this.deliver();
      return;
    }
    try {
      const { researcher, codeResearcher, fallback } = researchFacesFromEnv(this.env, attempt);
      const evidence = await researcher.research(input);
      const settings = await projectRepository(this.env, row.project);
      const repo = settings ? await checkoutRepository(this.env, researchRunKey(row), settings) : null;
      const { output, run } = await researchWithTools(this.env, codeResearcher, fallback, { report: input, evidence, repo, tools: [] });
      const decision = { bucket: output.actionability.bucket, rule: output.actionability.rule, reason: output.actionability.reason };
      this.sql.exec(
        "UPDATE run SET state = 'done', outcome = 'researched', evidence = ?, decision = ?, research = ?, run_record = ?, finished_at = ?",
        JSON.stringify(evidence),
        JSON.stringify(decision),
        JSON.stringify(output),
        JSON.stringify(run),
        Date.now(),
      );
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const policy = researchRetryPolicy(this.env);
      if (attempt < policy.maxAttempts) {
        this.sql.exec("UPDATE run SET state = 'queued', last_error = ?", reason.slice(0, 1000));
        await this.ctx.storage.setAlarm(Date.now() + policy.baseMs * 2 ** (attempt - 1));
        return;
      }
      this.sql.exec("UPDATE run SET state = 'failed', last_error = ?, finished_at = ?", reason.slice(0, 1000), Date.now());
    }
    await this.deliver();
  }

  /** Hands the result (or the failure) to the report; a report that cannot be reached is retried on the alarm. */
  private async deliver(): Promise<void> {
    const row = this.row()!;
    const report = this.env.REPORTS.get(this.env.REPORTS.idFromName(row.report));
    try {
      if (row.state === "failed") {
        await report.researchFailed({ revision: row.revision, attempts: row.attempts, reason: row.last_error ?? "unknown error" });
      } else {
        await report.researchDone({ revision: row.revision, result: row.outcome === "researched" ? this.result(row) : null });
      }
      this.sql.exec("UPDATE run SET delivered = 1");
    } catch (err) {
      console.error(`research run ${row.report}:${row.revision}: report not told yet: ${String(err)}`);
      await this.ctx.storage.setAlarm(Date.now() + researchRetryPolicy(this.env).baseMs);
    }
  }

  private result(row: RunRow): ResearchResult {
    const record = row.run_record ? (JSON.parse(row.run_record) as RunRecord) : null;
    return {
      evidence: JSON.parse(row.evidence!) as Evidence,
      decision: JSON.parse(row.decision!) as ResearchResult["decision"],
      research: row.research ? (JSON.parse(row.research) as ResearchOutput) : null,
      run: record ? runSummary(record, researchRunKey(row)) : null,
    };
  }

  private row(): RunRow | null {
    return this.sql.exec<RunRow>("SELECT * FROM run WHERE id = 1").toArray()[0] ?? null;
  }

  private view(): ResearchRunView | null {
    const r = this.row();
    if (!r) return null;
    return {
      key: researchRunKey(r),
      project: r.project,
      report: r.report,
      revision: r.revision,
      state: r.state,
      attempts: r.attempts,
      starts: r.starts,
      started_at: r.started_at,
      finished_at: r.finished_at,
      last_error: r.last_error,
      outcome: (r.outcome as ResearchRunView["outcome"]) ?? null,
      delivered: r.delivered === 1,
    };
  }
}
