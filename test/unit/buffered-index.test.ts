import { describe, expect, it } from "vitest";
import { unit } from "./unit-vector";
import { BufferedVectorIndex } from "../../workers/grouping/buffered-index";
import { MemoryVectorIndex } from "../../workers/grouping/memory-index";
import type { RecentVectorStore } from "../../workers/grouping/recent-vectors";
import type { VectorRecord } from "../../workers/grouping/types";

const rec = (id: string, reportId: string, values: number[]): VectorRecord => ({ id, reportId, values, query: id });

describe("BufferedVectorIndex", () => {
  it("answers from the index and the batch's own additions, and writes the additions once on flush", async () => {
    const inner = new MemoryVectorIndex();
    await inner.upsert("p", [rec("old:0", "r-old", unit(1, 0, 0))]);
    let upserts = 0;
    const counting = { query: inner.query.bind(inner), upsert: async (p: string, r: VectorRecord[]) => (upserts++, inner.upsert(p, r)) };
    const idx = new BufferedVectorIndex(counting);
    await idx.upsert("p", [rec("a:0", "r-a", unit(0, 1, 0))]);
    await idx.upsert("p", [rec("b:0", "r-b", unit(0, 1, 0.1))]);
    // the batch's vectors are seen before they reach the index, ranked with the index's
    const hits = await idx.query("p", unit(0, 1, 0), 2);
    expect(hits.map((h) => h.reportId)).toEqual(["r-a", "r-b"]);
    expect(await inner.query("p", unit(0, 1, 0), 5)).toHaveLength(1);
    // other projects never see them
    expect(await idx.query("q", unit(0, 1, 0), 5)).toEqual([]);
    await idx.flush();
    expect(upserts).toBe(1);
    expect((await inner.query("p", unit(0, 1, 0), 5)).map((h) => h.id)).toEqual(["a:0", "b:0", "old:0"]);
  });

  it("a vector re-added in the batch replaces the indexed one with the same id", async () => {
    const inner = new MemoryVectorIndex();
    await inner.upsert("p", [rec("s:0", "r-first", unit(1, 0))]);
    const idx = new BufferedVectorIndex(inner);
    await idx.upsert("p", [rec("s:0", "r-second", unit(1, 0))]);
    expect(await idx.query("p", unit(1, 0), 5)).toEqual([{ id: "s:0", reportId: "r-second", score: expect.closeTo(1, 6), query: "s:0" }]);
  });

  it("with a recent store: sees what earlier batches wrote though the index does not show it yet, read once per project", async () => {
    // an index that never shows an upsert (Vectorize, seconds after one)
    const lagging = { query: async () => [], upsert: async () => {} };
    const saved = new Map<string, VectorRecord[]>();
    let loads = 0;
    const recent: RecentVectorStore = {
      load: async (p) => (loads++, saved.get(p) ?? []),
      save: async (p, rs) => void saved.set(p, [...(saved.get(p) ?? []), ...rs]),
    };
    const batch1 = new BufferedVectorIndex(lagging, recent);
    await batch1.upsert("p", [rec("a:0", "r-a", unit(1, 0))]);
    await batch1.flush();
    expect(saved.get("p")?.map((r) => r.id)).toEqual(["a:0"]);

    const batch2 = new BufferedVectorIndex(lagging, recent);
    expect((await batch2.query("p", unit(1, 0.1), 5)).map((m) => m.reportId)).toEqual(["r-a"]);
    expect(await batch2.query("p", unit(1, 0), 5)).toHaveLength(1);
    expect(await batch2.query("q", unit(1, 0), 5)).toEqual([]);
    expect(loads).toBe(2); // "p" once, "q" once
    // without the store the second batch sees nothing: what a consumer relying on the index alone gets
    expect(await new BufferedVectorIndex(lagging).query("p", unit(1, 0), 5)).toEqual([]);
  });
});
