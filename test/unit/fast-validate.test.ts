import { describe, expect, it } from "vitest";
import { fastSignalBatch } from "../../workers/ingest/fast-validate";
import { SignalBatch } from "../../workers/ingest/schema";

/** A small seeded PRNG so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const VALUES: unknown[] = [
  undefined, null, "", " ", "\t\n", "\u0000", "\u200b\u001b[0m", "  errors ", "errors", "x".repeat(64), "x".repeat(65), " ".repeat(3) + "y".repeat(64),
  0, -1, 1, 0.5, 1000, 1000.5, 1e21, NaN, Infinity, 2 ** 53, 1_700_000_000_000, 1.5,
  "2026-11-25T10:00:00Z", "2026-11-25T10:00:00+02:00", "yesterday",
  true, [], ["a"], {}, { a: 1 }, { nested: { b: [1, 2] } }, Object.create(null),
  "abc-123", "sentry:0123abcd", "has space", "x".repeat(128), "x".repeat(129), "é", "id/slash",
  { kind: "replay_finding", finding: "dead_click", url: "https://x/p", summary: "s" },
];

function randomSignal(r: () => number): unknown {
  const pick = () => VALUES[Math.floor(r() * VALUES.length)];
  const s: Record<string, unknown> = { source_product: "errors", source_type: "exception", content: "TypeError: x" };
  for (const key of ["id", "source_product", "source_type", "content", "weight", "timestamp", "metadata", "payload", "extra"]) {
    if (r() < 0.12) {
      const v = pick();
      if (v === undefined) delete s[key];
      else s[key] = v;
    }
  }
  return r() < 0.03 ? pick() : s;
}

describe("fastSignalBatch", () => {
  it("accepts only what SignalBatch accepts, and returns what it returns", () => {
    const r = rng(42);
    let fastHits = 0;
    let zodOnly = 0;
    for (let i = 0; i < 4000; i++) {
      const n = r() < 0.05 ? Math.floor(r() * 3) : 1 + Math.floor(r() * 4);
      const body: unknown = r() < 0.02 ? { signals: "nope" } : { signals: Array.from({ length: n }, () => randomSignal(r)), ...(r() < 0.1 ? { other: 1 } : {}) };
      const fast = fastSignalBatch(body);
      const zod = SignalBatch.safeParse(body);
      if (fast) {
        fastHits++;
        expect(zod.success, JSON.stringify(body)).toBe(true);
        expect(fast).toEqual(zod.data);
      } else if (zod.success) zodOnly++;
    }
    // both branches are exercised
    expect(fastHits).toBeGreaterThan(300);
    expect(zodOnly).toBeGreaterThan(5);
  });

  it("takes the common body and leaves payloads, ISO timestamps and bad input to zod", () => {
    const ok = { source_product: " errors ", source_type: "exception", content: "boom", id: "a1", weight: 2, timestamp: 5, metadata: { a: 1 }, junk: true };
    expect(fastSignalBatch({ signals: [ok] })).toEqual({
      signals: [{ source_product: "errors", source_type: "exception", content: "boom", id: "a1", weight: 2, timestamp: 5, metadata: { a: 1 } }],
    });
    expect(fastSignalBatch({ signals: [{ ...ok, timestamp: "2026-11-25T10:00:00Z" }] })).toBeNull();
    expect(fastSignalBatch({ signals: [{ payload: { kind: "replay_finding" } }] })).toBeNull();
    expect(fastSignalBatch({ signals: [] })).toBeNull();
    expect(fastSignalBatch({ signals: Array.from({ length: 501 }, () => ok) })).toBeNull();
  });
});
