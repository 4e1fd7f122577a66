/**
 * One Durable Object per report: its signals (with the link that grouped
 * each), total weight and lifecycle state. Crossing the promotion threshold
 * makes it a candidate and schedules research on its alarm; there the report
 * judge (workers/safety/report-judge.ts, face from workers/safety/from-env.ts)
 * reads the whole report first and quarantines an unsafe one; otherwise a
 * research job `{project, report, revision}` goes to the research queue, and a
 * research run Durable Object (durable-objects/research-run.ts) runs research
 * and actionability off this alarm and hands the result back (`researchDone`),
 * which decides ready / needs_input / not_actionable, and the project's inbox
 * is told. `revision` counts changes to the signal set: a result for an older
 * revision is ignored and the report is judged and researched again. D1
 * `reports` mirrors the listing fields.
 */
import { DurableObject } from "cloudflare:workers";
import { addColumnIfMissing } from "./add-column";
import type { ActionabilityDecision } from "../workers/actionability/actionability";
import type { Env } from "../workers/env";
import type { LinkMethod, MatchVerdict } from "../workers/grouping/types";
import { type ResearchJob, researchRunKey } from "../workers/research/job";
import type { Evidence, EvidenceSignal, ResearchInput } from "../workers/research/research";
import type { ResearchOutput } from "../workers/research/output";
import type { ResearchResult, RunSummary } from "../workers/research/result";
import { inboxResearch } from "../workers/inbox/research-brief";
import type { FixJob } from "../workers/fix/job";
import type { PrEvidence } from "../workers/fix/pr-body";
import type { FixSummary } from "../workers/fix/summary";
import { type OutcomeNote, type NoteKind, rejectionBar, resurfaceBar } from "../workers/reports/outcome-notes";
import { assertTransition, INBOX_STATES, type ReportState } from "../workers/reports/state";
import { cleanTitle } from "../workers/ingest/control-chars";
import { mirrorStatement, type ReportListing } from "../workers/reports/mirror";
import { reportJudgeFromEnv } from "../workers/safety/from-env";
import type { ReportJudge, ReportJudgeVerdict } from "../workers/safety/report-judge";

/** evidence content kept per signal inside the report */
const MAX_CONTENT_CHARS = 8_000;

/** how long after sending a research job the report looks whether it reached its run */
const RESEARCH_JOB_CHECK_MS = 60_000;

export interface AddSignalsInput {
  reportId: string;
  project: string;
  /** the project's promotion threshold now */
  threshold: number;
  /** the signals the consumer grouped into this report in one batch */
  items: { signal: EvidenceSignal; link: { method: LinkMethod; query: string | null; score: number | null; judge?: MatchVerdict | null } }[];
}

export type ReportItem = AddSignalsInput["items"][number];

export interface ReportSignalView extends EvidenceSignal {
  link_method: LinkMethod;
  link_query: string | null;
  link_score: number | null;
  /** the match judge's verdict, when the link was borderline */
  link_judge: MatchVerdict | null;
  /** when it joined this report (null: before this was recorded) */
  joined_at: number | null;
}

export interface ReportView extends ReportListing {
  /** set once a person merged this report into another */
  merged_into: string | null;
  /** weight at which the report is promoted next */
  promote_at: number;
  evidence: Evidence | null;
  decision: ActionabilityDecision | null;
  /** what research found: findings in the code, commits, reviewers, priority, the bucket (null before research) */
  research: ResearchOutput | null;
  /** how research was reached: the recorded run, summed up (the whole record: GET /v1/reports/:id/research-run) */
  research_run: RunSummary | null;
  /** the report judge's last verdict (face, verdict, rule, reason), taken before research */
  safety: ReportSafety | null;
  /** counts changes to the signal set; research results carry the revision they read */
  revision: number;
  /** why research of the current revision last failed, while it is retried (null: it has not) */
  research_error: string | null;
  /** the fix loop on a ready report: status, reason, the pull request (null before a fix run reported) */
  fix: FixSummary | null;
  /** what became of earlier fixes and what people decided (rejections, regressions, dismissals), oldest first; research reads them */
  notes: OutcomeNote[];
  /** what this report has cost so far: every research round's run and the fix's rounds summed (issue 9, item 6) */
  cost: ReportCost;
  /** set while a person has dismissed the report: signals still join it (counted here) but it is not promoted */
  dismissed: { at: number; reason: string; weight_at: number; signals_since: number; resurface_at: number } | null;
  history: { at: number; from: ReportState | null; to: ReportState; note: string }[];
  signals: ReportSignalView[];
}

