/** Small text helpers for the Sentry adapter: byte-exact UTF-8 truncation and one-line values. */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 byte length of `text`. */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).byteLength;
}

export const TRUNCATED = "\n…[truncated]";

/** `text` cut at a code-point boundary so that its UTF-8 form is at most `maxBytes`, marked when cut. */
export function truncateUtf8(text: string, maxBytes: number, marker = TRUNCATED): string {
  const bytes = encoder.encode(text);
  if (bytes.byteLength <= maxBytes) return text;
  const markerBytes = encoder.encode(marker).byteLength;
  let end = Math.max(0, maxBytes - markerBytes);
  // step back over UTF-8 continuation bytes (10xxxxxx) so no code point is split
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end)) + marker;
}

/** A value for a one-line field: newlines folded to spaces, other control characters dropped, at most `maxChars` characters. */
export function oneLine(value: string, maxChars = 500): string {
  // eslint-disable-next-line no-control-regex
  // a run of white space holding a line break becomes one space: `\s*[\r\n…]+\s*` tried only from a run's
  // first char (`(?<!\s)`, where every match starts anyway), since from inside a long run of spaces it
  // re-read the rest of the run (quadratic); no callback per run, which cost ~10x on text of short words
  const flat = value.replace(/(?<!\s)\s*[\r\n\u2028\u2029]+\s*/g, " ").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").trim();
  if (flat.length <= maxChars) return flat;
  let cut = flat.slice(0, maxChars);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1); // do not split a surrogate pair
  return `${cut}…`;
}
