/**
 * What deterministic fingerprints are made of (fingerprinter.ts puts them
 * together):
 * - exceptions: error type + the top in-app frames (function and file, no
 *   line numbers, so a redeploy that shifts lines keeps the fingerprint);
 * - logs: the masked tokens of the line (log-tokens.ts), which the template
 *   miner (log-miner.ts) turns into a template id.
 * Chat, tickets and replays have neither: they go through query writing and
 * vector matching.
 */
import { parseError } from "../normalize/stack";
import { logTokens, WILDCARD } from "./log-tokens";
import type { GroupingSignal } from "./types";

const MAX_FRAMES = 3;

export function stackFingerprint(content: string): string | null {
  const parsed = parseError(content);
  const inApp = parsed.frames.filter((f) => f.inApp).slice(0, MAX_FRAMES);
  if (!parsed.type || inApp.length === 0) return null;
  const frames = inApp.map((f) => `${f.fn ?? "?"}@${f.file}`).join("|");
  return `stack:${parsed.type}:${frames}`;
}

/**
 * The tokens a log signal's template is mined from: for a JSON line its
 * service and level, then its message; for a text line its first line. Null
 * when the signal is not a log, or shows fewer than 8 letters outside its
 * variables (`12:00:01 ok` says too little to be a template).
 */
export function logLineTokens(signal: GroupingSignal): string[] | null {
  if (signal.source_type !== "log" && signal.source_product !== "logs") return null;
  const text = signal.content.trim();
  let tokens: string[] | null = null;
  if (text.startsWith("{")) {
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      const msg = firstString(obj, ["msg", "message", "event", "error"]);
      if (!msg) return null;
      const service = firstString(obj, ["service", "logger", "app"]) ?? "";
      const level = firstString(obj, ["level", "severity", "lvl"]) ?? "";
      tokens = [`service=${service.slice(0, 100)}`, `level=${level.slice(0, 20).toLowerCase()}`, ...logTokens(msg)];
    } catch {
      // not JSON: the plain-text line
    }
  }
  tokens ??= logTokens(text);
  let letters = 0;
  for (const t of tokens) if (t !== WILDCARD) letters += t.replace(/[^A-Za-z]/g, "").length;
  return letters >= 8 ? tokens : null;
}

function firstString(obj: Record<string, unknown>, keys: string[]): string | null {
  for (const k of keys) {
    const v = obj[k];
    if (typeof v === "string" && v.trim()) return v;
  }
  return null;
}
