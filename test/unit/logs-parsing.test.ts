/** Log formats → entries → signals: text entry splitting, JSON lines, OTLP records, ids and fingerprints. */
import { describe, expect, it } from "vitest";
import { logLineTokens } from "../../workers/grouping/fingerprint";
import { MinedFingerprinter } from "../../workers/grouping/fingerprinter";
import { MemoryLogTemplateStore } from "../../workers/grouping/memory-log-templates";
import { MAX_CONTENT_BYTES } from "../../workers/ingest/schema";
import { entrySignal, toEpochMs } from "../../workers/ingest/sources/logs/entry";
import { parseJsonLines } from "../../workers/ingest/sources/logs/json-lines";
import { ExportLogsServiceRequest, parseOtlp, recordContent } from "../../workers/ingest/sources/logs/otlp";
import { parseTextLines, splitEntries } from "../../workers/ingest/sources/logs/text-lines";
import otlpExport from "../fixtures/logs/otlp-export.json";

const logSignal = (content: string) => ({ id: "x", project: "p", source_product: "logs", source_type: "log", content, weight: 0.5 });
/** a fresh project each time: a log line's fingerprint is then the template its own masked tokens start */
const grouping = async (content: string) => (await new MinedFingerprinter(new MemoryLogTemplateStore()).fingerprints([logSignal(content)]))[0];

describe("plain-text entries", () => {
  it("keeps stack traces with their line and splits everything else", () => {
    const body = [
      "2025-11-24T10:00:02Z ERROR payment failed",
      "TypeError: boom",
      "    at f (src/a.ts:1:1)",
      "2025-11-24T10:00:03Z INFO ok",
      "RangeError: crash after an info line",
      "    at g (src/b.ts:2:2)",
      "java.lang.IllegalStateException: bad",
      "\tat com.shop.Cart.total(Cart.java:42)",
      "Caused by: java.lang.NullPointerException",
      "\t... 12 more",
    ].join("\n");
    expect(splitEntries(body).map((e) => [e.line, e.text.split("\n").length])).toEqual([
      [1, 3],
      [4, 1],
      [5, 2],
      [7, 4],
    ]);
  });

  it("gives timed lines a stable id and untimed lines none", async () => {
    const [timed, untimed] = parseTextLines("2025-11-24T10:00:02Z ERROR payment failed\nERROR payment failed");
    expect(timed.timestamp).toBe(Date.UTC(2025, 10, 24, 10, 0, 2));
    const a = await entrySignal(timed);
    const b = await entrySignal(parseTextLines("2025-11-24T10:00:02Z ERROR payment failed")[0]);
    expect(a.id).toMatch(/^log:[0-9a-f]{32}$/);
    expect(b.id).toBe(a.id);
    expect((await entrySignal(untimed)).id).toBeUndefined();
  });
});

describe("JSON lines", () => {
  it("reads level, service and time from common logger fields", () => {
    const body = [
      `{"level":50,"time":1763978402000,"msg":"payment failed","service":"checkout"}`,
      `{"severity":"WARNING","timestamp":"2025-11-24T10:00:03Z","message":"slow","logger":"orders"}`,
      `{"log":{"level":"error"},"@timestamp":"2025-11-24T10:00:04Z","message":"down","service":{"name":"api"}}`,
      `{"@t":"2025-11-24T10:00:05Z","@mt":"tick"}`,
    ].join("\n");
    const r = parseJsonLines(body);
    if (!r.ok) throw new Error(r.message);
    expect(r.entries.map((e) => [e.level, e.service ?? null, e.timestamp])).toEqual([
      ["error", "checkout", 1763978402000],
      ["warn", "orders", Date.UTC(2025, 10, 24, 10, 0, 3)],
      ["error", "api", Date.UTC(2025, 10, 24, 10, 0, 4)],
      [null, null, Date.UTC(2025, 10, 24, 10, 0, 5)],
    ]);
  });

  it("fingerprints lines that differ only in ids and numbers alike", async () => {
    const a = `{"level":"error","service":"checkout","msg":"payment failed for order 8812 after 2300ms"}`;
    const b = `{"level":"error","service":"checkout","msg":"payment failed for order 9120 after 1800ms"}`;
    const r = parseJsonLines(`${a}\n${b}`);
    if (!r.ok) throw new Error(r.message);
    expect(r.entries.map((e) => e.content)).toEqual([a, b]);
    expect(logLineTokens(logSignal(a))).toEqual(["service=checkout", "level=error", "payment", "failed", "for", "order", "<*>", "after", "<*>"]);
    expect(await grouping(a)).toMatch(/^log:[0-9a-f]{16}$/);
    expect(await grouping(b)).toBe(await grouping(a));
  });

  it("cuts an oversized line's long strings and keeps it JSON", async () => {
    const line = JSON.stringify({ level: "error", msg: "huge", service: "s", stack: "x".repeat(MAX_CONTENT_BYTES) });
    const r = parseJsonLines(line);
    if (!r.ok) throw new Error(r.message);
    const s = await entrySignal(r.entries[0]);
    expect(new TextEncoder().encode(s.content).byteLength).toBeLessThanOrEqual(MAX_CONTENT_BYTES);
    expect(JSON.parse(s.content)).toMatchObject({ level: "error", msg: "huge", service: "s" });
  });

  it("names the first bad line", () => {
    expect(parseJsonLines(`{"a":1}\n\n\nnope`)).toMatchObject({ ok: false, line: 4 });
    expect(parseJsonLines(`"just a string"`)).toEqual({ ok: false, line: 1, message: "not a JSON object" });
  });
});

