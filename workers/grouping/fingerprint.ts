/**
 * Cheap deterministic fingerprints that come before any LLM call:
 * - exceptions: error type + the top in-app frames (function and file, no
 *   line numbers, so a redeploy that shifts lines keeps the fingerprint);
 * - logs: a template of the message with variable parts masked (Drain-style:
 *   numbers, ids, hex, quoted values, durations), plus service and level.
 * Returns null when a signal has no such structure (chat, tickets, replays):
 * those go through query writing and vector matching.
 */
import { head } from "../normalize/reading-window";
import { firstLine, parseError } from "../normalize/stack";
import type { GroupingSignal } from "./types";

const MAX_FRAMES = 3;

export function fingerprint(signal: GroupingSignal): string | null {
  return stackFingerprint(head(signal.content)) ?? logFingerprint(signal);
}

export function stackFingerprint(content: string): string | null {
  const parsed = parseError(content);
  const inApp = parsed.frames.filter((f) => f.inApp).slice(0, MAX_FRAMES);
  if (!parsed.type || inApp.length === 0) return null;
  const frames = inApp.map((f) => `${f.fn ?? "?"}@${f.file}`).join("|");
  return `stack:${parsed.type}:${frames}`;
}

/** Masks the variable parts of a log message. */
export function logTemplate(message: string): string {
  return message
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>")
    .replace(/\b\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?\b/g, "<ts>")
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, "<ip>")
    .replace(/\b0x[0-9a-f]+\b/gi, "<hex>")
    .replace(/\b[0-9a-f]{12,}\b/gi, "<hex>")
    .replace(/"[^"]*"|'[^']*'/g, "<str>")
    .replace(/\b\d+(?:\.\d+)?(?:ms|s|mb|kb|gb|%)?\b/gi, "<num>")
    .replace(/\s+/g, " ")
    .trim();
}

export function logFingerprint(signal: GroupingSignal): string | null {
  if (signal.source_type !== "log" && signal.source_product !== "logs") return null;
  const text = signal.content.trim();
  if (text.startsWith("{")) {
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      const msg = firstString(obj, ["msg", "message", "event", "error"]);
      if (!msg) return null;
      const service = firstString(obj, ["service", "logger", "app"]) ?? "";
      const level = firstString(obj, ["level", "severity", "lvl"]) ?? "";
      return `log:${service}:${level.toLowerCase()}:${logTemplate(head(msg))}`;
    } catch {
      // not JSON: fall through to the plain-text template
    }
  }
  const template = logTemplate(firstLine(head(text)));
  return template.replace(/<[a-z]+>|\W/g, "").length >= 8 ? `log::${template}` : null;
}

function firstString(obj: Record<string, unknown>, keys: string[]): string | null {
  for (const k of keys) {
    const v = obj[k];
    if (typeof v === "string" && v.trim()) return v;
  }
  return null;
}
