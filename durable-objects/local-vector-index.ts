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
 *
 * Vectorize applies an upsert asynchronously: queries see it only seconds
 * later. `LOCAL_VECTORIZE_DELAY_MS` makes this face behave the same way (an
 * upsert becomes visible to queries that long after it was made), so the
 * consumer's handling of it (workers/grouping/recent-vectors.ts) can be tested
 * and tried locally. Default 0: visible at once.
 */
import { DurableObject } from "cloudflare:workers";
import { addColumnIfMissing } from "./add-column";
import type { Env, VectorizeMatchLike, VectorizeVectorInput } from "../workers/env";
import { VectorMatrix } from "../workers/local/vector-matrix";

type Metadata = Record<string, string | number | boolean>;

/** an upsert not applied to queries yet (`LOCAL_VECTORIZE_DELAY_MS`) */
interface Pending {
  id: string;
  values: Float32Array;
  metadata: string;
  visibleAt: number;
}

export class LocalVectorIndex extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly namespaces = new Map<string, VectorMatrix>();
  /** per namespace, in the order they become visible */
  private readonly pending = new Map<string, Pending[]>();
  private readonly delayMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS vectors_f32 (namespace TEXT NOT NULL, id TEXT NOT NULL, dims INTEGER NOT NULL,
        vals BLOB NOT NULL, metadata TEXT NOT NULL, visible_at INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (namespace, id))`,
    );
    addColumnIfMissing(this.sql, "vectors_f32", "visible_at", "INTEGER NOT NULL DEFAULT 0");
    const delay = Number(env.LOCAL_VECTORIZE_DELAY_MS ?? 0);
    this.delayMs = Number.isFinite(delay) && delay > 0 ? delay : 0;
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
    const first = this.sql.exec<{ dims: number }>("SELECT dims FROM vectors_f32 WHERE namespace = ? LIMIT 1", namespace).toArray()[0];
    m = new VectorMatrix(first?.dims ?? dims);
    const now = Date.now();
    const waiting: Pending[] = [];
    for (const r of this.sql.exec<{ id: string; vals: ArrayBuffer; metadata: string; visible_at: number }>(
      "SELECT id, vals, metadata, visible_at FROM vectors_f32 WHERE namespace = ?",
      namespace,
    )) {
      if (r.visible_at <= now) m.set(r.id, new Float32Array(r.vals), r.metadata);
      else waiting.push({ id: r.id, values: new Float32Array(r.vals), metadata: r.metadata, visibleAt: r.visible_at });
    }
    this.namespaces.set(namespace, m);
    this.pending.set(namespace, waiting.sort((a, b) => a.visibleAt - b.visibleAt));
    return m;
  }

  /** Applies the namespace's upserts whose delay has passed. */
  private applyDue(namespace: string, m: VectorMatrix): void {
    const waiting = this.pending.get(namespace);
    if (!waiting?.length) return;
    const now = Date.now();
    let n = 0;
    while (n < waiting.length && waiting[n].visibleAt <= now) {
      m.set(waiting[n].id, waiting[n].values, waiting[n].metadata);
      n++;
    }
    waiting.splice(0, n);
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
    const visibleAt = this.delayMs > 0 ? Date.now() + this.delayMs : 0;
    this.ctx.storage.transactionSync(() => {
      for (const r of rows) {
        this.sql.exec(
          "INSERT OR REPLACE INTO vectors_f32 (namespace, id, dims, vals, metadata, visible_at) VALUES (?, ?, ?, ?, ?, ?)",
          r.namespace,
          r.id,
          r.values.length,
          r.values.buffer,
          r.metadata,
          visibleAt,
        );
      }
    });
    for (const r of rows) {
      if (visibleAt === 0) this.namespaces.get(r.namespace)!.set(r.id, r.values, r.metadata);
      else this.pending.get(r.namespace)!.push({ id: r.id, values: r.values, metadata: r.metadata, visibleAt });
    }
    return { mutationId: crypto.randomUUID(), count: vectors.length };
  }

  async query(
    vector: number[] | Float64Array,
    namespace: string,
    topK: number,
  ): Promise<{ matches: VectorizeMatchLike[]; count: number }> {
    const m = this.matrix(namespace, vector.length);
    this.applyDue(namespace, m);
    if (m.size === 0) return { matches: [], count: 0 };
    const matches = m.query(vector, topK).map((x) => ({ id: x.id, score: x.score, metadata: JSON.parse(x.metadata) as Metadata }));
    return { matches, count: matches.length };
  }

  /** Vectors stored for a namespace (tests, diagnostics). */
  async count(namespace: string): Promise<number> {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM vectors_f32 WHERE namespace = ?", namespace).one().n;
  }
}
