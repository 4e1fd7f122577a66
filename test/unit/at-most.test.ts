import { describe, expect, it } from "vitest";
import { atMost } from "../../workers/normalize/at-most";

describe("atMost", () => {
  it("runs every item once with never more than the limit in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await atMost(2, [5, 1, 4, 2, 3], async (x, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      for (let k = 0; k < x; k++) await Promise.resolve();
      seen.push(i);
      inFlight--;
    });
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it("handles no items and a limit above the item count", async () => {
    let calls = 0;
    await atMost(3, [], async () => void calls++);
    await atMost(10, ["a"], async () => void calls++);
    expect(calls).toBe(1);
  });

  it("rejects with the first failure", async () => {
    await expect(atMost(2, [1, 2, 3], async (x) => { if (x === 2) throw new Error("two"); })).rejects.toThrow("two");
  });
});
