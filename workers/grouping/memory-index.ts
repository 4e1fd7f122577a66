/**
 * Exact nearest-neighbour search over stored vectors, by cosine similarity.
 * `rankByCosine` is the reference; `MemoryVectorIndex` (eval CLI, unit tests)
 * and the local Vectorize Durable Object keep float32 rows in a `VectorMatrix`
 * that ranks exactly as it does over the stored values, only faster.
 */
import { cosine } from "./hashed-embedder";
import type { VectorIndex, VectorMatch, VectorRecord } from "./types";
import { VectorMatrix } from "../local/vector-matrix";

/** A stored record as a match at `score`, with the metadata it was stored with. */
function matchOf(r: VectorRecord, score: number): VectorMatch {
  const match: VectorMatch = { id: r.id, reportId: r.reportId, score };
  if (r.fingerprint) match.fingerprint = r.fingerprint;
  if (r.failure) match.failure = r.failure;
  if (r.query) match.query = r.query;
  return match;
}

export function rankByCosine(records: Iterable<VectorRecord>, vector: number[], topK: number): VectorMatch[] {
  const scored: VectorMatch[] = [];
  for (const r of records) scored.push(matchOf(r, cosine(vector, r.values)));
  scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return scored.slice(0, topK);
}

export class MemoryVectorIndex implements VectorIndex {
  /** per project: the vectors (float32 rows, as Vectorize and the local index store them) and their records */
  private readonly byProject = new Map<string, { matrix: VectorMatrix; records: Map<string, VectorRecord> }>();

  async query(project: string, vector: number[], topK: number): Promise<VectorMatch[]> {
    const p = this.byProject.get(project);
    if (!p) return [];
    return p.matrix.query(vector, topK).map(({ id, score }) => matchOf(p.records.get(id)!, score));
  }

  async upsert(project: string, records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    let p = this.byProject.get(project);
    if (!p) this.byProject.set(project, (p = { matrix: new VectorMatrix(records[0].values.length), records: new Map() }));
    for (const r of records) {
      p.matrix.set(r.id, r.values, "");
      p.records.set(r.id, { ...r, values: [] });
    }
  }
}
