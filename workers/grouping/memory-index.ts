/**
 * Exact nearest-neighbour search over stored vectors, by cosine similarity.
 * `MemoryVectorIndex` keeps them in memory (eval CLI, unit tests); the local
 * Vectorize Durable Object stores rows in SQLite and ranks them with the same
 * `rankByCosine`.
 */
import { cosine } from "./hashed-embedder";
import type { VectorIndex, VectorMatch, VectorRecord } from "./types";

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
  private readonly byProject = new Map<string, Map<string, VectorRecord>>();

  async query(project: string, vector: number[], topK: number): Promise<VectorMatch[]> {
    return rankByCosine(this.byProject.get(project)?.values() ?? [], vector, topK);
  }

  async upsert(project: string, records: VectorRecord[]): Promise<void> {
    let m = this.byProject.get(project);
    if (!m) this.byProject.set(project, (m = new Map()));
    for (const r of records) m.set(r.id, r);
  }
}
