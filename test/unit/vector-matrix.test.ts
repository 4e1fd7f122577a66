import { describe, expect, it } from "vitest";
import { rankByCosine } from "../../workers/grouping/memory-index";
import { VectorMatrix } from "../../workers/local/vector-matrix";

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const f32 = (v: number[]) => Array.from(new Float32Array(v));

describe("VectorMatrix", () => {
  it("ranks exactly as rankByCosine over the stored (float32) values, ties by id, over dense rows", () => {
    const r = rng(7);
    const dims = 48;
    const m = new VectorMatrix(dims);
    const records: { id: string; reportId: string; query: string; values: number[] }[] = [];
    const rand = () => Array.from({ length: dims }, () => (r() < 0.3 ? 0 : r() * 2 - 1));
    for (let i = 0; i < 700; i++) {
      // some exact duplicates (equal scores: the id decides), a zero vector, the rest random
      const values = i % 50 === 7 ? new Array(dims).fill(0) : i % 9 === 0 && i > 0 ? records[i - 9].values : rand();
      const id = `s${(i * 7919) % 1000}:${i % 3}`;
      m.set(id, values, JSON.stringify({ report_id: `r${i % 13}` }));
      records.push({ id, reportId: "", query: "", values: f32(values) });
    }
    for (let q = 0; q < 40; q++) {
      const vector = q === 0 ? new Array(dims).fill(0) : q % 5 === 0 ? records[q * 11].values : rand();
      for (const k of [1, 5, 20, 1000]) {
        const want = rankByCosine(records, vector, k).map((x) => ({ id: x.id, score: x.score }));
        const got = m.query(vector, k).map((x) => ({ id: x.id, score: x.score }));
        expect(got).toEqual(want);
      }
    }
  });

  it("ranks sparse and dense queries over sparse and dense rows (hashed-embedder shape) exactly as rankByCosine, disjoint supports scoring +0", () => {
    const r = rng(23);
    const dims = 768;
    const sparse = () => {
      const v = new Array(dims).fill(0);
      for (let j = 0; j < 40; j++) v[Math.floor(r() * dims)] += r() < 0.5 ? -0.25 : 1;
      return v;
    };
    const m = new VectorMatrix(dims);
    const records: { id: string; reportId: string; query: string; values: number[] }[] = [];
    for (let i = 0; i < 400; i++) {
      const values = i % 4 === 0 ? Array.from({ length: dims }, () => r() - 0.5) : sparse();
      m.set(`v${i}`, values, "{}");
      records.push({ id: `v${i}`, reportId: "", query: "", values: f32(values) });
    }
    for (let q = 0; q < 40; q++) {
      // a quarter of the queries dense: each row kind is met by each query kind
      const vector = q % 4 === 3 ? Array.from({ length: dims }, () => (r() < 0.2 ? 0 : r() - 0.5)) : sparse();
      for (const k of [3, 400]) {
        const want = rankByCosine(records, vector, k).map((x) => ({ id: x.id, score: x.score }));
        expect(m.query(vector, k).map((x) => ({ id: x.id, score: x.score }))).toEqual(want);
      }
    }
  });

  it("ranks random float64 vectors in the same order as rankByCosine over the originals", () => {
    const r = rng(11);
    const dims = 768;
    const m = new VectorMatrix(dims);
    const records: { id: string; reportId: string; query: string; values: number[] }[] = [];
    for (let i = 0; i < 300; i++) {
      const values = Array.from({ length: dims }, () => r() - 0.5);
      m.set(`v${i}`, values, "{}");
      records.push({ id: `v${i}`, reportId: "", query: "", values });
    }
    for (let q = 0; q < 10; q++) {
      const vector = Array.from({ length: dims }, () => r() - 0.5);
      const want = rankByCosine(records, vector, 5);
      const got = m.query(vector, 5);
      expect(got.map((x) => x.id)).toEqual(want.map((x) => x.id));
      got.forEach((x, i) => expect(x.score).toBeCloseTo(want[i].score, 6));
    }
  });

  it("replaces a row on upsert of the same id and keeps its metadata current", () => {
    const m = new VectorMatrix(3);
    m.set("a", [1, 0, 0], '{"report_id":"r1"}');
    m.set("b", [0, 1, 0], '{"report_id":"r2"}');
    m.set("a", [0, 0, 1], '{"report_id":"r3"}');
    expect(m.size).toBe(2);
    expect(m.query([0, 0, 1], 5)).toEqual([
      { id: "a", score: 1, metadata: '{"report_id":"r3"}' },
      { id: "b", score: 0, metadata: '{"report_id":"r2"}' },
    ]);
    expect(m.values("a")).toEqual([0, 0, 1]);
    // a row stored sparse reads back whole
    const wide = new VectorMatrix(10);
    wide.set("s", [0, 0, 0.1, 0, 0, 0, -2, 0, 0, 0], "{}");
    expect(wide.values("s")).toEqual(f32([0, 0, 0.1, 0, 0, 0, -2, 0, 0, 0]));
  });

  it("rejects vectors of another dimension or with values that are not finite float32", () => {
    const m = new VectorMatrix(3);
    expect(() => m.set("a", [1, 0], "{}")).toThrow(/dimensions/);
    expect(() => m.set("a", [1, NaN, 0], "{}")).toThrow(/finite/);
    expect(() => m.set("a", [1, 1e39, 0], "{}")).toThrow(/finite/);
    expect(m.size).toBe(0);
    m.set("a", [1, 0, 0], "{}");
    expect(() => m.query([1, 0], 1)).toThrow(/dimensions/);
    expect(m.query([1, 0, 0], 0)).toEqual([]);
  });
});
