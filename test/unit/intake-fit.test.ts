import { describe, expect, it } from "vitest";
import { fitMessage, MAX_MESSAGE_BYTES, utf8Length } from "../../workers/ingest/intake";
import type { SignalMessage } from "../../workers/normalize/message";

const msg = (content: string, metadata?: Record<string, unknown>): SignalMessage => ({
  v: 1,
  kind: "signal",
  project: "p",
  received_at: 1,
  signal: { id: "s", source_product: "errors", source_type: "exception", content, ...(metadata ? { metadata } : {}) },
});

describe("fitMessage", () => {
  it("leaves a message that fits alone", () => {
    const m = msg("hello");
    const fitted = fitMessage(m);
    expect(fitted.message).toBe(m);
    expect(fitted.bytes).toBe(JSON.stringify(m).length);
  });
  it("cuts 64 KiB of characters JSON must escape to fit a Queue message", () => {
    const { message: m, bytes } = fitMessage(msg('"'.repeat(64 * 1024)));
    expect(utf8Length(JSON.stringify(m))).toBe(bytes);
    expect(bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(m.signal.content.length).toBeGreaterThan(50_000);
    expect(m.signal.metadata).toEqual({ content_truncated_from: 64 * 1024 });
  });
  it("drops oversized metadata before cutting content", () => {
    const { message: m } = fitMessage(msg("x".repeat(1000), { blob: "é".repeat(70_000) }));
    expect(m.signal.content).toHaveLength(1000);
    expect(m.signal.metadata).toEqual({ metadata_dropped: "over 16384 bytes" });
  });
});
