/**
 * Plain-text logs (`text/plain`): one entry per line, except that a stack
 * trace stays with the line that introduced it: indented lines, `Caused by:`,
 * Python's `Traceback …` block and its closing `SomeError: …` line are
 * continuations, and so is an exception head (`TypeError: …`, as
 * `console.error(msg, err)` prints it) right after a one-line warn-or-worse
 * entry; after anything else an exception head starts its own entry.
 * The entry's text is the content; the level is what the first line shows
 * (levels.ts), or error when the entry holds an exception. An entry that
 * starts with a date and time gets an id from its text.
 */
import type { LogEntry } from "./entry";
import { toEpochMs } from "./entry";
import { levelFromText, levelRank } from "./levels";
import { eachNonBlankLine } from "./text";

const CONTINUATION = /^(?:\s|Caused by:|Traceback \(most recent call last\)|During handling of the above exception|The above exception was the direct cause|\.\.\. \d+ more)/;
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\b/;
const ISO_TIME = /^\W{0,2}(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)/;
const SYSLOG_TIME = /^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}\b/;
const GLOG_TIME = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}/;
const TRACEBACK = /^Traceback \(most recent call last\)/;

export interface TextEntry {
  text: string;
  /** 1-based line number of its first line */
  line: number;
}

/** The entries of `body`; past `maxEntries` it stops (the route answers 413 without reading the rest). */
export function splitEntries(body: string, maxEntries = Infinity): TextEntry[] {
  const entries: TextEntry[] = [];
  let lines: string[] = [];
  let first = 0;
  let inTraceback = false;
  const flush = () => {
    if (lines.length) entries.push({ text: lines.join("\n").trimEnd(), line: first });
  };
  eachNonBlankLine(body, (line, i) => {
    if (entries.length > maxEntries) return false;
    if (lines.length) {
      const last = lines[lines.length - 1];
      const continues =
        CONTINUATION.test(line) ||
        (inTraceback && EXCEPTION_LINE.test(line) && /^\s/.test(last)) ||
        (lines.length === 1 && EXCEPTION_LINE.test(line) && levelRank(levelFromText(lines[0]) ?? "info") >= levelRank("warn"));
      if (continues) {
        // a traceback ends at its exception line
        inTraceback = TRACEBACK.test(line) || (inTraceback && !(EXCEPTION_LINE.test(line) && /^\s/.test(last)));
        lines.push(line);
        return true;
      }
    }
    flush();
    lines = [line.trimEnd()];
    first = i + 1;
    inTraceback = TRACEBACK.test(line);
    return true;
  });
  if (entries.length <= maxEntries) flush();
  return entries;
}

/** One LogEntry per entry; more than `maxEntries` entries means the body had more than that (see splitEntries). */
export function parseTextLines(body: string, maxEntries = Infinity): LogEntry[] {
  return splitEntries(body, maxEntries).map(({ text, line }) => {
    const iso = ISO_TIME.exec(text);
    const timed = !!iso || SYSLOG_TIME.test(text) || GLOG_TIME.test(text);
    const timestamp = iso ? toEpochMs(iso[1].replace(",", ".")) : undefined;
    return {
      format: "text" as const,
      content: text,
      level: levelFromText(text),
      ...(timestamp !== undefined ? { timestamp } : {}),
      ...(timed ? { identity: text } : {}),
      metadata: { line },
    };
  });
}
