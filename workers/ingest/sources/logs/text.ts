/**
 * Text helpers shared by the log and GitHub adapters: UTF-8-safe truncation
 * to the signal content limit, one-line clipping, and a stable hex digest for
 * idempotent signal ids.
 */
import { clip } from "../../../text/clip";
import { isSpace } from "../../../text/white-space";
import { MAX_CONTENT_BYTES } from "../../schema";

const encoder = new TextEncoder();

/** `text` cut to at most `maxBytes` of UTF-8 (never inside a character), marked when cut. */
export function truncateUtf8(text: string, maxBytes = MAX_CONTENT_BYTES): string {
  const bytes = encoder.encode(text);
  if (bytes.byteLength <= maxBytes) return text;
  const marker = "\n… (truncated)";
  let end = Math.max(0, maxBytes - encoder.encode(marker).byteLength);
  // step back to the start of a UTF-8 character (continuation bytes are 10xxxxxx)
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end)) + marker;
}

/** At most `max` characters, on one line (workers/text/clip.ts). */
export { clip };

/** At most `max` characters, line breaks kept (for comment bodies). */
export function clipBlock(text: string, max: number): string {
  const t = text.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/**
 * Calls `visit(line, index)` for each line of `text` that is not blank, as
 * `text.split(/\r?\n/)` would give it (index counts blank lines too), until
 * `visit` returns false. No array of lines is built, and a blank line costs a
 * scan of its characters: 64 KiB of empty lines is one pass, not 65,536 strings.
 */
export function eachNonBlankLine(text: string, visit: (line: string, index: number) => boolean | void): void {
  const n = text.length;
  for (let start = 0, index = 0; ; index++) {
    // blank lines: one scan over their white space, counting the line breaks
    let lineStart = start;
    let k = start;
    for (; k < n; k++) {
      const c = text.charCodeAt(k);
      if (c === 10) {
        index++;
        lineStart = k + 1;
      } else if (!isSpace(c)) break;
    }
    if (k >= n) return;
    const nl = text.indexOf("\n", k);
    const end = nl < 0 ? n : nl;
    // "\r\n" ends a line; a final "\r" with no "\n" after it stays, as the regex split keeps it
    const stop = nl >= 0 && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (visit(text.slice(lineStart, stop), index) === false) return;
    if (nl < 0) return;
    start = nl + 1;
  }
}

/** The first `hexChars` hex digits of SHA-256(text). */
export async function digestHex(text: string, hexChars = 32): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, hexChars);
}
