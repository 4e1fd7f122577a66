/**
 * Cuts long tool output to its head and its tail (issue 8, item 5): a
 * command's first lines say what it did, its last lines how it ended, so
 * both are kept and the middle is dropped with a marker that says how many
 * bytes went. At most `maxBytes` of UTF-8 plus the marker; characters are
 * never split. Linear in the text's length.
 */
import { capUtf8 } from "../workspace/output-cap";

export interface HeadTail {
  text: string;
  truncated: boolean;
  /** UTF-8 bytes dropped from the middle */
  omittedBytes: number;
}

export function capHeadTail(text: string, maxBytes: number): HeadTail {
  if (text.length * 3 <= maxBytes) return { text, truncated: false, omittedBytes: 0 };
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { text, truncated: false, omittedBytes: 0 };
  const headBytes = Math.floor(maxBytes / 2);
  const head = capUtf8(text, headBytes).text;
  const headLen = new TextEncoder().encode(head).length;
  // the tail starts at a character boundary: step forward over continuation bytes (10xxxxxx)
  let start = bytes.length - (maxBytes - headBytes);
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
  const tail = new TextDecoder().decode(bytes.subarray(start));
  const omittedBytes = start - headLen;
  return { text: `${head}\n[… ${omittedBytes} bytes omitted …]\n${tail}`, truncated: true, omittedBytes };
}
