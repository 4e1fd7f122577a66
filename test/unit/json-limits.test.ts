import { describe, expect, it } from "vitest";
import { findTooDeep, parseJson, pathName } from "../../workers/ingest/json-limits";
import { boundedSignalId, isSignalId } from "../../workers/ingest/signal-id";

describe("findTooDeep", () => {
  it("counts a top-level object or array as level 1 and reports the path to the first container past the limit", () => {
    expect(findTooDeep("x", 0)).toBeNull();
    expect(findTooDeep({}, 1)).toBeNull();
    expect(findTooDeep({ a: {} }, 1)).toEqual(["a"]);
    expect(findTooDeep({ a: 1, b: [1, { c: [] }] }, 4)).toBeNull();
    expect(findTooDeep({ a: 1, b: [1, { c: [] }] }, 3)).toEqual(["b", 1, "c"]);
    expect(findTooDeep({ a: 1, b: [1, { c: [] }] }, 2)).toEqual(["b", 1]);
    expect(findTooDeep([[], [[{ deep: true }]]], 3)).toEqual([1, 0, 0]);
  });

  it("walks 100,000 levels without recursion, and returns a short path", () => {
    const text = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
    const parsed = parseJson(text);
    expect(parsed.ok).toBe(true);
    const path = findTooDeep(parsed.ok ? parsed.value : null, 32);
    expect(path).toHaveLength(32);
    expect(pathName(path!)).toBe("a.a.a.a.a.a.a.a…");
  });

  it("handles wide bodies in one pass", () => {
    const wide = { signals: Array.from({ length: 100_000 }, (_, i) => ({ id: `s${i}`, metadata: { a: [i] } })) };
    expect(findTooDeep(wide, 5)).toBeNull();
    expect(findTooDeep(wide, 4)).toEqual(["signals", 0, "metadata", "a"]);
  });
});

describe("pathName", () => {
  it("writes fields the way errors name them", () => {
    expect(pathName(["signals", 3, "metadata"])).toBe("signals[3].metadata");
    expect(pathName([0, 0])).toBe("[0][0]");
    expect(pathName([])).toBe("body");
  });
});

describe("boundedSignalId", () => {
  it("keeps a valid id and hashes one that would break the id rule, stably", async () => {
    expect(await boundedSignalId("slack", "slack:T1:C1:1.2")).toBe("slack:T1:C1:1.2");
    const long = `slack:${"T".repeat(40)}:${"C".repeat(100)}:1763961097.000200`;
    const hashed = await boundedSignalId("slack", long);
    expect(hashed).toMatch(/^slack:sha256-[0-9a-f]{40}$/);
    expect(await boundedSignalId("slack", long)).toBe(hashed);
    expect(await boundedSignalId("slack", "slack:T1:C 1:1.2")).toMatch(/^slack:sha256-/);
    expect(isSignalId(hashed)).toBe(true);
    expect(isSignalId("x".repeat(129))).toBe(false);
  });
});
