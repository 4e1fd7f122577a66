/**
 * A VectorIndex for one consumer batch: lookups see the index plus the
 * vectors this batch has added so far (ranked exactly, in memory), and the
 * additions go to the index in one upsert at the end (`flush`). One call
 * instead of one per signal; and in production a signal is grouped against
 * the signals just before it in the same batch, which Vectorize, eventually
 * consistent, would not show yet.
 */
import { rankByCosine } from "./memory-index";
import type { VectorIndex, VectorMatch, VectorRecord } from "./types";

export class BufferedVectorIndex implements VectorIndex {
  private readonly added = new Map<string, Map<string, VectorRecord>>();

  constructor(private readonly inner: VectorIndex) {}

  async query(project: string, vector: number[], topK: number): Promise<VectorMatch[]> {
    const mine = this.added.get(project);
    const remote = await this.inner.query(project, vector, topK);
    if (!mine?.size) return remote;
    const merged = [...remote.filter((m) => !mine.has(m.id)), ...rankByCosine(mine.values(), vector, topK)];
    merged.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
    return merged.slice(0, topK);
  }

  async upsert(project: string, records: VectorRecord[]): Promise<void> {
    let mine = this.added.get(project);
    if (!mine) this.added.set(project, (mine = new Map()));
    for (const r of records) mine.set(r.id, r);
  }

  /** Writes what the batch added, one upsert per project. */
  async flush(): Promise<void> {
    for (const [project, records] of this.added) {
      if (records.size) await this.inner.upsert(project, [...records.values()]);
    }
    this.added.clear();
  }
}