export interface StageCost {
  runs: number;
  tool_calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface ReportCost {
  /** the report judge's LLM calls (0 offline) */
  report_judge_llm_calls: number;
  /** every research round, summed */
  research: StageCost;
  /** every fix round (first fix, CI and review answers, later attempts), summed; runs = rounds */
  fix: StageCost;
  total_usd: number;
}

export interface ReportSafety extends ReportJudgeVerdict {
  at: number;
}

interface MetaRow {
  id: string;
  project: string;
  state: ReportState;
  title: string;
  weight: number;
  /** extra bar after not_actionable: promote only at weight ≥ max(threshold, resume_at) */
  resume_at: number;
  created_at: number;
  updated_at: number;
  evidence: string | null;
  decision: string | null;
  research: string | null;
  research_run: string | null;
  merged_into: string | null;
  report_judge: string | null;
  /** when a person released the report from quarantine */
  released_at: number | null;
  /** counts changes to the signal set (and research rounds); research results carry the one they read */
  revision: number;
  /** the revision the last research job was sent for (null: none yet) */
  research_revision: number | null;
  /** when the research job for `research_revision` was last sent */
  research_sent_at: number | null;
  /** why research of the current revision last failed (null: it has not) */
  research_error: string | null;
  /** the fix run's latest summary (JSON) */
  fix: string | null;
  /** when this report asked its fix run to start; fix_started = 1 once the run has the job */
  fix_requested_at: number | null;
  fix_started: number;
  /** when a person dismissed the report (null: not dismissed) and its weight then */
  dismissed_at: number | null;
  dismissed_weight: number | null;
  /** every research round's run summed (JSON StageCost) and the report judge's LLM calls */
  research_cost: string | null;
  judge_llm_calls: number;
  [key: string]: SqlStorageValue;
}

export class ReportObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** chosen from the environment (workers/safety/from-env.ts) on first use */
  private reportJudgeFace: ReportJudge | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (
        id TEXT PRIMARY KEY, project TEXT NOT NULL, state TEXT NOT NULL, title TEXT NOT NULL,
        weight REAL NOT NULL, resume_at REAL NOT NULL DEFAULT 0, threshold REAL NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, evidence TEXT, decision TEXT, merged_into TEXT, report_judge TEXT, released_at INTEGER);
      CREATE TABLE IF NOT EXISTS signals (
        id TEXT PRIMARY KEY, source_product TEXT NOT NULL, source_type TEXT NOT NULL, content TEXT NOT NULL,
        weight REAL NOT NULL, received_at INTEGER NOT NULL, link_method TEXT NOT NULL, link_query TEXT, link_score REAL, link_judge TEXT, joined_at INTEGER);
      CREATE TABLE IF NOT EXISTS history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, from_state TEXT, to_state TEXT NOT NULL, note TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS notes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL, pull INTEGER, text TEXT NOT NULL);
    `);
    // reports opened before merges and match verdicts existed
    addColumnIfMissing(this.sql, "meta", "merged_into", "TEXT");
    addColumnIfMissing(this.sql, "signals", "link_judge", "TEXT");
    addColumnIfMissing(this.sql, "meta", "report_judge", "TEXT");
    addColumnIfMissing(this.sql, "meta", "released_at", "INTEGER");
    // when each signal joined (null: before this column, so before any release)
    addColumnIfMissing(this.sql, "signals", "joined_at", "INTEGER");
    // research off the alarm (durable-objects/research-run.ts): which signal set a result belongs to
    addColumnIfMissing(this.sql, "meta", "revision", "INTEGER NOT NULL DEFAULT 0");
    // research that reads the code (workers/research/output.ts) and its run's summary
    addColumnIfMissing(this.sql, "meta", "research", "TEXT");
    addColumnIfMissing(this.sql, "meta", "research_run", "TEXT");
    addColumnIfMissing(this.sql, "meta", "research_revision", "INTEGER");
    addColumnIfMissing(this.sql, "meta", "research_error", "TEXT");
    addColumnIfMissing(this.sql, "meta", "research_sent_at", "INTEGER");
    // the fix loop (durable-objects/fix-run.ts)
    addColumnIfMissing(this.sql, "meta", "fix", "TEXT");
    addColumnIfMissing(this.sql, "meta", "fix_requested_at", "INTEGER");
    addColumnIfMissing(this.sql, "meta", "fix_started", "INTEGER NOT NULL DEFAULT 0");
    // outcomes that teach (workers/reports/outcome-notes.ts)
    addColumnIfMissing(this.sql, "meta", "dismissed_at", "INTEGER");
    addColumnIfMissing(this.sql, "meta", "dismissed_weight", "REAL");
    // what the report has cost (item 6)
    addColumnIfMissing(this.sql, "meta", "research_cost", "TEXT");
    addColumnIfMissing(this.sql, "meta", "judge_llm_calls", "INTEGER NOT NULL DEFAULT 0");
  }

  /**
   * Adds a batch of signals (idempotent by signal id); promotes when the
   * weight crosses the threshold. One call per report per consumer batch: the
   * inbox is told once, however many signals arrive, and the listing is
   * returned for the caller to mirror to D1 with the rest of its batch
   * (`mirrorStatement`), instead of one D1 write per report.
   */
  async addSignals(input: AddSignalsInput): Promise<ReportListing> {
    const now = Date.now();
    let meta = this.meta();
    // merged while the caller was grouping: the signals belong to the report it became
    if (meta?.state === "merged" && meta.merged_into) {
      const into = meta.merged_into;
      return this.env.REPORTS.get(this.env.REPORTS.idFromName(into)).addSignals({ ...input, reportId: into });
    }
    if (!meta) {
      if (!input.items.length) throw new Error(`report ${input.reportId} cannot be opened without a signal`);
      this.sql.exec(
        "INSERT INTO meta (id, project, state, title, weight, threshold, created_at, updated_at) VALUES (?, ?, 'potential', ?, 0, ?, ?, ?)",
        input.reportId,
        input.project,
        titleOf(input.items[0].signal.content),
        input.threshold,
        now,
        now,
      );
      this.record(null, "potential", `opened by signal ${input.items[0].signal.id}`);
      meta = this.meta()!;
    } else if (meta.id !== input.reportId || meta.project !== input.project) {
      throw new Error(`report ${meta.id} (${meta.project}) was addressed as ${input.reportId} (${input.project})`);
    }
    let added = 0;
    let weight = 0;
    for (const { signal: s, link } of input.items) {
      const inserted = this.sql.exec(
        `INSERT OR IGNORE INTO signals (id, source_product, source_type, content, weight, received_at, link_method, link_query, link_score, link_judge, joined_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        s.id,
        s.source_product,
        s.source_type,
        s.content.slice(0, MAX_CONTENT_CHARS),
        s.weight,
        s.received_at,
        link.method,
        link.query,
        link.score,
        link.judge ? JSON.stringify(link.judge) : null,
        now,
      ).rowsWritten;
      if (inserted > 0) {
        added++;
        weight += s.weight;
      }
    }
    if (added > 0) this.sql.exec("UPDATE meta SET weight = weight + ?, threshold = ?, updated_at = ?, revision = revision + 1", weight, input.threshold, now);
    else this.sql.exec("UPDATE meta SET threshold = ?", input.threshold);
    await this.maybeResurface(input.threshold);
    if (added > 0) this.seenAfterFix(weight, input.threshold);
    await this.maybePromote(input.threshold, "weight crossed the threshold");
    // a report already in the inbox shows its new weight and how much arrived since research
    if (added > 0 && INBOX_STATES.includes(this.meta()!.state)) await this.notifyInbox();
    // the problem came back after its fix was merged: the fix run decides whether that is a regression
    const fix = this.meta()!.fix;
    if (added > 0 && fix && (JSON.parse(fix) as FixSummary).status === "merged" && this.env.FIX_RUNS) {
      await this.env.FIX_RUNS.get(this.env.FIX_RUNS.idFromName(input.reportId)).recurred({ at: now, signals: added });
    }
    return this.listing();
  }

  /** The cron sweep's entry: promote if due, and re-arm research that stalled. */
  async sweep(threshold: number, stalledAfterMs = 10 * 60_000): Promise<{ promoted: boolean; rearmed: boolean; state: ReportState }> {
    const meta = this.meta();
    if (!meta) return { promoted: false, rearmed: false, state: "potential" };
    this.sql.exec("UPDATE meta SET threshold = ?", threshold);
    const promoted = await this.maybePromote(threshold, "cron sweep");
    let rearmed = false;
    const after = this.meta()!;
    if (!promoted && (after.state === "candidate" || after.state === "researching") && Date.now() - after.updated_at >= stalledAfterMs) {
      // judged and sent for this revision already: send the job again (the run for it is idempotent;
      // one that gave up starts a new round); else judge again on the alarm, which sends it
      if (after.state === "researching" && after.research_revision === after.revision) await this.sendResearchJob(after, true);
      else await this.ctx.storage.setAlarm(Date.now());
      rearmed = true;
    }
    if (promoted) await this.mirror();
    return { promoted, rearmed, state: this.meta()!.state };
  }

  /**
   * A person merges this report into `into`: it becomes `merged` and returns
   * its signals for the other report to take (`addSignals` is idempotent, so a
   * retried merge hands them over again). From now on signals sent here go
   * there. The signals stay listed here for the record.
   */
  async mergeInto(into: string, note: string): Promise<{ items: ReportItem[]; into: string } | null> {
    const meta = this.meta();
    if (!meta) return null;
    if (meta.state === "merged") return { items: this.items(), into: meta.merged_into ?? into };
    if (into === meta.id) throw new Error(`report ${into} cannot be merged into itself`);
    this.transition(meta.state, "merged", note);
    this.sql.exec("UPDATE meta SET merged_into = ?", into);
    await this.ctx.storage.deleteAlarm();
    await this.notifyInbox();
    return { items: this.items(), into };
  }

  /**
   * A person moves one signal out of this report (to `to`): its weight leaves
   * with it. Returns the listing, or null when the signal is not here (moved
   * already).
   */
  async removeSignal(signalId: string, to: string, note: string): Promise<ReportListing | null> {
    const meta = this.meta();
    if (!meta) return null;
    if (meta.state === "merged") throw new Error(`report ${meta.id} was merged into ${meta.merged_into}`);
    const row = this.sql.exec<{ weight: number }>("SELECT weight FROM signals WHERE id = ?", signalId).toArray()[0];
    if (!row) return null;
    this.sql.exec("DELETE FROM signals WHERE id = ?", signalId);
    this.sql.exec("UPDATE meta SET weight = MAX(weight - ?, 0), updated_at = ?, revision = revision + 1", row.weight, Date.now());
    this.record(meta.state, meta.state, `signal ${signalId} moved to report ${to}${note ? `: ${note}` : ""}`);
    if (INBOX_STATES.includes(meta.state)) await this.notifyInbox();
    return this.listing();
  }

  /**
   * A person releases a quarantined report: it becomes a candidate and is
   * researched. The judge's verdict stays on the record; from now on it reads
   * only the signals that join after this release (the person has seen the
   * others). Null when there is no report; the state when it is not quarantined.
   */
  async release(note: string): Promise<{ released: true; view: ReportView } | { released: false; state: ReportState } | null> {
    const meta = this.meta();
    if (!meta) return null;
    if (meta.state !== "quarantined") return { released: false, state: meta.state };
    // a new research round: the run of the revision before the quarantine (if any) is not reused
    this.sql.exec("UPDATE meta SET released_at = ?, revision = revision + 1", Date.now());
    this.transition("quarantined", "candidate", `released from quarantine by a person${note ? `: ${note}` : ""}`);
    await this.ctx.storage.setAlarm(Date.now());
    await this.mirror();
    return { released: true, view: this.view() };
  }

  async snapshot(): Promise<ReportView | null> {
    return this.meta() ? this.view() : null;
  }

  /**
   * The report judge, then a research job to the research queue; runs on the
   * alarm so neither blocks ingest. A judge that cannot answer (the API is
   * down) or a queue that refuses the job throws: the alarm is retried, and
   * the sweep re-arms research that stalled.
   */
  async alarm(): Promise<void> {
    let meta = this.meta();
    if (!meta) return;
    if (meta.state === "candidate") {
      this.transition("candidate", "researching", "research started");
      meta = this.meta()!;
    }
    if (meta.state === "ready" && meta.fix_requested_at !== null && meta.fix_started === 0) {
      await this.startFix();
      return;
    }
    if (meta.state !== "researching") return;
    // a job was sent for this revision already: its run is on its way, unless the job was lost (the local
    // queue does not survive a restart): one that has not reached its run a while after it was sent is sent again
    if (meta.research_revision === meta.revision) {
      const sentAt = meta.research_sent_at ?? 0;
      const recheckAt = sentAt + RESEARCH_JOB_CHECK_MS;
      if (Date.now() < recheckAt) {
        await this.ctx.storage.setAlarm(recheckAt);
        return;
      }
      const run = await this.env.RESEARCH_RUNS.get(this.env.RESEARCH_RUNS.idFromName(researchRunKey({ report: meta.id, revision: meta.revision }))).snapshot();
      if (!run) await this.sendResearchJob(meta, false);
      else if (run.state === "queued" || run.state === "running") await this.ctx.storage.setAlarm(Date.now() + RESEARCH_JOB_CHECK_MS);
      return;
    }
    const revision = meta.revision;
    const signals = this.signals();
    // the whole report is judged before any agent reads it; an unsafe one is quarantined, not researched
    const verdict = await this.judgeReport(meta, signals);
    const after = this.meta()!;
    if (after.state !== "researching") return;
    // signals joined while the judge read: judge the newer set
    if (after.revision !== revision) {
      await this.ctx.storage.setAlarm(Date.now());
      return;
    }
    this.sql.exec("UPDATE meta SET report_judge = ?, judge_llm_calls = judge_llm_calls + ?", JSON.stringify({ ...verdict, at: Date.now() } satisfies ReportSafety), verdict.llm_calls);
    if (verdict.verdict === "unsafe") {
      this.transition("researching", "quarantined", `quarantined by ${verdict.judge}, ${verdict.rule}: ${verdict.reason}`);
      await this.mirror();
      await this.notifyInbox();
      return;
    }
    await this.sendResearchJob(after, false);
  }

  /**
   * What a research run reads: the report's signals, while it is researching
   * the run's revision; null once it has moved on (the run is stale).
   */
  async researchInput(revision: number): Promise<ResearchInput | null> {
    const meta = this.meta();
    if (!meta || meta.state !== "researching" || meta.revision !== revision) return null;
    return { reportId: meta.id, project: meta.project, weight: meta.weight, signals: this.signals(), notes: this.notes() };
  }

  /**
   * A research run's result. Taken only while researching the same revision;
   * for an older revision (signals joined or left since) it is ignored and the
   * report is judged and researched again at the newer one.
   */
  async researchDone(input: { revision: number; result: ResearchResult | null }): Promise<{ taken: boolean; state: ReportState }> {
    const meta = this.meta();
    if (!meta || meta.state !== "researching") return { taken: false, state: meta?.state ?? "potential" };
    if (input.revision !== meta.revision || !input.result) {
      // a run at the current revision that found nothing to do: a new round, so its key is new
      if (input.revision === meta.revision) this.sql.exec("UPDATE meta SET revision = revision + 1");
      this.record("researching", "researching", `research of revision ${input.revision} is stale (now ${this.meta()!.revision}): researching again`);
      await this.ctx.storage.setAlarm(Date.now());
      return { taken: false, state: "researching" };
    }
    const { evidence, decision, research, run } = input.result;
    if (run) this.sql.exec("UPDATE meta SET research_cost = ?", JSON.stringify(addRun(meta.research_cost ? (JSON.parse(meta.research_cost) as StageCost) : NO_COST, run)));
    this.sql.exec(
      "UPDATE meta SET evidence = ?, decision = ?, research = ?, research_run = ?, title = ?, research_error = NULL",
      JSON.stringify(evidence),
      JSON.stringify(decision),
      research ? JSON.stringify(research) : null,
      run ? JSON.stringify(run) : null,
      research?.title ?? evidence.title,
    );
    const to: ReportState = decision.bucket === "actionable" ? "ready" : decision.bucket === "needs_human" ? "needs_input" : "not_actionable";
    this.transition("researching", to, `${decision.rule}: ${decision.reason}`);
    if (to === "not_actionable") {
      const m = this.meta()!;
      // back to the pool: look again once as much weight again has arrived
      this.sql.exec("UPDATE meta SET resume_at = ?", m.weight + Math.max(m.threshold as number, 1));
      this.transition("not_actionable", "potential", "back to the pool until more evidence arrives");
    }
    await this.mirror();
    await this.notifyInbox();
    if (to === "ready") {
      this.sql.exec("UPDATE meta SET fix_requested_at = ?, fix_started = 0", Date.now());
      await this.startFix();
    }
    return { taken: true, state: this.meta()!.state };
  }

  /**
   * What a fix run reads: the research, an evidence summary for the pull
   * request and a few signals, while the report is ready; null otherwise.
   */
  async fixInput(): Promise<{ research: ResearchOutput; evidence: PrEvidence; signals: EvidenceSignal[] } | null> {
    const meta = this.meta();
    if (!meta || meta.state !== "ready" || !meta.research) return null;
    const signals = this.signals();
    const bySource = new Map<string, number>();
    for (const s of signals) bySource.set(s.source_product, (bySource.get(s.source_product) ?? 0) + 1);
    const heaviest = [...signals].sort((a, b) => b.weight - a.weight).slice(0, 20);
    return {
      research: JSON.parse(meta.research) as ResearchOutput,
      evidence: {
        signalCount: signals.length,
        sources: [...bySource].map(([source, count]) => ({ source, count })).sort((a, b) => b.count - a.count),
        excerpts: heaviest.slice(0, 3).map((s) => ({ source: `${s.source_product}/${s.source_type}`, text: s.content })),
      },
      signals: heaviest,
    };
  }

  /**
   * A person asks for the fix again: the report's fix run starts over unless
   * it works or watches a pull request. A report whose fix was tried before
   * and that went back to the pool (rejected) or to a person (needs input)
   * becomes ready again on the person's word; its research stands.
   */
  async retryFix(): Promise<{ kind: "started"; fix: FixSummary | null } | { kind: "not_ready"; state: ReportState } | { kind: "in_progress"; status: string }> {
    let meta = this.meta();
    if (meta && (meta.state === "potential" || meta.state === "needs_input") && meta.fix && meta.research && this.env.FIX_RUNS) {
      this.transition(meta.state, "ready", "a person asked for another fix");
      await this.mirror();
      await this.notifyInbox();
      meta = this.meta();
    }
    if (!meta || meta.state !== "ready" || !this.env.FIX_RUNS) return { kind: "not_ready", state: meta?.state ?? "potential" };
    const job: FixJob = { v: 1, project: meta.project, report: meta.id, revision: meta.revision };
    const run = this.env.FIX_RUNS.get(this.env.FIX_RUNS.idFromName(meta.id));
    const restarted = await run.restart(job);
    if (!restarted.restarted) return { kind: "in_progress", status: restarted.status };
    return { kind: "started", fix: restarted.summary };
  }

  /**
   * The fix run's latest summary: shown on the report and its inbox entry.
   * Outcomes teach (workers/reports/outcome-notes.ts): a pull request closed
   * without merging sends a ready report back to the pool with a higher bar;
   * a merged fix that did not hold sends it to research again at once. Both
   * leave a note research reads. A summary delivered again changes nothing
   * more (the report is no longer ready).
   */
  async fixUpdate(summary: FixSummary): Promise<void> {
    const meta = this.meta();
    if (!meta) return;
    // the fix run keeps its own history (GET /v1/reports/:id/fix-run); the report's history is its states'
    this.sql.exec("UPDATE meta SET fix = ?, fix_started = 1, updated_at = ?", JSON.stringify(summary), Date.now());
    const pull = summary.pull?.number ?? null;
    if (meta.state === "ready" && summary.status === "closed") {
      const rejections = this.notes().filter((n) => n.kind === "fix_rejected").length;
      const bar = rejectionBar(meta.weight, meta.threshold as number, rejections);
      this.note("fix_rejected", pull, `pull request #${pull ?? "?"} ${summary.reason}`);
      this.sql.exec("UPDATE meta SET resume_at = ?", bar);
      this.transition("ready", "potential", `fix rejected (pull request #${pull ?? "?"} closed without merging): back to the pool until the weight reaches ${bar}`);
      await this.mirror();
    } else if (meta.state === "ready" && summary.status === "verified") {
      this.note("fix_verified", pull, `the fix in pull request #${pull ?? "?"} held: ${summary.reason}`);
      this.transition("ready", "fixed", `fixed by pull request #${pull ?? "?"}: ${summary.reason}`);
      await this.mirror();
    } else if (meta.state === "ready" && summary.status === "regressed") {
      this.note("fix_regressed", pull, `the fix in pull request #${pull ?? "?"} was merged and did not hold: ${summary.reason}`);
      // a new research round: the run of the revision the fix was written from is not reused
      this.sql.exec("UPDATE meta SET revision = revision + 1");
      this.transition("ready", "candidate", `the merged fix (pull request #${pull ?? "?"}) did not hold: researched again`);
      await this.ctx.storage.setAlarm(Date.now());
      await this.mirror();
    }
    await this.notifyInbox();
  }

  /**
   * A person dismisses the report: not a problem worth fixing, or not now. It
   * leaves the inbox and is never promoted, researched or fixed while
   * dismissed; signals still join it (fingerprints lead here) and are shown,
   * and a report that grows RESURFACE_FACTOR times over comes back on its own.
   * Null when there is no report; the state when it is merged or dismissed.
   */
  async dismiss(reason: string): Promise<{ dismissed: true; view: ReportView } | { dismissed: false; state: ReportState } | null> {
    const meta = this.meta();
    if (!meta) return null;
    if (meta.state === "merged" || meta.state === "dismissed" || meta.state === "not_actionable") return { dismissed: false, state: meta.state };
    const now = Date.now();
    this.sql.exec("UPDATE meta SET dismissed_at = ?, dismissed_weight = ?", now, meta.weight);
    this.note("dismissed", null, reason ? `dismissed by a person: ${reason}` : "dismissed by a person");
    this.transition(meta.state, "dismissed", `dismissed by a person${reason ? `: ${reason}` : ""}`);
    await this.ctx.storage.deleteAlarm();
    await this.mirror();
    await this.notifyInbox();
    return { dismissed: true, view: this.view() };
  }

  /** A person takes a dismissal back: the report is back in the pool and promoted on its weight as any other. */
  async reopen(note: string): Promise<{ reopened: true; view: ReportView } | { reopened: false; state: ReportState } | null> {
    const meta = this.meta();
    if (!meta) return null;
    if (meta.state !== "dismissed") return { reopened: false, state: meta.state };
    this.reopenDismissed("reopened", `reopened by a person${note ? `: ${note}` : ""}`);
    await this.maybePromote(meta.threshold as number, "reopened");
    await this.mirror();
    return { reopened: true, view: this.view() };
  }

  /**
   * A research run gave up after its attempts. The report stays `researching`
   * with the reason on its record (`research_error`, history); the cron sweep
   * re-sends the job once it has stalled (10 minutes from now), which starts a
   * new round of attempts. A failure at an older revision: researched again now.
   */
  async researchFailed(input: { revision: number; attempts: number; reason: string }): Promise<{ taken: boolean }> {
    const meta = this.meta();
    if (!meta || meta.state !== "researching") return { taken: false };
    if (input.revision !== meta.revision) return this.researchDone({ revision: input.revision, result: null });
    const reason = `research failed after ${input.attempts} attempt${input.attempts === 1 ? "" : "s"}: ${input.reason}`.slice(0, 1000);
    this.sql.exec("UPDATE meta SET research_error = ?, updated_at = ?", reason, Date.now());
    this.record("researching", "researching", `${reason}; the sweep retries stalled research`);
    await this.mirror();
    return { taken: true };
  }

  // -- internals ------------------------------------------------------------

  /**
   * The report judge's verdict on the whole report, or, once a person
   * released it from quarantine, on the signals that joined since (none: the
   * person's decision stands).
   */
  private async judgeReport(meta: MetaRow, signals: EvidenceSignal[]): Promise<ReportJudgeVerdict> {
    const judge = (this.reportJudgeFace ??= reportJudgeFromEnv(this.env));
    if (meta.released_at === null) return judge.judge({ report_id: meta.id, title: meta.title, title_source_type: signals[0]?.source_type, signals });
    const since = this.sql
      .exec<EvidenceSignal & Record<string, SqlStorageValue>>(
        "SELECT id, source_product, source_type, content, weight, received_at FROM signals WHERE joined_at >= ? ORDER BY received_at, id",
        meta.released_at,
      )
      .toArray();
    if (!since.length) {
      return { verdict: "safe", rule: "none", reason: "released from quarantine by a person; no signal has joined since", judge: "person", flagged: [], matched: ["released"], llm_calls: 0 };
    }
    // the title and the signals the person saw were released with the report
    return judge.judge({ report_id: meta.id, title: "", signals: since });
  }

  /** Hands the fix job to the report's fix run; a run that cannot be reached is tried again on the alarm. */
  private async startFix(): Promise<void> {
    const meta = this.meta()!;
    if (!this.env.FIX_RUNS) return;
    const job: FixJob = { v: 1, project: meta.project, report: meta.id, revision: meta.revision };
    try {
      await this.env.FIX_RUNS.get(this.env.FIX_RUNS.idFromName(meta.id)).start(job);
      this.sql.exec("UPDATE meta SET fix_started = 1");
    } catch (err) {
      console.error(`report ${meta.id}: fix run not started yet: ${String(err)}`);
      await this.ctx.storage.setAlarm(Date.now() + RESEARCH_JOB_CHECK_MS);
    }
  }

  private async sendResearchJob(meta: MetaRow, rearm: boolean): Promise<void> {
    const job: ResearchJob = { v: 1, project: meta.project, report: meta.id, revision: meta.revision, ...(rearm ? { rearm } : {}) };
    await this.env.RESEARCH.send(job);
    const now = Date.now();
    this.sql.exec("UPDATE meta SET research_revision = ?, research_sent_at = ?", meta.revision, now);
    // looked at again later: a job that never reached its run is sent again (alarm())
    await this.ctx.storage.setAlarm(now + RESEARCH_JOB_CHECK_MS);
  }

  private meta(): MetaRow | null {
    const rows = this.sql.exec<MetaRow>("SELECT * FROM meta LIMIT 1").toArray();
    return rows[0] ?? null;
  }

  /** every signal with its link, the judge's verdict parsed */
  private signalViews(): ReportSignalView[] {
    return this.sql
      .exec<Omit<ReportSignalView, "link_judge"> & { link_judge: string | null } & Record<string, SqlStorageValue>>("SELECT * FROM signals ORDER BY received_at, id")
      .toArray()
      .map((r) => ({ ...r, link_judge: r.link_judge ? (JSON.parse(r.link_judge) as MatchVerdict) : null }));
  }

  /** every signal with the link that brought it */
  private items(): ReportItem[] {
    return this.signalViews().map((r) => ({
      signal: { id: r.id, source_product: r.source_product, source_type: r.source_type, content: r.content, weight: r.weight, received_at: r.received_at },
      link: { method: r.link_method, query: r.link_query, score: r.link_score, judge: r.link_judge },
    }));
  }

  private signals(): EvidenceSignal[] {
    return this.sql
      .exec<{ id: string; source_product: string; source_type: string; content: string; weight: number; received_at: number }>(
        "SELECT id, source_product, source_type, content, weight, received_at FROM signals ORDER BY received_at, id",
      )
      .toArray();
  }

  /**
   * A fixed report's problem seen again after its soak window: back to the
   * pool, promoted (and researched, the note read) once it weighs a
   * threshold more than before these signals.
   */
  private seenAfterFix(addedWeight: number, threshold: number): void {
    const meta = this.meta()!;
    if (meta.state !== "fixed") return;
    const bar = meta.weight - addedWeight + Math.max(threshold, 1);
    this.note("seen_after_fix", null, `seen again after its fix was verified: weight ${meta.weight}; researched again at ${bar}`);
    this.sql.exec("UPDATE meta SET resume_at = ?", bar);
    this.transition("fixed", "potential", `seen again after the fix was verified: back to the pool until the weight reaches ${bar}`);
  }

  /** a dismissed report that grew far past its weight at the dismissal comes back (a person sees it again) */
  private async maybeResurface(threshold: number): Promise<void> {
    const meta = this.meta()!;
    if (meta.state !== "dismissed") return;
    const bar = resurfaceBar(meta.dismissed_weight ?? 0, threshold);
    if (meta.weight < bar) return;
    this.reopenDismissed("resurfaced", `came back after the dismissal: weight ${meta.weight} ≥ ${bar} (${Math.round(meta.weight / Math.max(meta.dismissed_weight ?? 0, 1))}× its weight when dismissed)`);
  }

  private reopenDismissed(kind: "reopened" | "resurfaced", text: string): void {
    // a new research round, and the dismissal's bar gone: the usual threshold promotes it
    this.sql.exec("UPDATE meta SET dismissed_at = NULL, dismissed_weight = NULL, resume_at = 0, revision = revision + 1");
    this.note(kind, null, text);
    this.transition("dismissed", "potential", text);
  }

  private note(kind: NoteKind, pull: number | null, text: string): void {
    this.sql.exec("INSERT INTO notes (at, kind, pull, text) VALUES (?, ?, ?, ?)", Date.now(), kind, pull, text.slice(0, 2000));
  }

  private notes(): OutcomeNote[] {
    return this.sql.exec<OutcomeNote & Record<string, SqlStorageValue>>("SELECT at, kind, pull, text FROM notes ORDER BY seq").toArray().map((n) => ({ at: n.at, kind: n.kind, pull: n.pull, text: n.text }));
  }

  private async maybePromote(threshold: number, why: string): Promise<boolean> {
    const meta = this.meta()!;
    const bar = Math.max(threshold, meta.resume_at);
    if (meta.state !== "potential" || meta.weight < bar) return false;
    this.transition("potential", "candidate", `${why} (weight ${meta.weight} ≥ ${bar})`);
    await this.ctx.storage.setAlarm(Date.now());
    return true;
  }

  private transition(from: ReportState, to: ReportState, note: string): void {
    assertTransition(from, to);
    this.sql.exec("UPDATE meta SET state = ?, updated_at = ?", to, Date.now());
    this.record(from, to, note);
  }

  private record(from: ReportState | null, to: ReportState, note: string): void {
    this.sql.exec("INSERT INTO history (at, from_state, to_state, note) VALUES (?, ?, ?, ?)", Date.now(), from, to, note);
  }

  private view(): ReportView {
    const m = this.meta()!;
    const signals = this.signalViews();
    const notes = this.notes();
    const history = this.sql
      .exec<{ at: number; from_state: string | null; to_state: string; note: string }>("SELECT at, from_state, to_state, note FROM history ORDER BY seq")
      .toArray()
      .map((h) => ({ at: h.at, from: h.from_state as ReportState | null, to: h.to_state as ReportState, note: h.note }));
    return {
      ...this.listing(),
      merged_into: m.merged_into,
      signal_count: signals.length,
      promote_at: Math.max(m.threshold as number, m.resume_at),
      evidence: m.evidence ? (JSON.parse(m.evidence) as Evidence) : null,
      decision: m.decision ? (JSON.parse(m.decision) as ActionabilityDecision) : null,
      research: m.research ? (JSON.parse(m.research) as ResearchOutput) : null,
      research_run: m.research_run ? (JSON.parse(m.research_run) as RunSummary) : null,
      safety: m.report_judge ? (JSON.parse(m.report_judge) as ReportSafety) : null,
      revision: m.revision,
      research_error: m.research_error,
      fix: m.fix ? (JSON.parse(m.fix) as FixSummary) : null,
      notes,
      cost: this.cost(),
      dismissed:
        m.state === "dismissed" && m.dismissed_at !== null
          ? {
              at: m.dismissed_at,
              reason: notes.filter((n) => n.kind === "dismissed").pop()?.text ?? "",
              weight_at: m.dismissed_weight ?? 0,
              signals_since: signals.filter((s) => (s.joined_at ?? 0) > m.dismissed_at!).length,
              resurface_at: resurfaceBar(m.dismissed_weight ?? 0, m.threshold as number),
            }
          : null,
      history,
      signals,
    };
  }

  private cost(): ReportCost {
    const m = this.meta()!;
    const research = m.research_cost ? (JSON.parse(m.research_cost) as StageCost) : NO_COST;
    const f = m.fix ? (JSON.parse(m.fix) as FixSummary).cost : null;
    const fix: StageCost = f
      ? { runs: f.rounds, tool_calls: f.tool_calls, input_tokens: f.input_tokens, output_tokens: f.output_tokens, cost_usd: f.cost_usd }
      : NO_COST;
    return { report_judge_llm_calls: m.judge_llm_calls, research, fix, total_usd: Math.round((research.cost_usd + fix.cost_usd) * 1e6) / 1e6 };
  }

  private signalCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM signals").one().n;
  }

  private listing(): ReportListing {
    const m = this.meta()!;
    return {
      id: m.id,
      project: m.project,
      state: m.state,
      title: m.title,
      weight: m.weight,
      signal_count: this.signalCount(),
      resume_at: m.resume_at,
      created_at: m.created_at,
      updated_at: m.updated_at,
    };
  }

  private async mirror(): Promise<void> {
    await mirrorStatement(this.env.DB, this.listing()).run();
  }

  /** Tells the project's inbox; reads the listing fields only, never the report's signals. */
  private async notifyInbox(): Promise<void> {
    const m = this.meta()!;
    const inbox = this.env.INBOX.get(this.env.INBOX.idFromName(m.project));
    const evidence = m.evidence ? (JSON.parse(m.evidence) as Evidence) : null;
    const decision = m.decision ? (JSON.parse(m.decision) as ActionabilityDecision) : null;
    if (INBOX_STATES.includes(m.state) && evidence && decision) {
      const count = this.signalCount();
      await inbox.upsert({
        report_id: m.id,
        state: m.state as "needs_input" | "ready",
        title: m.title,
        priority: evidence.priority,
        weight: m.weight,
        signal_count: count,
        reason: decision.reason,
        research: m.research ? inboxResearch(JSON.parse(m.research) as ResearchOutput) : null,
        evidence,
        signals_since_research: count - evidence.signal_count,
        fix: m.fix ? (JSON.parse(m.fix) as FixSummary) : null,
        cost: this.cost(),
        updated_at: m.updated_at,
      });
    } else {
      await inbox.remove(m.id);
    }
  }
}

/** The first line with visible text, without control characters or escape sequences, at most 100 characters. */
function titleOf(content: string): string {
  for (const line of content.slice(0, 4096).split("\n")) {
    const title = cleanTitle(line);
    if (title) return title.slice(0, 100);
  }
  return "(no visible text)";
}

const NO_COST: StageCost = { runs: 0, tool_calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };

/** a research run's summary added to the totals so far */
function addRun(t: StageCost, run: RunSummary): StageCost {
  return {
    runs: t.runs + 1,
    tool_calls: t.tool_calls + run.tool_calls,
    input_tokens: t.input_tokens + run.input_tokens,
    output_tokens: t.output_tokens + run.output_tokens,
    cost_usd: Math.round((t.cost_usd + run.cost_usd) * 1e6) / 1e6,
  };
}
