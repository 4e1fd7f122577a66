/**
 * The local face of Vectorize: vectors in this Durable Object's SQLite, so
 * the index survives restarts of `wrangler dev`. Exact cosine search per
 * namespace (`rankByCosine`), the same ranking the in-memory index uses.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env, VectorizeMatchLike, VectorizeVectorInput } from "../workers/env";
import { rankByCosine } from "../workers/grouping/memory-index";

export class LocalVectorIndex extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS vectors (namespace TEXT NOT NULL, id TEXT NOT NULL, vals TEXT NOT NULL,
        metadata TEXT NOT NULL, PRIMARY KEY (namespace, id))`,
    );
  }

  async upsert(vectors: VectorizeVectorInput[]): Promise<{ mutationId: string; count: number }> {
    for (const v of vectors) {
      this.sql.exec(
        "INSERT OR REPLACE INTO vectors (namespace, id, vals, metadata) VALUES (?, ?, ?, ?)",
        v.namespace ?? "",
        v.id,
        JSON.stringify(v.values),
        JSON.stringify(v.metadata ?? {}),
      );
    }
    return { mutationId: crypto.randomUUID(), count: vectors.length };
  }

  async query(vector: number[], namespace: string, topK: number): Promise<{ matches: VectorizeMatchLike[]; count: number }> {
    const rows = this.sql
      .exec<{ id: string; vals: string; metadata: string }>("SELECT id, vals, metadata FROM vectors WHERE namespace = ?", namespace)
      .toArray();
    const meta = new Map(rows.map((r) => [r.id, JSON.parse(r.metadata) as Record<string, string | number | boolean>]));
    const ranked = rankByCosine(
      rows.map((r) => ({ id: r.id, reportId: "", query: "", values: JSON.parse(r.vals) as number[] })),
      vector,
      topK,
    );
    const matches = ranked.map((m) => ({ id: m.id, score: m.score, metadata: meta.get(m.id) }));
    return { matches, count: matches.length };
  }
}
