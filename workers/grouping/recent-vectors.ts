/**
 * The vectors the consumer wrote in the last minute, kept in D1 beside the
 * vector index. Vectorize applies an upsert asynchronously (a query sees it
 * seconds later), so without these a signal grouped in the next batch would
 * not find the report a related signal opened just before, and open a second
 * one. `BufferedVectorIndex` reads a project's recent vectors once per batch
 * and ranks them with what the index answers; entries older than the window
 * are deleted as new ones are written.
 */
import { decodeEmbedding, encodeEmbedding } from "../normalize/embedding-codec";
import type { VectorRecord } from "./types";

/** Vectorize shows an upsert within seconds; a minute leaves a wide margin */
export const DEFAULT_VISIBILITY_WINDOW_MS = 60_000;
/** at most this many recent vectors a project are read per batch (the newest) */
const MAX_RECENT = 2_000;

export interface RecentVectorStore {
  /** the project's vectors written within the window, newest first */
  load(project: string): Promise<VectorRecord[]>;
  save(project: string, records: VectorRecord[]): Promise<void>;
}

export class D1RecentVectors implements RecentVectorStore {
  constructor(
    private readonly db: D1Database,
    private readonly windowMs = DEFAULT_VISIBILITY_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async load(project: string): Promise<VectorRecord[]> {
    const { results } = await this.db
      .prepare(
        `SELECT id, report_id, fingerprint, failure, query, vector FROM recent_vectors WHERE project_id = ? AND created_at >= ?
         ORDER BY created_at DESC LIMIT ?`,
      )
      .bind(project, this.now() - this.windowMs, MAX_RECENT)
      .all<{ id: string; report_id: string; fingerprint: string | null; failure: string | null; query: string | null; vector: string }>();
    return results.map((r) => ({ id: r.id, reportId: r.report_id, fingerprint: r.fingerprint, failure: r.failure, values: decodeEmbedding(r.vector), query: r.query ?? "" }));
  }

  async save(project: string, records: VectorRecord[]): Promise<void> {
    const now = this.now();
    const insert = this.db.prepare(
      `INSERT INTO recent_vectors (project_id, id, report_id, fingerprint, failure, query, vector, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project_id, id) DO UPDATE SET report_id = excluded.report_id, fingerprint = excluded.fingerprint, failure = excluded.failure,
         query = excluded.query, vector = excluded.vector, created_at = excluded.created_at`,
    );
    await this.db.batch([
      ...records.map((r) => insert.bind(project, r.id, r.reportId, r.fingerprint ?? null, r.failure ?? null, r.query?.slice(0, 500) || null, encodeEmbedding(r.values), now)),
      this.db.prepare("DELETE FROM recent_vectors WHERE project_id = ? AND created_at < ?").bind(project, now - this.windowMs),
    ]);
  }
}

/** `VECTOR_VISIBILITY_WINDOW_MS`, else the default. */
export function visibilityWindow(raw: string | undefined): number {
  const n = Number(raw?.trim() || DEFAULT_VISIBILITY_WINDOW_MS);
  if (!(Number.isFinite(n) && n > 0)) throw new Error(`VECTOR_VISIBILITY_WINDOW_MS must be a positive number of milliseconds, not '${raw}'`);
  return n;
}
