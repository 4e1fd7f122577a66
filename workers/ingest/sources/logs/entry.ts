/**
 * One log entry, whatever format it came in, and its signal. The signal id is
 * `log:<hash>` of the entry's text when the entry carries its own timestamp
 * (the same line sent twice, e.g. an exporter's retry, is then stored once);
 * an entry without a time of its own gets a fresh id, since two identical
 * untimed lines are two occurrences.
 */
import type { SignalInput } from "../../schema";
import { type Level, levelRank } from "./levels";
import { digestHex, truncateUtf8 } from "./text";

export type LogFormat = "otlp" | "ndjson" | "text";

export interface LogEntry {
  format: LogFormat;
  /** the signal content: what the log said, readable */
  content: string;
  /** null when the entry shows no level (counted as info) */
  level: Level | null;
  service?: string;
  /** epoch milliseconds, when the entry carries its time */
  timestamp?: number;
  /** stable text to derive the id from; present only for entries that carry their time */
  identity?: string;
  /** small extra fields: line number, trace and span ids, release, environment */
  metadata?: Record<string, unknown>;
  /** the entry says nothing (an OTLP record with no body, exception or attributes): skipped, not a signal */
  empty?: boolean;
}

/** The level an entry counts as: its own, or info when it shows none. */
export function effectiveLevel(entry: LogEntry): Level {
  return entry.level ?? "info";
}

export function passes(entry: LogEntry, min: Level): boolean {
  return levelRank(effectiveLevel(entry)) >= levelRank(min);
}

export async function entrySignal(entry: LogEntry): Promise<SignalInput> {
  const id = entry.identity ? `log:${await digestHex(`${entry.format}\n${entry.identity}`)}` : undefined;
  return {
    ...(id ? { id } : {}),
    source_product: "logs",
    source_type: "log",
    content: truncateUtf8(entry.content),
    ...(entry.timestamp !== undefined ? { timestamp: entry.timestamp } : {}),
    metadata: {
      format: entry.format,
      level: entry.level ?? "unknown",
      ...(entry.service ? { service: entry.service } : {}),
      ...entry.metadata,
    },
  };
}

/**
 * Epoch milliseconds from what loggers write: ISO strings, epoch seconds
 * (zap, structlog), milliseconds (pino) or micro/nanoseconds (OTLP).
 */
export function toEpochMs(value: unknown): number | undefined {
  let ms: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    ms = value < 1e11 ? value * 1000 : value < 1e14 ? value : value < 1e17 ? value / 1000 : value / 1e6;
  } else if (typeof value === "string" && value.trim()) {
    const s = value.trim();
    if (/^\d+(?:\.\d+)?$/.test(s)) return toEpochMs(Number(s));
    ms = Date.parse(s);
  } else {
    return undefined;
  }
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : undefined;
}
