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
const ERRORISH = /\b[A-Z][A-Za-z0-9_.]*(?:Error|Exception)\b|Traceback \(most recent call last\)|^panic:|\n\s+at \S/m;

/** The level a plain-text entry shows (its first line first), or null when it shows none. */
export function levelFromText(entry: string): Level | null {
  const first = entry.split(/\r?\n/, 1)[0];
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
  return ERRORISH.test(entry) ? "error" : null;
}
