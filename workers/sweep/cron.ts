/**
 * Scheduled sweep: promotes every potential report whose weight has reached
 * its project's threshold (for example after the threshold was lowered, or a
 * promotion was missed), and re-arms research that stalled.
 */
import type { Env } from "../env";

export interface SweepResult {
  checked: number;
  promoted: number;
  rearmed: number;
}

const STALLED_MS = 10 * 60_000;

export async function sweepReports(env: Env, now = Date.now()): Promise<SweepResult> {
  const { results } = await env.DB.prepare(
    `SELECT r.id AS id, p.promotion_threshold AS threshold FROM reports r JOIN projects p ON p.id = r.project_id
     WHERE (r.state = 'potential' AND r.weight >= p.promotion_threshold)
        OR (r.state IN ('candidate', 'researching') AND r.updated_at <= ?)
     LIMIT 500`,
  )
    .bind(now - STALLED_MS)
    .all<{ id: string; threshold: number }>();
  const out: SweepResult = { checked: results.length, promoted: 0, rearmed: 0 };
  for (const r of results) {
    const stub = env.REPORTS.get(env.REPORTS.idFromName(r.id));
    const res = await stub.sweep(r.threshold, STALLED_MS);
    if (res.promoted) out.promoted++;
    if (res.rearmed) out.rearmed++;
  }
  return out;
}
