import { describe, expect, it } from "vitest";
import { MAX_CONTENT_BYTES } from "../../workers/ingest/schema";
import { parsePostHogPayload } from "../../workers/ingest/sources/posthog/payload";
import { eventSignal, exceptionSignal, posthogSignalId, signalEventNames } from "../../workers/ingest/sources/posthog/signals";
import { exceptionText, frameLine, stackLines } from "../../workers/ingest/sources/posthog/stack";
import { truncateUtf8 } from "../../workers/ingest/sources/posthog/text";
import { parseError } from "../../workers/normalize/stack";
import fixture from "../fixtures/clients/posthog_node_exception_batch.json";

describe("PostHog frames", () => {
  it("prints V8-style lines: named, anonymous (`?`) and `Object.?` functions", () => {
    expect(frameLine({ function: "checkout", filename: "src/cart.ts", lineno: 3, colno: 37 })).toBe("    at checkout (src/cart.ts:3:37)");
    expect(frameLine({ function: "?", filename: "src/cart.ts", lineno: 5, colno: 6 })).toBe("    at src/cart.ts:5:6");
    expect(frameLine({ function: "Object.?", filename: "src/cart.ts", lineno: 8 })).toBe("    at Object.<anonymous> (src/cart.ts:8)");
    expect(frameLine({ abs_path: "/app/x.js" })).toBe("    at /app/x.js");
  });

  it("prints newest first, only in-app frames when any are marked, else all", () => {
    const frames = [
      { function: "main", filename: "src/main.ts", lineno: 1, in_app: true },
      { function: "lib", filename: "node_modules/lib/index.js", lineno: 2, in_app: false },
      { function: "handler", filename: "src/handler.ts", lineno: 3, in_app: true },
    ];
    expect(stackLines(frames)).toEqual(["    at handler (src/handler.ts:3)", "    at main (src/main.ts:1)", "    (1 library frame not shown)"]);
    const unmarked = frames.map(({ in_app, ...f }) => f);
    expect(stackLines(unmarked)).toHaveLength(3);
    expect(stackLines(unmarked)[1]).toBe("    at lib (node_modules/lib/index.js:2)");
    expect(stackLines("not frames")).toEqual([]);
  });

  it("caps a deep stack and says how many frames it left out", () => {
    const frames = Array.from({ length: 45 }, (_, i) => ({ function: `f${i}`, filename: "src/deep.ts", lineno: i + 1, in_app: true }));
    const lines = stackLines(frames);
    expect(lines[0]).toBe("    at f44 (src/deep.ts:45)");
    expect(lines).toHaveLength(31);
    expect(lines[30]).toBe("    (15 older frames not shown)");
  });

  it("renders a chain with causes and falls back to $exception_type / $exception_message", () => {
    const chain = exceptionText({
      $exception_list: [
        { type: "Error", value: "checkout failed", mechanism: { handled: false }, stacktrace: { frames: [{ function: "pay", filename: "src/pay.ts", lineno: 9, in_app: true }] } },
        { type: "TimeoutError", value: "db timed out after 30s" },
      ],
    });
    expect(chain).toEqual({
      text: "Error: checkout failed\n    at pay (src/pay.ts:9)\nCaused by: TimeoutError: db timed out after 30s",
      types: ["Error", "TimeoutError"],
      handled: false,
    });
    expect(exceptionText({ $exception_type: "TypeError", $exception_message: "x is undefined" }).text).toBe("TypeError: x is undefined");
    expect(exceptionText({}).text).toBe("Error: unknown exception");
    expect(
      exceptionText({
        $exception_message: "old sdk",
        $exception_stack_trace_raw: JSON.stringify([{ function: "a", filename: "src/a.js", lineno: 1, colno: 2, in_app: true }]),
      }).text,
    ).toBe("Error: old sdk\n    at a (src/a.js:1:2)");
  });
});

