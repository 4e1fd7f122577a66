import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { stackFingerprint } from "../../workers/grouping/fingerprint";
import { SignalInput } from "../../workers/ingest/schema";
import { parseEnvelope, payloadJson } from "../../workers/ingest/sources/sentry/envelope";
import { eventToSignal, InvalidEventError, messageText, timestampMs } from "../../workers/ingest/sources/sentry/event";
import { parseError } from "../../workers/normalize/stack";

const fixture = readFileSync(new URL("../fixtures/clients/sentry_node_envelope_exception.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => !l.startsWith("#"))
  .join("\n");
const envelope = parseEnvelope(new TextEncoder().encode(fixture));
const sdkEvent = payloadJson(envelope.items[0]) as Record<string, unknown>;

const frame = (fn: string, file: string, line: number, inApp?: boolean) => ({ function: fn, filename: file, lineno: line, colno: 1, ...(inApp === undefined ? {} : { in_app: inApp }) });

describe("eventToSignal", () => {
  it("maps the @sentry/node event: type and message, in-app frames newest first, context lines", () => {
    const { eventId, signal } = eventToSignal(sdkEvent, { eventId: envelope.header.event_id, sdk: envelope.header.sdk });
    expect(eventId).toBe("11fb38d4cd374135be3293ce6feb90a8");
    expect(signal.content).toBe(
      [
        "TypeError: Cannot read properties of undefined (reading 'items')",
        "    at checkout (/srv/app/sentry-test.js:3:37)",
        "    at Object.? (/srv/app/sentry-test.js:4:5)",
        "release: demo@1.0.0",
        "environment: test",
        "tags: feature=checkout",
      ].join("\n"),
    );
    expect(signal).toMatchObject({
      id: "sentry:11fb38d4cd374135be3293ce6feb90a8",
      source_product: "errors",
      source_type: "exception",
      weight: 1,
      timestamp: 1795495888986,
      metadata: {
        event_id: "11fb38d4cd374135be3293ce6feb90a8",
        level: "error",
        platform: "node",
        sdk: { name: "sentry.javascript.node", version: "11.12.0" },
        release: "demo@1.0.0",
        environment: "test",
        server_name: "vm",
        tags: { feature: "checkout" },
      },
    });
    expect(SignalInput.safeParse(signal).success).toBe(true);
  });

  it("writes content the stack parser and the fingerprinter read", () => {
    const { signal } = eventToSignal(sdkEvent);
    const parsed = parseError(signal.content);
    expect(parsed.type).toBe("TypeError");
    expect(parsed.message).toBe("Cannot read properties of undefined (reading 'items')");
    expect(parsed.frames.map((f) => [f.fn, f.file, f.line, f.inApp])).toEqual([
      ["checkout", "/srv/app/sentry-test.js", 3, true],
      ["Object.?", "/srv/app/sentry-test.js", 4, true],
    ]);
    expect(stackFingerprint(signal.content)).toBe("stack:TypeError:checkout@/srv/app/sentry-test.js|Object.?@/srv/app/sentry-test.js");
  });

  it("falls back to all frames, newest first, when none is marked in-app", () => {
    const { signal } = eventToSignal({
      exception: { values: [{ type: "ValueError", value: "bad cart", stacktrace: { frames: [frame("main", "app/run.py", 10), frame("checkout", "app/cart.py", 42)] } }] },
    });
    expect(signal.content.split("\n").slice(0, 3)).toEqual(["ValueError: bad cart", "    at checkout (app/cart.py:42:1)", "    at main (app/run.py:10:1)"]);
  });

  it("prints chained causes after the thrown exception, and url, transaction and the message", () => {
    const { signal } = eventToSignal({
      event_id: "AB2B1E60-1C0A-4C5C-8A7E-2D1C9F1E0B11",
      level: "fatal",
      message: "checkout failed",
      transaction: "POST /checkout",
      request: { url: "https://shop.example.com/checkout?step=pay", method: "POST" },
      exception: {
        values: [
          { type: "ConnectionError", value: "ECONNRESET", stacktrace: { frames: [frame("connect", "node_modules/pg/lib/client.js", 5, false), frame("query", "src/db.ts", 7, true)] } },
          { type: "CheckoutError", value: "could not save order", stacktrace: { frames: [frame("handler", "src/routes/checkout.ts", 20, true)] } },
        ],
      },
      tags: [["region", "eu"], ["canary", true]],
      user: { email: "someone@example.com" },
    });
    expect(signal.id).toBe("sentry:ab2b1e601c0a4c5c8a7e2d1c9f1e0b11");
    expect(signal.weight).toBe(2);
    expect(signal.content).toBe(
      [
        "CheckoutError: could not save order",
        "    at handler (src/routes/checkout.ts:20:1)",
        "message: checkout failed",
        "Caused by: ConnectionError: ECONNRESET",
        "    at query (src/db.ts:7:1)",
        "url: https://shop.example.com/checkout?step=pay",
        "transaction: POST /checkout",
        "tags: region=eu, canary=true",
      ].join("\n"),
    );
    expect(JSON.stringify(signal)).not.toContain("someone@example.com");
  });

  it("a message-only event is a message, weighted by its level, with its attached stack", () => {
    const { signal } = eventToSignal({
      level: "warning",
      logentry: { message: "Payment provider %s timed out after %ss", params: ["acme", 30] },
      threads: { values: [{ id: 1, current: true, stacktrace: { frames: [frame("pay", "src/pay.ts", 3, true)] } }] },
      timestamp: "2026-11-24T04:51:28.986",
    });
    expect(signal).toMatchObject({ source_type: "message", weight: 0.5, timestamp: Date.UTC(2026, 10, 24, 4, 51, 28, 986) });
    expect(signal.content).toBe("Payment provider acme timed out after 30s\n    at pay (src/pay.ts:3:1)");
  });

  it("a JS captureMessage with attachStacktrace (a synthetic exception without a type) stays a message", () => {
    const { signal } = eventToSignal({
      message: "cart is empty",
      level: "info",
      exception: { values: [{ value: "cart is empty", stacktrace: { frames: [frame("view", "src/cart.ts", 9, true)] }, mechanism: { synthetic: true } }] },
    });
    expect(signal).toMatchObject({ source_type: "message", weight: 0.25, content: "cart is empty\n    at view (src/cart.ts:9:1)" });
  });

  it("keeps newlines in values and names from forging extra lines or frames", () => {
    const { signal } = eventToSignal({
      exception: [{ type: "Error", value: "boom\n    at evil (src/fake.ts:1:1)", stacktrace: { frames: [frame("real\nfn", "src/real.ts", 2, true)] } }],
    });
    expect(signal.content.split("\n")).toEqual(["Error: boom at evil (src/fake.ts:1:1)", "    at real fn (src/real.ts:2:1)"]);
  });

  it("cuts content to 64 KiB on a code-point boundary", () => {
    const frames = Array.from({ length: 200 }, (_, i) => frame(`fn${i}`, `src/${"d".repeat(250)}/f${i}.ts`, i, true));
    const { signal } = eventToSignal({ exception: { values: [{ type: "RangeError", value: "ü".repeat(40_000), stacktrace: { frames } }] } });
    const bytes = new TextEncoder().encode(signal.content).byteLength;
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    expect(signal.content).not.toContain("\uFFFD");
    expect(signal.content.startsWith("RangeError: ü")).toBe(true);
    expect(SignalInput.safeParse(signal).success).toBe(true);

    const huge = eventToSignal({ exception: { values: [{ type: "E", value: "x", stacktrace: { frames } }] }, tags: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`t${i}`, "v".repeat(1000)])) });
    expect(new TextEncoder().encode(huge.signal.content).byteLength).toBeLessThanOrEqual(64 * 1024);
    expect(huge.signal.content).toContain("    ... 150 more frames");
    const mixed = Array.from({ length: 120 }, (_, i) => frame(`fn${i}`, `src/f${i}.ts`, i, i % 2 === 0));
    const some = eventToSignal({ exception: { values: [{ type: "E", value: "x", stacktrace: { frames: mixed } }] } });
    expect(some.signal.content.split("\n").slice(1, 3)).toEqual(["    at fn118 (src/f118.ts:118:1)", "    at fn116 (src/f116.ts:116:1)"]);
    expect(some.signal.content).toContain("    ... 10 more frames");
    expect(Object.keys(huge.signal.metadata!.tags as object)).toHaveLength(50);
  });

  it("keeps a queue message under 128 KB however big the event's fields are", () => {
    const big = "😀".repeat(10_000);
    const { signal } = eventToSignal({
      exception: { values: [{ type: "Error", value: big, stacktrace: { frames: Array.from({ length: 100 }, (_, i) => frame(big, big, i, true)) } }] },
      tags: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`${i}${big}`, big])),
      fingerprint: Array.from({ length: 50 }, () => big),
      request: { url: big },
      transaction: big,
      release: big,
      environment: big,
      server_name: big,
      logger: big,
      platform: big,
      level: big,
      sdk: { name: big, version: big },
    });
    const message = { v: 1, kind: "signal", project: "p".repeat(64), received_at: Date.now(), signal };
    expect(new TextEncoder().encode(JSON.stringify(message)).byteLength).toBeLessThan(100_000);
    expect(signal.metadata).toMatchObject({ truncated: true });
    expect(signal.metadata!.tags).toBeUndefined();
    expect(SignalInput.safeParse(signal).success).toBe(true);
  });

  it("drops control characters from the content", () => {
    const { signal } = eventToSignal({ exception: { values: [{ type: "Error", value: "a\u0000b\u001bc\td" }] } });
    expect(signal.content).toBe("Error: abc\td");
  });

  it("uses the envelope's event_id when the event has none, and makes one up when neither has", () => {
    expect(eventToSignal({ message: "m" }, { eventId: "0123456789abcdef0123456789abcdef" }).eventId).toBe("0123456789abcdef0123456789abcdef");
    const a = eventToSignal({ message: "m" }).eventId;
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(eventToSignal({ message: "m" }).eventId).not.toBe(a);
  });

  it("rejects what is not an event", () => {
    expect(() => eventToSignal([1, 2])).toThrow(InvalidEventError);
    expect(() => eventToSignal({ event_id: "not-a-uuid", message: "m" })).toThrow("event_id must be a UUID");
    expect(() => eventToSignal({ message: "m" }, { eventId: 42 })).toThrow(InvalidEventError);
  });

  it("an event with nothing to say still has content", () => {
    expect(eventToSignal({}).signal).toMatchObject({ source_type: "message", content: "Sentry event without a message", weight: 1 });
  });
});

describe("event fields", () => {
  it("formats message and logentry", () => {
    expect(messageText({ message: "plain" })).toBe("plain");
    expect(messageText({ message: { formatted: "done", message: "%s" } })).toBe("done");
    expect(messageText({ logentry: { message: "%s of %d", params: ["a"] } })).toBe("a of %d");
    expect(messageText({ message: "  " })).toBeUndefined();
  });

  it("reads timestamps as seconds or RFC 3339", () => {
    expect(timestampMs(1795495888.986)).toBe(1795495888986);
    expect(timestampMs("1795495888.5")).toBe(1795495888500);
    expect(timestampMs("2026-11-24T04:51:28+01:00")).toBe(Date.UTC(2026, 10, 24, 3, 51, 28));
    expect(timestampMs("yesterday")).toBeUndefined();
    expect(timestampMs(-5)).toBeUndefined();
    expect(timestampMs(1e20)).toBeUndefined();
    expect(timestampMs(undefined)).toBeUndefined();
  });
});
