/**
 * One inbox per project: the reports a human should look at — those that
 * need input and those ready for a fix — with their evidence. Report
 * Durable Objects upsert and remove entries as their state changes.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../workers/env";
import type { FixSummary } from "../workers/fix/summary";
import type { ReportCost } from "./report";
import type { ResearchBrief } from "../workers/inbox/research-brief";
import type { Evidence, Priority } from "../workers/research/research";

export interface InboxEntry {
  report_id: string;
  state: "needs_input" | "ready";
  title: string;
  priority: Priority;
  weight: number;
  signal_count: number;
  reason: string;
  /** the research at a glance (null: researched before research read the code) */
  research: ResearchBrief | null;
  evidence: Evidence;
  /** signals that joined after the evidence was gathered */
  signals_since_research: number;
  /** ready reports: where the fix is — a draft pull request, or why there is none ("needs an LLM key", …) */
  fix: FixSummary | null;
  /** research and fix so far: tokens, calls and dollars (the report's `cost`) */
  cost: ReportCost;
  updated_at: number;
}

export class InboxObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS entries (report_id TEXT PRIMARY KEY, state TEXT NOT NULL, priority TEXT NOT NULL,
        updated_at INTEGER NOT NULL, body TEXT NOT NULL)`,
    );
  }

  async upsert(entry: InboxEntry): Promise<void> {
    this.sql.exec(
      `INSERT INTO entries (report_id, state, priority, updated_at, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(report_id) DO UPDATE SET state = excluded.state, priority = excluded.priority,
         updated_at = excluded.updated_at, body = excluded.body`,
      entry.report_id,
      entry.state,
      entry.priority,
      entry.updated_at,
      JSON.stringify(entry),
    );
  }

  async remove(reportId: string): Promise<void> {
    this.sql.exec("DELETE FROM entries WHERE report_id = ?", reportId);
  }

  /** Needs-input first, then ready; each by priority, then most recent. */
  async list(): Promise<{ needs_input: InboxEntry[]; ready: InboxEntry[] }> {
    const rows = this.sql
      .exec<{ body: string }>("SELECT body FROM entries ORDER BY priority, updated_at DESC")
      .toArray()
      .map((r) => JSON.parse(r.body) as InboxEntry);
    return { needs_input: rows.filter((r) => r.state === "needs_input"), ready: rows.filter((r) => r.state === "ready") };
  }
}
