/**
 * A log line as the tokens its template is mined from (log-miner.ts): split
 * at white space, with the parts that vary from one occurrence to the next
 * already masked as `<*>`, Drain-style:
 *  - quoted values of a key (`key="…"`, `key: '…'`) as one token; a quoted
 *    message that stands alone keeps its words (`"SyncLoop ADD" pods=[…]`);
 *  - inside each token, every piece between punctuation (`=`, `:`, `,`,
 *    brackets, …) that holds a digit: numbers, timestamps, durations and sizes
 *    (`12ms`, `512KB`), IPs and ports, ids with prefixes (`blk_-1608…`,
 *    `req-7f3a…`), UUIDs and hex, hostnames such as `ip-10-0-3-17` or
 *    `worker-7`, counters inside words (`attempt#3`); an IPv6 address (with
 *    its port) whole, whose groups need not hold a digit (`2001:db8:cb::15b`);
 *  - paths and URLs (a piece with two or more `/`, or a scheme), with or
 *    without digits;
 *  - the value of every `key=value` but the level, service and message
 *    (`user=alice` → `user=<*>`); a quoted logfmt message is split into words.
 * What is left are the words that say what happened. Words that vary (a user
 * name, a state) are found by the miner when lines of one shape differ there.
 */
import { head } from "../normalize/reading-window";
import { firstLine } from "../text/first-line";

export const WILDCARD = "<*>";

/** a key's quoted value: after `=` or `:` (and maybe a space); at most 400 chars, one line */
const QUOTED = /([=:]\s?)(?:"[^"\n]{0,400}"|'[^'\n]{0,400}')/g;
const PIECES = /[^=:,;()[\]{}<>|]+|[=:,;()[\]{}<>|]+/g;
const DIGIT = /\d/;
const PATHLIKE = /^[a-z][a-z0-9+.-]*:\/\/|\/[^/]*\//i;
/** hex of 8 or more digits with no digit 0–9 (`deadbeefcafe`) is still an id */
const HEX_ID = /^(?:0x)?[0-9a-f]{8,}$/i;
/**
 * an IPv6 address: hex groups joined by `:` with a `::` or eight groups,
 * maybe a port, not inside a word (`std::vector` is none)
 */
const H = "[0-9a-f]{1,4}";
const IPV6 = new RegExp(
  `(?<![\\w:])(?:(?:${H}(?::${H}){0,6})?::(?:${H}(?::${H}){0,6})?|${H}(?::${H}){7})(?::\\d{1,5})?(?![\\w:])`,
  "gi",
);

/** The masked tokens of one log message (its first line, of the reading window). */
export function logTokens(message: string): string[] {
  const line = firstLine(head(message, 4096)).replace(QUOTED_MESSAGE, "$1$2: $3").replace(QUOTED, `$1${WILDCARD}`);
  const out: string[] = [];
  for (const raw of line.split(/\s+/)) {
    if (!raw) continue;
    out.push(maskToken(raw));
  }
  return out;
}

/**
 * `key=value` whose value is a variable whatever it looks like, except the
 * keys that name the event (the level: warn and error are two events; the
 * service; the message itself, whose words are the template)
 */
const KEY_VALUE = /^([A-Za-z_][\w.-]{0,63})=(?!$)/;
const EVENT_KEY = /^(?:level|lvl|severity|loglevel|service|app|logger|component|module|msg|message|event|error|err)$/i;
/** logfmt's quoted message: its words are tokens (`msg="could not encode x"` → `msg: could not encode x`) */
const QUOTED_MESSAGE = /(^|\s)(msg|message|event|error|err)="([^"\n]{0,2000})"/g;

export function maskToken(token: string): string {
  if (token === WILDCARD) return token;
  const kv = KEY_VALUE.exec(token);
  if (kv && !EVENT_KEY.test(kv[1])) return `${kv[1]}=${WILDCARD}`;
  if (PATHLIKE.test(token)) return WILDCARD;
  if (token.includes(":")) token = token.replace(IPV6, WILDCARD);
  if (!DIGIT.test(token) && !HEX_ID.test(token)) return token;
  // piece by piece, so `sshd[1234]:` keeps its shape (`sshd[<*>]:`) and `port=5432` its key
  let out = "";
  for (const m of token.matchAll(PIECES)) {
    const piece = m[0];
    out += DIGIT.test(piece) || HEX_ID.test(piece) ? WILDCARD : piece;
  }
  // neighbouring wildcards are one variable (`10.0.0.1:8080` and `2026-11-30T12:00:00Z` alike)
  return out.replace(/<\*>(?:[:.,-]?<\*>)+/g, WILDCARD);
}
