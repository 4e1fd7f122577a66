/**
 * Log levels, one scale for every format: OpenTelemetry severity numbers
 * (1–4 trace … 21–24 fatal), level names as loggers write them (warn,
 * WARNING, Err, CRITICAL, …), pino/bunyan numeric levels (10 … 60), and the
 * level a plain-text line shows (logfmt `level=`, an upper-case or bracketed
 * token, glog's `E1125` prefix, or an exception in the text).
 */
import { firstLine } from "../../../text/first-line";
import { isSpace } from "../../../text/white-space";

export const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type Level = (typeof LEVELS)[number];

/** The default floor: warn and above become signals. */
export const DEFAULT_MIN_LEVEL: Level = "warn";

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

const NAMES: Record<string, Level> = {
  trace: "trace",
  verbose: "trace",
  finest: "trace",
  debug: "debug",
  dbg: "debug",
  fine: "debug",
  info: "info",
  information: "info",
  informational: "info",
  notice: "info",
  default: "info",
  log: "info",
  warn: "warn",
  warning: "warn",
  wrn: "warn",
  error: "error",
  err: "error",
  severe: "error",
  exception: "error",
  fatal: "fatal",
  critical: "fatal",
  crit: "fatal",
  alert: "fatal",
  emerg: "fatal",
  emergency: "fatal",
  panic: "fatal",
};

/** A level name (any case; OTLP's `ERROR2`-style suffixes and `SEVERITY_NUMBER_` prefix allowed), or null. */
export function levelFromName(name: string): Level | null {
  const m = /^(?:severity_number_)?([a-z]+?)\d*$/i.exec(name.trim());
  return m ? (NAMES[m[1].toLowerCase()] ?? null) : null;
}

/** An OpenTelemetry SeverityNumber (1..24); 0 or out of range is unknown. */
export function levelFromSeverityNumber(n: number): Level | null {
  if (!Number.isFinite(n) || n < 1 || n > 24) return null;
  return LEVELS[Math.min(5, Math.floor((n - 1) / 4))];
}

/** A pino/bunyan numeric level: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
export function levelFromPino(n: number): Level | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  if (n < 20) return "trace";
  if (n < 30) return "debug";
  if (n < 40) return "info";
  if (n < 50) return "warn";
  if (n < 60) return "error";
  return "fatal";
}

const LOGFMT = /\b(?:level|lvl|severity|loglevel)=["']?([A-Za-z]+)/i;
const UPPER_TOKEN = /(?:^|[\s[(<|:])(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|PANIC|ALERT|EMERG)(?=$|[\s\]):>|,;-])/;
const BRACKETED = /[[<(](trace|debug|info|notice|warn|warning|error|err|fatal|critical|crit)[\]>)]/i;
const GLOG = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}/;

const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** classes of the ASCII units: `\w` (WORD), upper-case letters, the dot, `\s` */
const WORD = 1;
const UPPER = 2;
const DOT = 4;
const SPACE = 8;
const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x5f) ASCII[c] = WORD;
  if (c >= 0x41 && c <= 0x5a) ASCII[c] = WORD | UPPER;
  if (c === 0x2e) ASCII[c] = DOT;
  if (isSpace(c)) ASCII[c] = SPACE;
}
const classOf = (c: number) => (c < 128 ? ASCII[c] : isSpace(c) ? SPACE : 0);

/**
 * Whether an entry shows an error: a `SomethingError` / `SomethingException`
 * name, a Python traceback, a Go `panic:` line or an indented `at frame`
 * line. The same as the regular expression
 * `/\b[A-Z][A-Za-z0-9_.]*(?:Error|Exception)\b|Traceback \(most recent call last\)|^panic:|\n\s+at \S/m`
 * (test/unit/linear-text.test.ts checks the equivalence), in one linear pass:
 * that expression backtracks quadratically on inputs such as `A.A.A.…` or
 * `\n \n \n…`, seconds of CPU for a 40 KB line.
 */
export function looksLikeError(text: string): boolean {
  if (text.includes("Traceback (most recent call last)")) return true;
  for (let at = text.indexOf("panic:"); at >= 0; at = text.indexOf("panic:", at + 1)) {
    if (at === 0 || LINE_BREAK.test(text[at - 1])) return true;
  }
  const n = text.length;
  // names: in each run of [A-Za-z0-9_.], an upper-case letter at the run's start or after a dot,
  // then at least one character, then Error/Exception ending at the run's end or before a dot
  let firstName = -1;
  // `\n`, more white space, then `at ` and something that is not white space
  let firstBreak = -1;
  let prevWord = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const k = classOf(c);
    if (k & (WORD | DOT)) {
      if (firstName < 0 && k & UPPER && !prevWord) firstName = i;
      if (firstName >= 0 && (c === 0x72 || c === 0x6e) && !(i + 1 < n && classOf(text.charCodeAt(i + 1)) & WORD)) {
        const start = c === 0x72 ? i - 4 : i - 8;
        if (start > firstName && text.startsWith(c === 0x72 ? "Error" : "Exception", start)) return true;
      }
    } else {
      firstName = -1;
    }
    if (k & SPACE) {
      if (c === 10 && firstBreak < 0) firstBreak = i;
    } else {
      if (firstBreak >= 0 && firstBreak <= i - 2 && c === 0x61 && text.startsWith("at ", i) && i + 3 < n && !isSpace(text.charCodeAt(i + 3))) return true;
      firstBreak = -1;
    }
    prevWord = (k & WORD) !== 0;
  }
  return false;
}


/** The level a plain-text entry shows (its first line first), or null when it shows none. */
export function levelFromText(entry: string): Level | null {
  const first = firstLine(entry);
  const logfmt = LOGFMT.exec(first);
  if (logfmt) {
    const level = levelFromName(logfmt[1]);
    if (level) return level;
  }
  const upper = UPPER_TOKEN.exec(first);
  if (upper) return levelFromName(upper[1]);
  const bracketed = BRACKETED.exec(first);
  if (bracketed) return levelFromName(bracketed[1]);
  const glog = GLOG.exec(first);
  if (glog) return ({ I: "info", W: "warn", E: "error", F: "fatal" } as const)[glog[1] as "I" | "W" | "E" | "F"];
  return looksLikeError(entry) ? "error" : null;
}
