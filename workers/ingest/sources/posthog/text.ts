/**
 * Text helpers for PostHog signal content: UTF-8-safe truncation to the
 * signal content limit, and short readable renderings of property values.
 */
import { clip } from "../../../text/clip";
import { MAX_CONTENT_BYTES } from "../../schema";

const encoder = new TextEncoder();

/** `text` cut to at most `maxBytes` of UTF-8 (never inside a character), marked when cut. */
export function truncateUtf8(text: string, maxBytes = MAX_CONTENT_BYTES): string {
  const bytes = encoder.encode(text);
  if (bytes.byteLength <= maxBytes) return text;
  const marker = "\n… (truncated)";
  const room = Math.max(0, maxBytes - encoder.encode(marker).byteLength);
  let end = room;
  // step back to the start of a UTF-8 character (continuation bytes are 10xxxxxx)
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end)) + marker;
}

/** At most `max` characters, on one line (workers/text/clip.ts). */
export { clip };

/** A property value as short readable text: strings as they are, the rest as JSON. */
export function showValue(value: unknown, max = 300): string {
  if (typeof value === "string") return clip(value, max);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return clip(json ?? String(value), max);
}

/** The first non-empty string (or number) among `keys` of `props`. */
export function firstText(props: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = props[k];
    if (typeof v === "string" && v.trim()) return v.trim();
    if (typeof v === "number" && Number.isFinite(v)) return String(v);
  }
  return undefined;
}
