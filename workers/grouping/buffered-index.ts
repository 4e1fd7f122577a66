/**
 * A VectorIndex for one consumer batch: lookups see the index plus the
 * vectors this batch has added so far (ranked exactly, in memory), and the
 * additions go to the index in one upsert at the end (`flush`). One call
 * instead of one per signal; and in production a signal is grouped against
 * the signals just before it in the same batch, which Vectorize, eventually
 * consistent, would not show yet. With a `RecentVectorStore` (production),
 * lookups also see what earlier batches wrote within the visibility window,
 * read once per project and batch, and `flush` records the batch's additions
 * there too.
 */
import { rankByCosine } from "./memory-index";
import type { RecentVectorStore } from "./recent-vectors";
import type { VectorIndex, VectorMatch, VectorRecord } from "./types";

const NONE: ReadonlyMap<string, VectorRecord> = new Map();
const NO_RECENT = Promise.resolve(NONE);

export class BufferedVectorIndex implements VectorIndex {
  private readonly added = new Map<string, Map<string, VectorRecord>>();
  private readonly recent = new Map<string, Promise<ReadonlyMap<string, VectorRecord>>>();

  constructor(
    private readonly inner: VectorIndex,
    private readonly recentStore: RecentVectorStore | null = null,
  ) {}

  async query(project: string, vector: number[], topK: number): Promise<VectorMatch[]> {
    const [remote, earlier] = await Promise.all([this.inner.query(project, vector, topK), this.recentOf(project)]);
    const mine = this.added.get(project) ?? NONE;
    if (!mine.size && !earlier.size) return remote;
    // the freshest copy of each vector: this batch's, then an earlier batch's, then the index's
    const local = [...mine.values(), ...[...earlier.values()].filter((r) => !mine.has(r.id))];
    const merged = [...remote.filter((m) => !mine.has(m.id) && !earlier.has(m.id)), ...rankByCosine(local, vector, topK)];
    merged.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
    return merged.slice(0, topK);
  }

  async upsert(project: string, records: VectorRecord[]): Promise<void> {
    let mine = this.added.get(project);
    if (!mine) this.added.set(project, (mine = new Map()));
    for (const r of records) mine.set(r.id, r);
  }

  /** Writes what the batch added, one upsert per project (and to the recent store). */
  async flush(): Promise<void> {
    for (const [project, records] of this.added) {
      if (!records.size) continue;
      await this.inner.upsert(project, [...records.values()]);
      await this.recentStore?.save(project, [...records.values()]);
    }
    this.added.clear();
  }

  private recentOf(project: string): Promise<ReadonlyMap<string, VectorRecord>> {
    if (!this.recentStore) return NO_RECENT;
    let p = this.recent.get(project);
    if (!p) {
      p = this.recentStore.load(project).then((rs) => new Map(rs.map((r) => [r.id, r])));
      this.recent.set(project, p);
    }
    return p;
  }
}
