import { describe, expect, it } from "vitest";
import { unit } from "./unit-vector";
import { assignSignal } from "../../workers/grouping/assign";
import { type Corrections, currentReport, matchReport, NO_CORRECTIONS, oncePerProject, vetoed } from "../../workers/grouping/corrections";
import { MemoryFingerprintStore } from "../../workers/grouping/memory-fingerprints";
import { MemoryVectorIndex } from "../../workers/grouping/memory-index";
import type { GroupingDeps, GroupingSignal } from "../../workers/grouping/types";

// one query per signal, embedded to the vector its text names
const VECTORS: Record<string, number[]> = {
  "cart totals crash": unit(1, 0, 0),
  "cart totals crash again": unit(1, 0.01, 0),
  "coupon field rejected": unit(0.6, 0.8, 0),
};
function deps(index: MemoryVectorIndex, corrections: Corrections | null): GroupingDeps {
  return {
    queryWriter: { name: "fixed", usesLlm: false, write: async (s) => [s.content] },
    embedder: { model: "fixed", dimensions: 3, defaultThreshold: 0.5, embed: async (t) => t.map((x) => VECTORS[x]) },
    index,
    fingerprints: new MemoryFingerprintStore(),
    fingerprinter: { fingerprints: async (list) => list.map(() => null) },
    corrections: corrections ? { load: async () => corrections } : null,
  };
}
const signal = (id: string, content: string): GroupingSignal => ({ id, project: "p", content, source_product: "support", source_type: "ticket", weight: 1 });
let n = 0;
const opts = { threshold: 0.5, strongMargin: 0, newReportId: () => `new${++n}` };

describe("grouping with people's corrections", () => {
  it("a match on a merged report's vector leads to the report it was merged into", async () => {
    const index = new MemoryVectorIndex();
    await index.upsert("p", [{ id: "s1:0", reportId: "A", values: VECTORS["cart totals crash"], query: "cart totals crash" }]);
    const plain = await assignSignal(signal("s2", "cart totals crash again"), deps(new MemoryVectorIndex(), null), opts);
    expect(plain.isNewReport).toBe(true);
    const d = await assignSignal(signal("s2", "cart totals crash again"), deps(index, { ...NO_CORRECTIONS, redirects: new Map([["A", "B"]]) }), opts);
    expect([d.reportId, d.method]).toEqual(["B", "vector"]);
  });

  it("a report a close signal was moved out of is passed over, even when that signal left no vector of its own", async () => {
    const index = new MemoryVectorIndex();
    // report A is known by one vector; the signal later moved out was a near-duplicate of it, so it indexed none
    await index.upsert("p", [{ id: "s1:0", reportId: "A", values: VECTORS["cart totals crash"], query: "cart totals crash", failure: "crash" }]);
    const before = await assignSignal(signal("s3", "cart totals crash again"), deps(index, null), opts);
    expect(before.reportId).toBe("A");
    const corrections: Corrections = { ...NO_CORRECTIONS, moved: new Map([["s2", "C"]]), vetoes: new Map([["A", [VECTORS["cart totals crash again"]]]]) };
    const after = await assignSignal(signal("s4", "cart totals crash again"), deps(index, corrections), opts);
    expect(after.reportId).not.toBe("A");
    expect(after.isNewReport).toBe(true);
    // a signal clearly closer to the report than to the moved one still joins it
    const other = await assignSignal(signal("s5", "cart totals crash"), deps(index, { ...corrections, vetoes: new Map([["A", [VECTORS["coupon field rejected"]]]]) }), opts);
    expect(other.reportId).toBe("A");
  });

  it("resolves chains of merges and moved signals' vectors", () => {
    const c: Corrections = { redirects: new Map([["A", "B"], ["B", "C"]]), moved: new Map([["s9", "D"]]), vetoes: new Map() };
    expect(currentReport(c, "A")).toBe("C");
    expect(currentReport(c, "Z")).toBe("Z");
    expect(matchReport(c, { id: "s9:1", reportId: "A" })).toBe("D");
    expect(matchReport(c, { id: "s1:0", reportId: "A" })).toBe("C");
    // a hashed vector id (Vectorize, over 64 bytes) names its signal in the metadata
    expect(matchReport(c, { id: "9f".repeat(32), reportId: "A", signal: "s9" })).toBe("D");
    // a cycle (never written, but never a hang)
    expect(currentReport({ ...c, redirects: new Map([["A", "B"], ["B", "A"]]) }, "A")).toMatch(/^[AB]$/);
    expect(vetoed(c, "A", [unit(1, 0, 0)], 0.9)).toBe(false);
  });

  it("reads a project's corrections once per batch", async () => {
    let loads = 0;
    const store = oncePerProject({ load: async () => (loads++, NO_CORRECTIONS) });
    await Promise.all([store.load("p"), store.load("p"), store.load("q")]);
    expect(loads).toBe(2);
  });
});
