/**
 * Exact nearest-neighbour search over stored vectors, by cosine similarity.
 * `rankByCosine` is the reference; `MemoryVectorIndex` (eval CLI, unit tests)
 * and the local Vectorize Durable Object keep float32 rows in a `VectorMatrix`
 * that ranks exactly as it does over the stored values, only faster.
 */
import { cosine } from "./hashed-embedder";
import type { VectorIndex, VectorMatch, VectorRecord } from "./types";
import { VectorMatrix } from "../local/vector-matrix";

export function rankByCosine(records: Iterable<VectorRecord>, vector: number[], topK: number): VectorMatch[] {
  const scored: VectorMatch[] = [];
  for (const r of records) {
    const match: VectorMatch = { id: r.id, reportId: r.reportId, score: cosine(vector, r.values) };
    if (r.fingerprint) match.fingerprint = r.fingerprint;
    if (r.failure) match.failure = r.failure;
    if (r.query) match.query = r.query;
    scored.push(match);
  }
  scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return scored.slice(0, topK);
}

export class MemoryVectorIndex implements VectorIndex {
  /** per project: the vectors (float32 rows, as Vectorize and the local index store them) and their records */
  private readonly byProject = new Map<string, { matrix: VectorMatrix; records: Map<string, VectorRecord> }>();

  async query(project: string, vector: number[], topK: number): Promise<VectorMatch[]> {
    const p = this.byProject.get(project);
    if (!p) return [];
    return p.matrix.query(vector, topK).map(({ id, score }) => {
      const r = p.records.get(id)!;
      const match: VectorMatch = { id, reportId: r.reportId, score };
      if (r.fingerprint) match.fingerprint = r.fingerprint;
      if (r.failure) match.failure = r.failure;
      if (r.query) match.query = r.query;
      return match;
    });
  }

  async upsert(project: string, records: VectorRecord[]): Promise<void> {
    for (const r of records) {
      let p = this.byProject.get(project);
      if (!p) this.byProject.set(project, (p = { matrix: new VectorMatrix(r.values.length), records: new Map() }));
      p.matrix.set(r.id, r.values, "");
      p.records.set(r.id, { ...r, values: [] });
    }
  }
}
