/**
 * Log levels, one scale for every format: OpenTelemetry severity numbers
 * (1–4 trace … 21–24 fatal), level names as loggers write them (warn,
 * WARNING, Err, CRITICAL, …), pino/bunyan numeric levels (10 … 60), and the
 * level a plain-text line shows (logfmt `level=`, an upper-case or bracketed
 * token, glog's `E1125` prefix, or an exception in the text).
 */

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

const isWord = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;
const DOT = 0x2e;
/** `\s` of a regex, on one UTF-16 unit (a regex call per char cost ~10 ms for 64 KiB) */
function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/**
 * Whether an entry shows an error: a `SomethingError` / `SomethingException`
 * name, a Python traceback, a Go `panic:` line or an indented `at frame`
 * line. The same as the regular expression
 * `/\b[A-Z][A-Za-z0-9_.]*(?:Error|Exception)\b|Traceback \(most recent call last\)|^panic:|\n\s+at \S/m`
 * (test/unit/logs-levels-linear.test.ts checks the equivalence), in linear
 * time: that expression backtracks quadratically on inputs such as
 * `A.A.A.…` or `\n \n \n…`, seconds of CPU for a 40 KB line.
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
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (!isWord(c) && c !== DOT) {
      firstName = -1;
      continue;
    }
    const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
    if (firstName < 0 && isUpper(c) && !isWord(prev)) firstName = i;
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    if (firstName >= 0 && !isWord(next) && (c === 0x72 || c === 0x6e)) {
      for (const suffix of ["Error", "Exception"]) {
        const start = i + 1 - suffix.length;
        if (start > firstName && text.startsWith(suffix, start)) return true;
      }
    }
  }
  // `\n`, more white space, then `at ` and something that is not white space
  let firstBreak = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === 10 && firstBreak < 0) firstBreak = i;
      continue;
    }
    if (firstBreak >= 0 && firstBreak <= i - 2 && text.startsWith("at ", i) && i + 3 < n && !isSpace(text.charCodeAt(i + 3))) return true;
    firstBreak = -1;
  }
  return false;
}

/** `text.split(/\r?\n/, 1)[0]` without trying the regex at every char of a long line */
export function firstLine(text: string): string {
  const nl = text.indexOf("\n");
  if (nl < 0) return text;
  return text.slice(0, nl > 0 && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
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
