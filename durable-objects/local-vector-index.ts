/**
 * The local face of Vectorize: vectors in this Durable Object's SQLite, so
 * the index survives restarts of `wrangler dev`, and exact cosine search per
 * namespace, ranked as `rankByCosine` ranks (see vector-matrix.ts).
 *
 * Storage: `vectors_f32` rows hold each vector as a float32 BLOB (what
 * Vectorize keeps too). Queries never touch SQLite: each namespace is loaded
 * once, lazily, into a `VectorMatrix` (one Float32Array, norms precomputed)
 * that upserts keep in sync, so a query is one pass of dot products and no
 * garbage. A Durable Object created before this layout has a `vectors` table
 * of JSON text; the constructor moves its rows into `vectors_f32` once.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env, VectorizeMatchLike, VectorizeVectorInput } from "../workers/env";
import { VectorMatrix } from "../workers/local/vector-matrix";

type Metadata = Record<string, string | number | boolean>;

export class LocalVectorIndex extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly namespaces = new Map<string, VectorMatrix>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS vectors_f32 (namespace TEXT NOT NULL, id TEXT NOT NULL, dims INTEGER NOT NULL,
        vals BLOB NOT NULL, metadata TEXT NOT NULL, PRIMARY KEY (namespace, id))`,
    );
    const legacy = this.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'vectors'").toArray().length > 0;
    if (legacy) ctx.storage.transactionSync(() => this.migrateJsonRows());
  }

  /** The layout before float32 BLOBs: `vectors (namespace, id, vals TEXT JSON, metadata)`. */
  private migrateJsonRows(): void {
    for (const r of this.sql.exec<{ namespace: string; id: string; vals: string; metadata: string }>(
      "SELECT namespace, id, vals, metadata FROM vectors",
    )) {
      const values = JSON.parse(r.vals) as number[];
      this.sql.exec(
        "INSERT OR IGNORE INTO vectors_f32 (namespace, id, dims, vals, metadata) VALUES (?, ?, ?, ?, ?)",
        r.namespace,
        r.id,
        values.length,
        new Float32Array(values).buffer,
        r.metadata,
      );
    }
    this.sql.exec("DROP TABLE vectors");
  }

  /** The namespace's matrix, loaded from SQLite on first use. */
  private matrix(namespace: string, dims: number): VectorMatrix {
    let m = this.namespaces.get(namespace);
    // an empty namespace takes the dimension of its first vector
    if (m && (m.size > 0 || m.dimensions === dims)) return m;
    const count = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM vectors_f32 WHERE namespace = ?", namespace).one().n;
    const first = count > 0 ? this.sql.exec<{ dims: number }>("SELECT dims FROM vectors_f32 WHERE namespace = ? LIMIT 1", namespace).one() : null;
    m = new VectorMatrix(first?.dims ?? dims, Math.max(64, count));
    for (const r of this.sql.exec<{ id: string; vals: ArrayBuffer; metadata: string }>(
      "SELECT id, vals, metadata FROM vectors_f32 WHERE namespace = ?",
      namespace,
    )) {
      m.set(r.id, new Float32Array(r.vals), r.metadata);
    }
    this.namespaces.set(namespace, m);
    return m;
  }

  async upsert(vectors: VectorizeVectorInput[]): Promise<{ mutationId: string; count: number }> {
    const rows = vectors.map((v) => ({
      namespace: v.namespace ?? "",
      id: v.id,
      values: new Float32Array(v.values),
      metadata: JSON.stringify(v.metadata ?? {}),
    }));
    // check every vector before writing any, so SQLite and memory never disagree
    for (const r of rows) {
      const m = this.matrix(r.namespace, r.values.length);
      if (r.values.length !== m.dimensions) {
        throw new Error(`vector ${r.id} has ${r.values.length} dimensions; namespace "${r.namespace}" holds ${m.dimensions}`);
      }
    }
    this.ctx.storage.transactionSync(() => {
      for (const r of rows) {
        this.sql.exec(
          "INSERT OR REPLACE INTO vectors_f32 (namespace, id, dims, vals, metadata) VALUES (?, ?, ?, ?, ?)",
          r.namespace,
          r.id,
          r.values.length,
          r.values.buffer,
          r.metadata,
        );
      }
    });
    for (const r of rows) this.namespaces.get(r.namespace)!.set(r.id, r.values, r.metadata);
    return { mutationId: crypto.randomUUID(), count: vectors.length };
  }

  async query(
    vector: number[] | Float64Array,
    namespace: string,
    topK: number,
  ): Promise<{ matches: VectorizeMatchLike[]; count: number }> {
    const m = this.matrix(namespace, vector.length);
    if (m.size === 0) return { matches: [], count: 0 };
    const matches = m.query(vector, topK).map((x) => ({ id: x.id, score: x.score, metadata: JSON.parse(x.metadata) as Metadata }));
    return { matches, count: matches.length };
  }

  /** Vectors stored for a namespace (tests, diagnostics). */
  async count(namespace: string): Promise<number> {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM vectors_f32 WHERE namespace = ?", namespace).one().n;
  }
}
