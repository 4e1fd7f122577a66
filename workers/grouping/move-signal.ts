/**
 * A person moves a signal out of its report (POST
 * /v1/reports/:id/signals/:signalId/move), into another report or a new one.
 * The correction is kept with the signal's vector (D1 `grouping_corrections`),
 * so grouping never puts a signal that close to it back into the report it
 * left (corrections.ts); its fingerprint goes along, so its repeats follow it.
 * The target takes the signal before the source lets it go: a failure in
 * between counts it twice until the request is retried, never loses it.
 */
import type { Env } from "../env";
import { mirrorStatement, shrunkListingStatement } from "../reports/mirror";
import type { EvidenceSignal } from "../research/research";

export interface MoveResult {
  signal: string;
  from: string;
  to: string;
  new_report: boolean;
}

/** The signal as D1 stores it: what its report shows, and what the correction keeps (its vector, its fingerprint). */
export interface StoredSignal extends EvidenceSignal {
  embedding: string | null;
  fingerprint: string | null;
}

export async function moveSignal(
  env: Env,
  project: { id: string; promotionThreshold: number },
  signal: StoredSignal,
  from: string,
  to: { id: string; isNew: boolean },
  note: string,
): Promise<MoveResult> {
  const now = Date.now();
  const db = env.DB;
  await db
    .prepare(
      `INSERT INTO grouping_corrections (project_id, id, kind, signal_id, from_report_id, to_report_id, vector, note, created_at)
       VALUES (?, ?, 'move', ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project_id, id) DO UPDATE SET to_report_id = excluded.to_report_id, note = excluded.note, created_at = excluded.created_at`,
    )
    .bind(project.id, `move:${signal.id}:${from}`, signal.id, from, to.id, signal.embedding, note || null, now)
    .run();
  const item = {
    signal: {
      id: signal.id,
      source_product: signal.source_product,
      source_type: signal.source_type,
      content: signal.content,
      weight: signal.weight,
      received_at: signal.received_at,
    },
    link: { method: "move" as const, query: note || null, score: null },
  };
  const target = await env.REPORTS.get(env.REPORTS.idFromName(to.id)).addSignals({ reportId: to.id, project: project.id, threshold: project.promotionThreshold, items: [item] });
  const source = await env.REPORTS.get(env.REPORTS.idFromName(from)).removeSignal(signal.id, to.id, note);
  const writes = [
    db.prepare("UPDATE signals SET report_id = ?, link_method = 'move', link_query = ?, link_score = NULL WHERE project_id = ? AND id = ?").bind(to.id, note || null, project.id, signal.id),
    db.prepare("UPDATE recent_vectors SET report_id = ? WHERE project_id = ? AND id LIKE ? ESCAPE '\\'").bind(to.id, project.id, `${likeEscape(signal.id)}:%`),
    mirrorStatement(db, target),
  ];
  // its repeats follow it: its fingerprint now leads to the new report (if it led to the old one)
  if (signal.fingerprint) {
    writes.push(db.prepare("UPDATE fingerprints SET report_id = ? WHERE project_id = ? AND fingerprint = ? AND report_id = ?").bind(to.id, project.id, signal.fingerprint, from));
  }
  // the source shrinks: its listing is written as it is, not by the grow-only mirror
  if (source) writes.push(shrunkListingStatement(db, source));
  await db.batch(writes);
  return { signal: signal.id, from, to: to.id, new_report: to.isNew };
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
