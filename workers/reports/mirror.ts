/** The D1 `reports` table mirrors each report Durable Object's listing fields. */
import type { ReportState } from "./state";

/** What D1 `reports` mirrors of a report: the fields listings and the sweep read. */
export interface ReportListing {
  id: string;
  project: string;
  state: ReportState;
  title: string;
  weight: number;
  signal_count: number;
  /** the raised bar after not_actionable (0: none) */
  resume_at: number;
  created_at: number;
  updated_at: number;
}

/**
 * Upserts a report's listing into D1. A listing older than the one stored
 * (fewer signals, or an earlier update) never overwrites it, so mirrors
 * written out of order by concurrent callers settle on the newest.
 */
export function mirrorStatement(db: D1Database, l: ReportListing): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO reports (id, project_id, state, title, weight, signal_count, resume_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, title = excluded.title, weight = excluded.weight,
         signal_count = excluded.signal_count, resume_at = excluded.resume_at, updated_at = excluded.updated_at
       WHERE excluded.updated_at >= reports.updated_at AND excluded.signal_count >= reports.signal_count`,
    )
    .bind(l.id, l.project, l.state, l.title, l.weight, l.signal_count, l.resume_at, l.created_at, l.updated_at);
}

/**
 * Writes a report's listing as it is, for a report that lost signals (a
 * person moved one out): `mirrorStatement` never lets a listing shrink.
 */
export function shrunkListingStatement(db: D1Database, l: ReportListing): D1PreparedStatement {
  return db
    .prepare("UPDATE reports SET weight = ?, signal_count = ?, updated_at = ? WHERE project_id = ? AND id = ?")
    .bind(l.weight, l.signal_count, l.updated_at, l.project, l.id);
}
