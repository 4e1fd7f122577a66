import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EnvelopeError, MAX_ITEMS, parseEnvelope, payloadJson } from "../../workers/ingest/sources/sentry/envelope";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const concat = (...parts: (string | Uint8Array)[]) => {
  const bytes = parts.map((p) => (typeof p === "string" ? enc(p) : p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
};

/** the SDK's envelope from the fixture, without its `#` description lines */
const fixture = readFileSync(new URL("../fixtures/clients/sentry_node_envelope_exception.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => !l.startsWith("#"))
  .join("\n");

describe("parseEnvelope", () => {
  it("reads the @sentry/node envelope: header, one event item with its JSON payload", () => {
    const env = parseEnvelope(enc(fixture));
    expect(env.header).toMatchObject({ event_id: "11fb38d4cd374135be3293ce6feb90a8", sdk: { name: "sentry.javascript.node" } });
    expect(env.items.map((i) => i.type)).toEqual(["event"]);
    expect(payloadJson(env.items[0])).toMatchObject({ event_id: "11fb38d4cd374135be3293ce6feb90a8", level: "error" });
  });

  it("takes a payload of `length` bytes even when it holds newlines or binary, then goes on", () => {
    const binary = new Uint8Array([0x00, 0x0a, 0xff, 0x0a, 0x7b]); // NUL, \n, invalid UTF-8, \n, {
    const event = '{"message":"é1"}';
    expect(enc(event).byteLength).toBe(event.length + 1); // length counts bytes: "é" is two
    const body = concat(
      '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n',
      `{"type":"attachment","length":${binary.byteLength},"filename":"core.bin"}\n`,
      binary,
      "\n",
      `{"type":"event","length":${enc(event).byteLength}}\n${event}\n`,
      '{"type":"session"}\n{"sid":"x"}',
    );
    const env = parseEnvelope(body);
    expect(env.items.map((i) => i.type)).toEqual(["attachment", "event", "session"]);
    expect([...env.items[0].payload]).toEqual([...binary]);
    expect(payloadJson(env.items[1])).toEqual({ message: "é1" });
    expect(dec(env.items[2].payload)).toBe('{"sid":"x"}');
  });

  it("accepts a zero-length payload, a trailing newline, CRLF and blank lines between items", () => {
    const env = parseEnvelope(enc('{}\r\n{"type":"attachment","length":0}\n\n\n{"type":"event"}\r\n{"level":"info"}\r\n\n'));
    expect(env.items.map((i) => [i.type, i.payload.byteLength])).toEqual([
      ["attachment", 0],
      ["event", 17],
    ]);
    expect(payloadJson(env.items[1])).toEqual({ level: "info" });
  });

  it("an envelope with a header only has no items", () => {
    expect(parseEnvelope(enc('{"sent_at":"2026-01-01T00:00:00Z"}')).items).toEqual([]);
    expect(parseEnvelope(enc("{}\n")).items).toEqual([]);
  });

  it.each([
    ["empty body", "", "empty"],
    ["header not JSON", "not json\n{}", "envelope header is not JSON"],
    ["header an array", "[1]\n", "envelope header is not a JSON object"],
    ["item header not JSON", '{}\n{"type":"event"\n{}', "item 1's header is not JSON"],
    ["item without a type", '{}\n{"length":2}\n{}', "item 1's header has no type"],
    ["negative length", '{}\n{"type":"event","length":-1}\n{}', "invalid length"],
    ["length beyond the body", '{}\n{"type":"event","length":50}\n{}', "declares 50 bytes but 2 follow"],
    ["no newline after a sized payload", '{}\n{"type":"event","length":2}\n{}x\n', "not followed by a newline"],
  ])("rejects %s", (_name, body, message) => {
    expect(() => parseEnvelope(enc(body))).toThrow(EnvelopeError);
    expect(() => parseEnvelope(enc(body))).toThrow(message);
  });

  it("refuses more items than any SDK sends", () => {
    const body = `{}\n${'{"type":"client_report"}\n{}\n'.repeat(MAX_ITEMS + 1)}`;
    expect(() => parseEnvelope(enc(body))).toThrow(`more than ${MAX_ITEMS} items`);
    expect(parseEnvelope(enc(`{}\n${'{"type":"client_report"}\n{}\n'.repeat(MAX_ITEMS)}`)).items).toHaveLength(MAX_ITEMS);
  });
});
