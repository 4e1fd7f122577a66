/** One level scale for OTLP severity numbers, level names, pino numbers and plain-text lines. */
import { describe, expect, it } from "vitest";
import { levelFromName, levelFromPino, levelFromSeverityNumber, levelFromText } from "../../workers/ingest/sources/logs/levels";

describe("log levels", () => {
  it("maps OTLP severity numbers by their ranges", () => {
    const got = [0, 1, 4, 5, 9, 12, 13, 16, 17, 20, 21, 24, 25].map(levelFromSeverityNumber);
    expect(got).toEqual([null, "trace", "trace", "debug", "info", "info", "warn", "warn", "error", "error", "fatal", "fatal", null]);
  });

  it("reads level names as loggers and OTLP write them", () => {
    const names = ["WARN", "warning", "Err", "ERROR2", "SEVERITY_NUMBER_ERROR", "CRITICAL", "Information", "notice", "verbose", "shout", ""];
    expect(names.map(levelFromName)).toEqual(["warn", "warn", "error", "error", "error", "fatal", "info", "info", "trace", null, null]);
  });

  it("reads pino and bunyan numbers", () => {
    expect([10, 20, 30, 40, 50, 60, 35, 0].map(levelFromPino)).toEqual(["trace", "debug", "info", "warn", "error", "fatal", "info", null]);
  });

  it("reads the level a plain-text line shows", () => {
    const cases: [string, string | null][] = [
      ["2025-11-24T10:00:00Z ERROR checkout payment failed", "error"],
      ["2025-11-24 10:00:00,123 - app - WARNING - disk at 91%", "warn"],
      ["ERROR:root:report job crashed", "error"],
      ['time=2025-11-24T10:00:00Z level=warn msg="slow query"', "warn"],
      ["[error] upstream timed out (110: Connection timed out)", "error"],
      ["E1124 10:00:00.123456    42 server.go:88] listener failed", "error"],
      ["INFO retrying after TypeError: fetch failed", "info"],
      ["TypeError: Cannot read properties of undefined\n    at f (src/a.ts:1:1)", "error"],
      ["panic: runtime error: index out of range", "error"],
      ["the errors page was viewed", null],
      ["cache warmed in 120ms", null],
    ];
    for (const [line, level] of cases) expect([line, levelFromText(line)]).toEqual([line, level]);
  });
});
