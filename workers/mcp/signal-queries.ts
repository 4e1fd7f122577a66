/**
 * The D1 reads behind the MCP signal tools. Every statement is bound to one
 * project; content comes back cut to CONTENT_CHARS by SQLite itself, with its
 * full length, so a 64 KiB signal costs what its first characters do.
 */
import { containsPattern } from "./like-pattern";

export const CONTENT_CHARS = 2_000;

export interface SignalRow {
  id: string;
  source_product: string;
  source_type: string;
  content: string;
  content_length: number;
  weight: number;
  timestamp: number | null;
  received_at: number;
  report_id: string | null;
  fingerprint: string | null;
  triage: string | null;
  triage_reason: string | null;
  /** search only, for content longer than CONTENT_CHARS: the text around the first match */
  match_excerpt?: string | null;
}

/** characters of context before the match in `match_excerpt`, and its length */
const EXCERPT_BEFORE = 300;
const EXCERPT_CHARS = 800;

const COLUMNS = `id, source_product, source_type, substr(content, 1, ${CONTENT_CHARS}) AS content, length(content) AS content_length,
  weight, timestamp, received_at, report_id, fingerprint, triage, triage_reason`;

export async function searchSignals(
  db: D1Database,
  project: string,
  q: { query: string; limit: number; source_product?: string; report_id?: string },
): Promise<SignalRow[]> {
  const where = ["project_id = ?", "content LIKE ? ESCAPE '\\'"];
  const binds: unknown[] = [project, containsPattern(q.query)];
  if (q.source_product) {
    where.push("source_product = ?");
    binds.push(q.source_product);
  }
  if (q.report_id) {
    where.push("report_id = ?");
    binds.push(q.report_id);
  }
  // a match past the first CONTENT_CHARS is shown too (lower() as LIKE folds: ASCII only)
  const excerpt = `CASE WHEN length(content) > ${CONTENT_CHARS}
    THEN substr(content, max(1, instr(lower(content), lower(?)) - ${EXCERPT_BEFORE}), ${EXCERPT_CHARS}) END AS match_excerpt`;
  const sql = `SELECT ${COLUMNS}, ${excerpt} FROM signals WHERE ${where.join(" AND ")} ORDER BY received_at DESC, id LIMIT ?`;
  return (await db.prepare(sql).bind(q.query, ...binds, q.limit).all<SignalRow>()).results;
}

export async function signalById(db: D1Database, project: string, id: string): Promise<SignalRow | null> {
  return db.prepare(`SELECT ${COLUMNS} FROM signals WHERE project_id = ? AND id = ?`).bind(project, id).first<SignalRow>();
}

export async function sameFingerprint(db: D1Database, project: string, signal: SignalRow, limit: number): Promise<SignalRow[]> {
  if (!signal.fingerprint) return [];
  const sql = `SELECT ${COLUMNS} FROM signals WHERE project_id = ? AND fingerprint = ? AND id != ? ORDER BY received_at DESC, id LIMIT ?`;
  return (await db.prepare(sql).bind(project, signal.fingerprint, signal.id, limit).all<SignalRow>()).results;
}

/** signals received within `windowMs` of `signal`, nearest first */
export async function aroundInTime(db: D1Database, project: string, signal: SignalRow, windowMs: number, limit: number): Promise<SignalRow[]> {
  const sql = `SELECT ${COLUMNS} FROM signals WHERE project_id = ? AND received_at BETWEEN ? AND ? AND id != ?
    ORDER BY abs(received_at - ?), id LIMIT ?`;
  const t = signal.received_at;
  return (await db.prepare(sql).bind(project, t - windowMs, t + windowMs, signal.id, t, limit).all<SignalRow>()).results;
}

/** a row as the tools show it: the cut is said, not silent */
export function signalData(r: SignalRow) {
  return { ...r, content_truncated: r.content_length > r.content.length };
}
