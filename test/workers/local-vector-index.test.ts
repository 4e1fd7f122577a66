import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LocalVectorIndex } from "../../durable-objects/local-vector-index";
import { rankByCosine } from "../../workers/grouping/memory-index";

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIMS = 768;
const randomVector = (r: () => number) => Array.from({ length: DIMS }, () => r() - 0.5);
const f32 = (v: number[]) => Array.from(new Float32Array(v));
const ids = (res: { matches: { id: string }[] }) => res.matches.map((m) => m.id);

describe("LocalVectorIndex through the VECTORS binding (LocalVectorize)", () => {
  it("ranks as rankByCosine over the stored float32 values, with metadata", async () => {
    const r = rng(3);
    const ns = "lvi-rank";
    const records = Array.from({ length: 120 }, (_, i) => ({ id: `s${i}:0`, reportId: `r${i % 7}`, query: `q${i}`, values: randomVector(r) }));
    await env.VECTORS.upsert(records.map((x) => ({ id: x.id, values: x.values, namespace: ns, metadata: { report_id: x.reportId, query: x.query } })));
    for (let q = 0; q < 5; q++) {
      const vector = randomVector(r);
      const want = rankByCosine(records.map((x) => ({ ...x, values: f32(x.values) })), vector, 5);
      const got = await env.VECTORS.query(vector, { topK: 5, namespace: ns, returnMetadata: "all" });
      expect(got.matches).toEqual(want.map((w) => ({ id: w.id, score: w.score, metadata: { report_id: w.reportId, query: `q${w.id.slice(1, -2)}` } })));
    }
    const bare = await env.VECTORS.query(randomVector(r), { topK: 2, namespace: ns });
    expect(bare.matches.every((m) => m.metadata === undefined)).toBe(true);
  });

  it("replaces a vector upserted again under the same id", async () => {
    const ns = "lvi-replace";
    const a = [1, ...new Array(DIMS - 1).fill(0)];
    const b = [0, 1, ...new Array(DIMS - 2).fill(0)];
    await env.VECTORS.upsert([{ id: "x", values: a, namespace: ns, metadata: { report_id: "r1" } }]);
    await env.VECTORS.upsert([{ id: "x", values: b, namespace: ns, metadata: { report_id: "r2" } }]);
    const res = await env.VECTORS.query(b, { topK: 5, namespace: ns, returnMetadata: "all" });
    expect(res.matches).toEqual([{ id: "x", score: 1, metadata: { report_id: "r2" } }]);
    const stub = env.LOCAL_VECTORS!.get(env.LOCAL_VECTORS!.idFromName("nightshift-about"));
    expect(await stub.count(ns)).toBe(1);
  });

  it("keeps namespaces apart", async () => {
    const r = rng(5);
    const v = randomVector(r);
    await env.VECTORS.upsert([
      { id: "same-id", values: v, namespace: "lvi-ns-a", metadata: { report_id: "a" } },
      { id: "same-id", values: randomVector(r), namespace: "lvi-ns-b", metadata: { report_id: "b" } },
      { id: "only-b", values: v, namespace: "lvi-ns-b", metadata: { report_id: "b" } },
    ]);
    const inA = await env.VECTORS.query(v, { topK: 5, namespace: "lvi-ns-a", returnMetadata: "all" });
    expect(inA.matches.map((m) => [m.id, m.metadata?.report_id])).toEqual([["same-id", "a"]]);
    const inB = await env.VECTORS.query(v, { topK: 5, namespace: "lvi-ns-b", returnMetadata: "all" });
    expect(inB.matches.map((m) => [m.id, m.metadata?.report_id])).toEqual([["only-b", "b"], ["same-id", "b"]]);
    expect((await env.VECTORS.query(v, { topK: 5, namespace: "lvi-ns-none" })).matches).toEqual([]);
  });

  it("answers the same after the Durable Object is instantiated again (loaded from SQLite)", async () => {
    const r = rng(9);
    const ns = "lvi-restart";
    const vectors = Array.from({ length: 40 }, (_, i) => ({ id: `s${i}:0`, values: randomVector(r), namespace: ns, metadata: { report_id: `r${i % 4}` } }));
    await env.VECTORS.upsert(vectors);
    await env.VECTORS.upsert([{ ...vectors[3], metadata: { report_id: "moved" } }]);
    const probes = Array.from({ length: 4 }, () => randomVector(r));
    const before = await Promise.all(probes.map((p) => env.VECTORS.query(p, { topK: 5, namespace: ns, returnMetadata: "all" })));
    const stub = env.LOCAL_VECTORS!.get(env.LOCAL_VECTORS!.idFromName("nightshift-about"));
    await runInDurableObject(stub, async (_instance, state) => {
      const fresh = new LocalVectorIndex(state, env);
      for (let i = 0; i < probes.length; i++) {
        const after = await fresh.query(probes[i], ns, 5);
        expect(after).toEqual({ matches: before[i].matches, count: before[i].count });
      }
      const moved = await fresh.query(vectors[3].values, ns, 1);
      expect(moved.matches[0]).toMatchObject({ id: "s3:0", metadata: { report_id: "moved" } });
    });
  });

  it("moves the rows of the old JSON table into the float32 table, and keeps ranking them", async () => {
    const r = rng(13);
    const stub = env.LOCAL_VECTORS!.get(env.LOCAL_VECTORS!.idFromName("lvi-legacy"));
    const records = Array.from({ length: 30 }, (_, i) => ({ id: `old${i}:0`, reportId: `r${i % 3}`, query: "", values: randomVector(r) }));
    const probe = randomVector(r);
    await runInDurableObject(stub, async (_instance, state) => {
      // the layout before float32 BLOBs
      state.storage.sql.exec(
        `CREATE TABLE vectors (namespace TEXT NOT NULL, id TEXT NOT NULL, vals TEXT NOT NULL, metadata TEXT NOT NULL, PRIMARY KEY (namespace, id))`,
      );
      for (const x of records) {
        state.storage.sql.exec("INSERT INTO vectors VALUES (?, ?, ?, ?)", "legacy", x.id, JSON.stringify(x.values), JSON.stringify({ report_id: x.reportId }));
      }
      const fresh = new LocalVectorIndex(state, env);
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'vectors%'").toArray();
      expect(tables.map((t) => t.name)).toEqual(["vectors_f32"]);
      const want = rankByCosine(records.map((x) => ({ ...x, values: f32(x.values) })), probe, 4);
      const got = await fresh.query(probe, "legacy", 4);
      expect(got.matches).toEqual(want.map((w) => ({ id: w.id, score: w.score, metadata: { report_id: w.reportId } })));
      expect(await fresh.count("legacy")).toBe(30);
    });
    expect(ids(await stub.query(probe, "legacy", 2))).toHaveLength(2);
  });
});
