/**
 * A value as at most `max` characters on one line: every run of white space
 * that holds a line break becomes one space (other runs stay as they are),
 * the ends are trimmed, and a longer result is cut with "…". The same as
 *
 *   const one = text.replace(/\s*\r?\n\s*\/g, " ").trim();
 *   return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
 *
 * (test/unit/linear-text.test.ts checks it), in one pass that stops once it
 * has `max` characters: a 64 KiB value clipped to 300 costs what 300 do, and
 * a 64 KiB run of blank lines is read once, never by a backtracking regex.
 */
import { isSpace } from "./white-space";

export function clip(text: string, max: number): string {
  const n = text.length;
  const parts: string[] = [];
  let length = 0;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  while (i < n) {
    let j = i;
    while (j < n && !isSpace(text.charCodeAt(j))) j++;
    parts.push(text.slice(i, j));
    length += j - i;
    if (length > max) break;
    let k = j;
    let lineBreak = false;
    for (; k < n; k++) {
      const c = text.charCodeAt(k);
      if (!isSpace(c)) break;
      if (c === 10) lineBreak = true;
    }
    if (k === n) break; // trailing white space: trimmed
    const space = lineBreak ? " " : text.slice(j, k);
    parts.push(space);
    length += space.length;
    i = k;
  }
  const one = parts.join("");
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