describe("OTLP records", () => {
  const entries = parseOtlp(ExportLogsServiceRequest.parse(otlpExport));

  it("reads the exporter's real request: levels, service, times", () => {
    expect(entries.map((e) => [e.level, e.service, e.timestamp])).toEqual([
      ["info", "checkout-api", Date.UTC(2025, 10, 24, 10, 0, 0)],
      ["warn", "checkout-api", Date.UTC(2025, 10, 24, 10, 0, 1)],
      ["error", "checkout-api", Date.UTC(2025, 10, 24, 10, 0, 2)],
      ["error", "checkout-api", Date.UTC(2025, 10, 24, 10, 0, 3)],
      [null, "checkout-api", Date.UTC(2025, 10, 24, 10, 0, 4)],
    ]);
  });

  it("writes content the stack fingerprint reads, so redeploys and order numbers do not split a group", async () => {
    const error = entries[2].content;
    expect(await grouping(error)).toBe("stack:TypeError:computeTotals@/app/src/checkout/totals.ts|PaymentStep.render@/app/src/checkout/PaymentStep.ts");
    const moved = error.replace(":42:18", ":47:3").replace("8812", "9001");
    expect(await grouping(moved)).toBe(await grouping(error));
    // without a stack, the first line's template
    expect(logLineTokens(logSignal(entries[1].content))).toEqual(["WARN", "checkout-api:", "payment", "provider", "slow:", "<*>", "for", "order", "<*>"]);
    expect(await grouping(entries[1].content)).toMatch(/^log:/);
  });

  it("writes exception type and message when there is no stack, and does not repeat them when the stack has them", () => {
    expect(recordContent("ERROR", "api", "failed", { "exception.type": "DbError", "exception.message": "pool exhausted" })).toBe("ERROR api: failed\nDbError: pool exhausted");
    const withStack = recordContent("ERROR", undefined, "", { "exception.type": "E", "exception.message": "m", "exception.stacktrace": "E: m\n    at f (a.ts:1:1)" });
    expect(withStack).toBe("ERROR\nE: m\n    at f (a.ts:1:1)");
  });

  it("counts a record with exception attributes and no severity as error", () => {
    const req = ExportLogsServiceRequest.parse({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "x" }, attributes: [{ key: "exception.type", value: { stringValue: "E" } }] }] }] }],
    });
    const [e] = parseOtlp(req);
    expect([e.level, e.timestamp, e.identity]).toEqual(["error", undefined, undefined]);
  });

  it("accepts int64 as strings and severity as enum names", () => {
    const req = ExportLogsServiceRequest.parse({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: "1763978402000000000", severityNumber: "SEVERITY_NUMBER_WARN", body: { intValue: "42" } }] }] }],
    });
    const [e] = parseOtlp(req);
    expect([e.level, e.timestamp, e.content]).toEqual(["warn", 1763978402000, "WARN: 42"]);
  });
});

describe("times", () => {
  it("reads seconds, milliseconds, nanoseconds and ISO strings", () => {
    expect([1763978402, 1763978402000, 1763978402000000, "1763978402000000000", "2025-11-24T10:00:02Z", "soon", 0].map(toEpochMs)).toEqual([
      1763978402000, 1763978402000, 1763978402000, 1763978402000, 1763978402000, undefined, undefined,
    ]);
  });
});
