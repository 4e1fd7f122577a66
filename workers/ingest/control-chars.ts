/**
 * Control characters in text that came from outside (signal content, report
 * titles), handled in one linear pass with no regular expressions:
 * - `stripControl` removes C0 controls except tab and newline (so NUL, CR,
 *   ESC, BEL…), DEL, C1 controls (U+0080–U+009F) and whole ANSI/VT escape
 *   sequences (CSI `ESC [ … final`, OSC/DCS/PM/APC/SOS strings up to their
 *   terminator, two-character `ESC x`), so nothing that reaches a terminal or
 *   a page can move the cursor, recolour, retitle the window or hide text;
 * - `cleanTitle` is `stripControl` for one-line titles: bidirectional
 *   overrides/isolates (U+202A–U+202E, U+2066–U+2069) dropped too, runs of
 *   whitespace (tab, newline…) folded to one space, trimmed;
 * - `escapeControl` keeps every character but shows controls as visible
 *   escapes (`\x1b`, `\u009b`, `\u202e`), for printing to a terminal;
 * - `hasVisibleText` is false when nothing but whitespace, controls, escape
 *   sequences and invisible format characters is left: the rule for "empty".
 * Each reads every character at most twice (an unterminated string sequence
 * is looked ahead once, and remembered), so any input is linear time.
 */
import { isSpace } from "../text/white-space";

const ESC = 0x1b;
const BEL = 0x07;
const ST_C1 = 0x9c;
const CSI_C1 = 0x9b;

/** C0 (except tab and newline), DEL, C1 */
function isControl(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f);
}

function isBidiControl(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/** Invisible format characters that alone do not make text: zero-width space/joiners, word joiner, BOM, soft hyphen, bidi marks. */
function isInvisible(c: number): boolean {
  return c === 0xad || (c >= 0x200b && c <= 0x200f) || isBidiControl(c) || (c >= 0x2060 && c <= 0x2064) || c === 0xfeff;
}


/**
 * Scans `text` and calls `keep(i)` for every character that is not part of a
 * control or escape sequence. Linear: an unterminated string sequence (OSC,
 * DCS…) is searched to the end once; afterwards every later one is known to be
 * unterminated too, and only its introducer is dropped.
 */
function scan(text: string, keep: (i: number) => boolean | void): void {
  const n = text.length;
  /** no string terminator (BEL, ESC \, ST) at or after this index */
  let noTerminatorFrom = n + 1;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === ESC || c === CSI_C1) {
      let j: number;
      let kind: number;
      if (c === CSI_C1) {
        j = i + 1;
        kind = 0x5b; // "["
      } else {
        kind = i + 1 < n ? text.charCodeAt(i + 1) : -1;
        j = i + 2;
      }
      if (kind === 0x5b) {
        // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E
        while (j < n && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x3f) j++;
        while (j < n && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
        if (j < n && text.charCodeAt(j) >= 0x40 && text.charCodeAt(j) <= 0x7e) j++;
        i = j;
        continue;
      }
      // OSC ], DCS P, SOS X, PM ^, APC _: a string up to BEL, ESC \ or ST
      if (kind === 0x5d || kind === 0x50 || kind === 0x58 || kind === 0x5e || kind === 0x5f) {
        let end = -1;
        if (j < noTerminatorFrom) {
          for (let k = j; k < n; k++) {
            const d = text.charCodeAt(k);
            if (d === BEL || d === ST_C1) {
              end = k + 1;
              break;
            }
            if (d === ESC && k + 1 < n && text.charCodeAt(k + 1) === 0x5c) {
              end = k + 2;
              break;
            }
          }
          if (end < 0) noTerminatorFrom = j;
        }
        // unterminated: drop the introducer only, keep what follows readable
        i = end < 0 ? j : end;
        continue;
      }
      // ESC followed by one character (ESC c, ESC 7, ESC ( B's first byte…), or a lone ESC at the end
      i = kind >= 0x20 && kind <= 0x7e ? j : i + 1;
      continue;
    }
    if (isControl(c)) {
      i++;
      continue;
    }
    if (keep(i) === false) return;
    i++;
  }
}

/** `text` without control characters (tab and newline kept) and without ANSI escape sequences. */
export function stripControl(text: string): string {
  let out = "";
  let runStart = -1;
  let runEnd = -1;
  scan(text, (i) => {
    if (i === runEnd) {
      runEnd++;
      return;
    }
    if (runStart >= 0) out += text.slice(runStart, runEnd);
    runStart = i;
    runEnd = i + 1;
  });
  if (runStart === 0 && runEnd === text.length) return text;
  if (runStart >= 0) out += text.slice(runStart, runEnd);
  return out;
}

/** A one-line title: `stripControl`, bidi controls dropped, whitespace runs folded to one space, trimmed. */
export function cleanTitle(text: string): string {
  const parts: string[] = [];
  let pendingSpace = false;
  let wordStart = -1;
  let wordEnd = -1;
  const flush = () => {
    if (wordStart < 0) return;
    if (pendingSpace && parts.length) parts.push(" ");
    parts.push(text.slice(wordStart, wordEnd));
    pendingSpace = false;
    wordStart = -1;
  };
  scan(text, (i) => {
    const c = text.charCodeAt(i);
    if (isBidiControl(c)) return;
    if (isSpace(c)) {
      flush();
      pendingSpace = true;
      return;
    }
    if (wordStart >= 0 && i === wordEnd) wordEnd++;
    else {
      flush();
      wordStart = i;
      wordEnd = i + 1;
    }
  });
  flush();
  return parts.join("");
}

/** True when `text` has a character a reader would see (not whitespace, a control, an escape sequence or an invisible format character). */
export function hasVisibleText(text: string): boolean {
  let found = false;
  scan(text, (i) => {
    const c = text.charCodeAt(i);
    if (isSpace(c) || isInvisible(c)) return;
    found = true;
    return false;
  });
  return found;
}

/** Every character kept, controls (C0 except tab and newline, DEL, C1, bidi controls) written as visible escapes. */
export function escapeControl(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isControl(c) && !isBidiControl(c)) continue;
    out += text.slice(from, i) + (c <= 0xff ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