describe("PostHog events as signals", () => {
  const { _note, ...batch } = fixture;

  it("maps the posthog-node fixture: id from the uuid, time from the event, frames the stack parser reads", async () => {
    const parsed = parsePostHogPayload(batch);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.value.apiKey).toBe("phc_testkey");
    const s = await exceptionSignal(parsed.value.events[0], parsed.value.sentAt);
    expect(s).toMatchObject({
      id: "posthog:01a20be5-2a56-72f2-a92c-6299ba0c72b8",
      source_product: "posthog",
      source_type: "exception",
      timestamp: Date.parse("2026-11-24T04:51:37.686Z"),
    });
    const p = parseError(s.content);
    expect(p.type).toBe("TypeError");
    expect(p.message).toBe("Cannot read properties of undefined (reading 'items')");
    expect(p.frames.map((f) => f.fn)).toEqual(["checkout", null, "Object.<anonymous>"]);
  });

  it("writes readable event content without $ properties, and truncates what is too long", async () => {
    const s = await eventSignal(
      { event: "signup_failed", uuid: "u-1", distinct_id: 42, properties: { $browser: "Safari", $current_url: "https://a.example/signup", step: 2, errors: ["email taken"] } },
      null,
    );
    expect(s.content).toBe('PostHog event: signup_failed\nurl: https://a.example/signup\nuser: 42\nproperties:\n  step: 2\n  errors: ["email taken"]');
    expect(s).toMatchObject({ id: "posthog:u-1", source_type: "event" });
    expect(s.timestamp).toBeUndefined();

    const huge = await eventSignal({ event: "big", uuid: "u-2", properties: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, "é".repeat(5000)])) }, null);
    expect(new TextEncoder().encode(huge.content).byteLength).toBeLessThanOrEqual(MAX_CONTENT_BYTES);
    expect(huge.content.split("\n").find((l) => l.startsWith("  k0: "))!.length).toBeLessThanOrEqual(306);
  });

  it("uses sent_at - offset when an event has no timestamp, and a content hash when it has no usable uuid", async () => {
    const parsed = parsePostHogPayload({ api_key: "k", sent_at: "2026-01-01T00:00:10.000Z", batch: [{ event: "$exception", offset: 4000 }] });
    if (!parsed.ok) throw new Error(parsed.detail);
    const s = await exceptionSignal(parsed.value.events[0], parsed.value.sentAt);
    expect(s.timestamp).toBe(Date.parse("2026-01-01T00:00:06.000Z"));
    const a = await posthogSignalId({ event: "$exception", uuid: "has spaces" });
    expect(a).toMatch(/^posthog:sha256-[0-9a-f]{40}$/);
    expect(await posthogSignalId({ event: "$exception", uuid: "has spaces" })).toBe(a);
  });

  it("reads the project's extra event names leniently", () => {
    expect([...signalEventNames('["checkout_failed","signup_failed"]')]).toEqual(["checkout_failed", "signup_failed"]);
    expect(signalEventNames(null).size).toBe(0);
    expect(signalEventNames("not json").size).toBe(0);
  });
});

describe("PostHog payload shapes", () => {
  it("finds the key at the top, in an event, in properties.token, or in the query", () => {
    const key = (json: unknown, q: string | null = null) => {
      const r = parsePostHogPayload(json, q);
      return r.ok ? r.value.apiKey : r.code;
    };
    expect(key({ api_key: "a", batch: [] })).toBe("a");
    expect(key({ token: "b", batch: [{ event: "x" }] })).toBe("b");
    expect(key([{ event: "x", properties: { token: "c" } }])).toBe("c");
    expect(key({ event: "x", api_key: "d" })).toBe("d");
    expect(key({ batch: [{ event: "x" }] }, "e")).toBe("e");
    expect(key({ batch: [{ event: "x" }] })).toBeNull();
  });

  it("names the bad field", () => {
    const r = parsePostHogPayload([{ event: "ok" }, { event: "" }]);
    expect(r.ok ? null : [r.code, r.errors?.[0].field]).toEqual(["invalid_event", "[1].event"]);
    const one = parsePostHogPayload({ event: 5 });
    expect(one.ok ? null : [one.code, one.errors?.[0].field]).toEqual(["invalid_event", "event"]);
    const top = parsePostHogPayload("hello");
    expect(top.ok ? null : top.code).toBe("invalid_payload");
  });

  it("truncates on a character boundary", () => {
    const t = truncateUtf8("aé".repeat(100), 51);
    expect(new TextEncoder().encode(t).byteLength).toBeLessThanOrEqual(51);
    expect(t).not.toContain("\uFFFD");
    expect(t.endsWith("… (truncated)")).toBe(true);
    expect(truncateUtf8("short", 51)).toBe("short");
  });
});
