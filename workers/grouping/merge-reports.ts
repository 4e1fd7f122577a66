/**
 * A person merges report `from` into report `into` (POST
 * /v1/reports/:id/merge). In this order, so a failure at any step leaves
 * nothing lost and the same request, retried, finishes the job:
 *  1. the redirect and the correction are recorded in D1 (links that still
 *     name `from`, such as vectors in the index, lead to `into` from now on;
 *     earlier redirects to `from` are pointed at `into`);
 *  2. `from` becomes `merged` and hands over its signals (signals sent to it
 *     from now on are forwarded);
 *  3. `into` takes them (idempotent by signal id), linked as `merge`;
 *  4. D1 follows: the signals' rows, fingerprints and recent vectors point at
 *     `into`, `from`'s listing goes, `into`'s is mirrored.
 */
import type { Env } from "../env";
import { mirrorStatement } from "../reports/mirror";

export interface MergeResult {
  merged: string;
  into: string;
  signals_moved: number;
}

export async function mergeReports(env: Env, project: { id: string; promotionThreshold: number }, from: string, into: string, note: string): Promise<MergeResult> {
  const now = Date.now();
  const db = env.DB;
  await db.batch([
    db
      .prepare("INSERT INTO report_redirects (project_id, from_report_id, to_report_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
      .bind(project.id, from, into, now),
    db.prepare("UPDATE report_redirects SET to_report_id = ? WHERE project_id = ? AND to_report_id = ?").bind(into, project.id, from),
    db
      .prepare(
        `INSERT INTO grouping_corrections (project_id, id, kind, signal_id, from_report_id, to_report_id, vector, note, created_at)
         VALUES (?, ?, 'merge', NULL, ?, ?, NULL, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .bind(project.id, `merge:${from}`, from, into, note || null, now),
  ]);
  const handed = await env.REPORTS.get(env.REPORTS.idFromName(from)).mergeInto(into, `merged into report ${into}${note ? `: ${note}` : ""}`);
  if (!handed) throw new Error(`report ${from} has no Durable Object state`);
  const items = handed.items.map((it) => ({ ...it, link: { ...it.link, method: "merge" as const } }));
  const listing = await env.REPORTS.get(env.REPORTS.idFromName(into)).addSignals({ reportId: into, project: project.id, threshold: project.promotionThreshold, items });
  await db.batch([
    db.prepare("UPDATE signals SET report_id = ?, link_method = 'merge' WHERE project_id = ? AND report_id = ?").bind(into, project.id, from),
    db.prepare("UPDATE fingerprints SET report_id = ? WHERE project_id = ? AND report_id = ?").bind(into, project.id, from),
    db.prepare("UPDATE recent_vectors SET report_id = ? WHERE project_id = ? AND report_id = ?").bind(into, project.id, from),
    db.prepare("DELETE FROM reports WHERE project_id = ? AND id = ?").bind(project.id, from),
    mirrorStatement(db, listing),
  ]);
  return { merged: from, into, signals_moved: items.length };
}
