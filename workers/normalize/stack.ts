/**
 * Parses the structure that error-like signal content carries: the error type
 * and message, stack frames (V8/Node and Python here; Java, Firefox/Safari,
 * Ruby and Go in stack-formats.ts), URLs.
 * Used by fingerprints, the offline query writer and the evidence summary.
 */
import { isSpace } from "../text/white-space";
import { head } from "./reading-window";
import { isInAppFile } from "./in-app";
import { repoPath } from "./repo-path";
import { frameReader, GO_HEAD } from "./stack-formats";

export interface StackFrame {
  fn: string | null;
  file: string;
  line: number | null;
  /** false for dependencies, runtime internals and anonymous frames */
  inApp: boolean;
}

export interface ParsedError {
  type: string | null;
  message: string | null;
  frames: StackFrame[];
  urls: string[];
}

/*
 * Linear time on any line. V8_WITH_FN and PYTHON try their lazy groups
 * from every candidate split of the line, each reading on to the line's
 * end: quadratic or worse when the end fails (a long "at a (at a (…" or a
 * line break char inside the line, which `.` does not cross). Both can only
 * match a line whose trimmed text has no line break char, and V8_WITH_FN
 * only one whose trimmed text ends in ")": with those checked first (see
 * `frameMatch`), the first candidate that reaches the end succeeds, and the
 * regex reads the line a bounded number of times. In ERROR_HEAD the spaces
 * after the colon are taken whole (`(?=(\s*))\2`, an atomic \s*): giving
 * some back never helps `(.*)$`, it only re-read the rest per space.
 */
const V8_WITH_FN = /^\s*at (?:async )?(.+?) \((.+?)(?::(\d+))?(?::(\d+))?\)\s*$/;
const V8_BARE = /^\s*at (?:async )?([^\s()]+?)(?::(\d+))?(?::(\d+))?\s*$/;
const PYTHON = /^\s*File "(.+?)", line (\d+)(?:, in (.+))?\s*$/;
/**
 * groups: 1 the type (`TypeError`, bare `Error`, a dotted Java or Python class
 * such as `requests.exceptions.HTTPError`, a Ruby `ActiveRecord::RecordInvalid`), 3 the message
 */
const ERROR_HEAD =
  /^\s*((?:[a-z_][a-z0-9_]*\.)*(?:[A-Z][A-Za-z0-9_.$]*)?(?:Error|Exception|Timeout|Fault|Panic|Rejection)(?:\$\w+)?|[A-Z]\w*(?:::[A-Z]\w*)+)(?::(?=(\s*))\2(.*))?$/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;
/** the last line of a Python traceback: `module.Class: message` or a bare class */
const PYTHON_LAST = /^([A-Za-z_][\w.]{0,200})(?::\s(.*))?$/;

/** `pattern.exec(line)`, skipped where it cannot match: a line break char inside the trimmed line, or (`endsWith`) another last char */
function frameMatch(pattern: RegExp, line: string, endsWith?: string): RegExpExecArray | null {
  const trimmed = line.trim();
  if ((endsWith !== undefined && !trimmed.endsWith(endsWith)) || LINE_BREAK.test(trimmed)) return null;
  return pattern.exec(line);
}

/**
 * `text.split(/\r?\n/)`, about twice as fast on many short lines: split at
 * "\n", then drop the "\r" that ends a piece followed by "\n" (the last
 * piece keeps a final "\r", as the regex split does).
 */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length - 1; i++) if (lines[i].endsWith("\r")) lines[i] = lines[i].slice(0, -1);
  return lines;
}

export function parseError(content: string): ParsedError {
  // the type, the message and the top frames are in the reading window (a 64 KiB trace costs what 16 KiB do)
  const lines = splitLines(head(content));
  let type: string | null = null;
  let message: string | null = null;
  const frames: StackFrame[] = [];
  const others = frameReader();
  let firstNonBlank: string | null = null;
  let lastLine: string | null = null;
  for (const line of lines) {
    let start = 0;
    while (start < line.length && isSpace(line.charCodeAt(start))) start++;
    if (start === line.length) continue;
    firstNonBlank ??= line;
    lastLine = line;
    if (type === null) {
      const head = ERROR_HEAD.exec(line);
      if (head) {
        type = head[1];
        message = head[3]?.trim() || null;
        continue;
      }
    }
    let m = frameMatch(V8_WITH_FN, line, ")");
    if (m) {
      const file = repoPath(m[2]);
      frames.push({ fn: m[1], file, line: m[3] ? Number(m[3]) : null, inApp: isInAppFile(file) });
      continue;
    }
    m = V8_BARE.exec(line);
    if (m) {
      const file = repoPath(m[1]);
      frames.push({ fn: null, file, line: m[2] ? Number(m[2]) : null, inApp: isInAppFile(file) });
      continue;
    }
    m = frameMatch(PYTHON, line);
    if (m) {
      const file = m[1];
      frames.push({ fn: m[3]?.trim() ?? null, file, line: Number(m[2]), inApp: isInAppFile(file) });
      continue;
    }
    const other = others.read(line);
    if (other) frames.push(other);
  }
  // Go names no type: its first line says panic, fatal error or error, and goroutine frames follow
  const go = type === null && frames.length && firstNonBlank !== null ? GO_HEAD.exec(firstNonBlank.trim()) : null;
  if (go) {
    type = go[1];
    message = go[2].trim() || null;
  }
  // a Python traceback ends with its exception, whatever the class is called (`PermissionDenied: …`)
  if (type === null && frames.length && lastLine !== null && lines.some((l) => l.startsWith("Traceback (most recent call last)"))) {
    const py = PYTHON_LAST.exec(lastLine);
    if (py) {
      type = py[1];
      message = py[2]?.trim() || null;
    }
  }
  const urls = [...content.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((u) => u[0]);
  return { type, message, frames, urls };
}

/** Path of a URL without query string: https://a.com/checkout/pay?x=1 → /checkout/pay */
export function urlPath(url: string): string | null {
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}
