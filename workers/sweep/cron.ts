/**
 * Scheduled sweep: promotes every potential report whose weight has reached
 * its project's threshold and its own raised bar (`resume_at`, after it was
 * found not actionable; mirrored to D1, so such a report is not re-read every
 * minute), for example after the threshold was lowered or a promotion was
 * missed, and re-arms research that stalled. Least recently updated first, 500
 * a run, so no report waits behind others forever.
 */
import type { Env } from "../env";

export interface SweepResult {
  checked: number;
  promoted: number;
  rearmed: number;
}

const STALLED_MS = 10 * 60_000;

/** The reports the sweep looks at now: due for promotion, or stalled in research; least recently updated first. */
export async function dueReports(db: D1Database, now: number, limit = 500): Promise<{ id: string; threshold: number }[]> {
  const { results } = await db
    .prepare(
      `SELECT r.id AS id, p.promotion_threshold AS threshold FROM reports r JOIN projects p ON p.id = r.project_id
       WHERE (r.state = 'potential' AND r.weight >= MAX(p.promotion_threshold, r.resume_at))
          OR (r.state IN ('candidate', 'researching') AND r.updated_at <= ?)
       ORDER BY r.updated_at
       LIMIT ?`,
    )
    .bind(now - STALLED_MS, limit)
    .all<{ id: string; threshold: number }>();
  return results;
}

export async function sweepReports(env: Env, now = Date.now()): Promise<SweepResult> {
  const results = await dueReports(env.DB, now);
  const out: SweepResult = { checked: results.length, promoted: 0, rearmed: 0 };
  for (const r of results) {
    const stub = env.REPORTS.get(env.REPORTS.idFromName(r.id));
    const res = await stub.sweep(r.threshold, STALLED_MS);
    if (res.promoted) out.promoted++;
    if (res.rearmed) out.rearmed++;
  }
  return out;
}
