/**
 * The agent loop's pure pieces: head-and-tail capping (never splits a
 * character, accounts for every byte), the price table (dated ids priced as
 * their stem, unknown models 0 and said so), and taking a fence's boundary
 * out for replay comparisons.
 */
import { describe, expect, it } from "vitest";
import { fenceToolOutput, withoutBoundary } from "../../workers/agent/fence-output";
import { capHeadTail } from "../../workers/agent/head-tail";
import { costUsd, priceOf } from "../../workers/agent/pricing";

const bytes = (s: string) => new TextEncoder().encode(s).length;

describe("capHeadTail", () => {
  it("keeps short text whole", () => {
    expect(capHeadTail("hello", 5)).toEqual({ text: "hello", truncated: false, omittedBytes: 0 });
  });

  it.each([
    ["ascii", "a".repeat(1000) + "Z"],
    ["two-byte", "é".repeat(1000)],
    ["three-byte", "€".repeat(999)],
    ["four-byte (surrogate pairs)", "😀".repeat(500)],
    ["mixed", "a€😀é".repeat(300)],
  ])("cuts %s text at character boundaries, head and tail, accounting for every byte", (_l, text) => {
    for (const max of [1, 2, 3, 7, 64, 101]) {
      const r = capHeadTail(text, max);
      expect(r.truncated).toBe(true);
      expect(r.text.includes("\uFFFD")).toBe(false);
      const [head, tail] = r.text.split(`\n[… ${r.omittedBytes} bytes omitted …]\n`);
      expect(text.startsWith(head)).toBe(true);
      expect(text.endsWith(tail)).toBe(true);
      expect(bytes(head) + bytes(tail)).toBeLessThanOrEqual(max);
      expect(bytes(head) + r.omittedBytes + bytes(tail)).toBe(bytes(text));
    }
  });
});

describe("pricing", () => {
  it("prices known models, dated ids as their stem, and unknown ones at 0", () => {
    expect(costUsd("claude-haiku-4-5", 1_000_000, 1_000_000)).toEqual({ usd: 6, known: true });
    expect(priceOf("claude-haiku-4-5-20251001")).toEqual(priceOf("claude-haiku-4-5"));
    expect(priceOf("claude-haiku-4-5-2025100")).toBeNull();
    expect(costUsd("claude-nonesuch", 5000, 5000)).toEqual({ usd: 0, known: false });
    expect(priceOf("constructor")).toBeNull();
  });
});

describe("withoutBoundary", () => {
  it("makes two fences of the same text equal, and leaves other text alone", () => {
    const a = fenceToolOutput("bash", "exit code: 0");
    const b = fenceToolOutput("bash", "exit code: 0");
    expect(a).not.toBe(b);
    expect(withoutBoundary(a)).toBe(withoutBoundary(b));
    expect(withoutBoundary(a)).toContain("<tool_output-BOUNDARY>\nexit code: 0\n</tool_output-BOUNDARY>");
    expect(withoutBoundary(fenceToolOutput("bash", "exit code: 1"))).not.toBe(withoutBoundary(a));
    expect(withoutBoundary("There is no tool named x.")).toBe("There is no tool named x.");
  });
});
