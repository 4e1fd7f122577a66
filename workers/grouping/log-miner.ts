/**
 * Log template mining, Drain-style (He et al., "Drain: An Online Log Parsing
 * Approach with Fixed Depth Tree", ICWS 2017), over the masked tokens of
 * log-tokens.ts:
 *  - a line is compared only with the templates of its bucket: the same
 *    number of tokens and the same first plain word (not a date's);
 *  - similarity is the share of positions, among those where the template or
 *    the line has a constant, at which they agree (a `<*>` in the template
 *    agrees with anything): the masked header (date, time, pid) neither helps
 *    nor dilutes it;
 *  - the most similar template at or above `threshold` takes the line, and
 *    each position where they differ becomes `<*>`; else the line starts a
 *    template of its own;
 *  - two different event words at one position (Accepted / Failed, opened /
 *    closed, started / stopped …) never make a variable: such lines are two
 *    events, however alike the rest is; nor do two code identifiers
 *    (`issueResetToken` / `createSession`: two places in the code), nor two
 *    different emitters (the program label `sshd[<*>]:`, a `[service]` in the
 *    header, a `service=`, `app=`, `logger=`, `component=` or `module=`
 *    value): the same words from two services are two problems.
 * A template keeps the id it was born with while it generalizes, so the
 * fingerprint of its lines is stable; templates are kept per project
 * (LogTemplateStore) and survive restarts.
 */
import { WILDCARD } from "./log-tokens";
import type { LogTemplate } from "./types";

export const DEFAULT_LOG_SIMILARITY = 0.7;

/** Words that name what happened: a line that differs from a template in one of these is another event. */
const EVENT_WORDS = new Set(
  (
    "accept accepted accepting allow allowed approve approved assign assigned attach attached begin beginning block blocked " +
    "cancel cancelled canceled clean cleaned crash crashed crashing clear cleared close closed closing commit committed complete completed connect " +
    "connected connecting create created creating deny denied delete deleted deleting detach detached disable disabled " +
    "disconnect disconnected done down drop dropped enable enabled end ended ending enter entered error exit exited " +
    "expire expired fail failed failure failing finish finished found grant granted hit info invalid join joined kill killed " +
    "leave left load loaded lock locked login logout miss missed missing mount mounted new not ok open opened opening pass " +
    "passed pause paused read received receiving reject rejected release released reload reloaded remove removed removing " +
    "rename renamed request requested resume resumed retry retrying rollback sent sending skip skipped start started starting " +
    "stop stopped stopping succeeded success successful suspend suspended terminate terminated terminating timeout unlock " +
    "unlocked unmount unmounted up update updated updating upload uploaded valid verify verified wait waiting warn warning " +
    "write written wrote debug trace fatal critical notice emerg alert " +
    "true false yes no on off"
  ).split(" "),
);
/** the event words inside a token (`READ_BLOCK` → read), sorted, as one key */
function eventWords(token: string): string {
  const found = token.toLowerCase().split(/[^a-z]+/).filter((w) => EVENT_WORDS.has(w));
  return found.sort().join(" ");
}
/** where a line's header (time, host, program) ends, at the latest */
const HEADER_TOKENS = 6;
/** a token that names a component or a key (`sshd[<*>]:`, `ActivityManager:`, `src:`) */
const isLabel = (t: string) => t.length > 1 && t.endsWith(":");
/** a camelCase or PascalCase name of code (`issueResetToken`, `CartService.addItem`): a constant, not a variable */
const IDENTIFIER = /^[^A-Za-z]{0,3}[A-Za-z]{0,40}[a-z][A-Z][A-Za-z.]{0,80}[^A-Za-z]{0,3}$/;
const isIdentifier = (t: string) => !t.includes(WILDCARD) && IDENTIFIER.test(t);
/** a label that can name the program (`sshd[<*>]:`, `kernel:`), not a quoted object (`object-"ns"/"name":`) */
const PROGRAM = /^[A-Za-z][\w.\/-]{0,80}(?:\[<\*>\])?:$/;
/** who emitted the line: `[checkout]` (in the header), `service=checkout`, `logger=…` */
const EMITTER_KEY = /^(?:service|app|logger|component|module)=/;
const isBracketName = (t: string) => t.length > 2 && t.startsWith("[") && t.endsWith("]") && !t.includes(WILDCARD);

/** a plain word (`Background`, `failed`, `sshd:`): what a bucket is keyed by */
const KEY_WORD = /^[A-Za-z]{1,60}(?:['_-][A-Za-z]{1,60}){0,4}[:.,]?$/;
/** words of a date in a header (`Mar 11 08:00:06`, `Tue Mar 11 …`): they change with the day, not with the event */
const DATE_WORD = /^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[,.]?$/i;

export function bucketOf(tokens: string[]): string {
  // the first plain word: a header's masked pid and role (`1913:S`, `2871:M`), a quoted object
  // (`object-"ns"/"name":`) or a month vary where the event does not
  const first = tokens.find((t) => KEY_WORD.test(t) && !DATE_WORD.test(t)) ?? tokens.find((t) => t !== WILDCARD) ?? WILDCARD;
  return `${tokens.length}|${first}`;
}

/** Similarity of a line to a template of its bucket, or -1 when an event word differs. */
export function similarity(template: string[], tokens: string[]): number {
  let positions = 0;
  let agree = 0;
  let labels = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = template[i];
    const l = tokens[i];
    if (t === WILDCARD && l === WILDCARD) continue;
    positions++;
    const label = isLabel(t) && isLabel(l);
    if (label) labels++;
    if (t === WILDCARD || t === l) {
      agree++;
      continue;
    }
    if (l === WILDCARD) continue; // a constant of the template where the line has a variable
    // another event, or another program (the first label, in the header: `sshd[<*>]:` / `haproxy[<*>]:`): another template;
    // a key's value (`code=card_declined`) and later labels (`logrotate.service:`) may vary
    if ((label && labels === 1 && i < HEADER_TOKENS && PROGRAM.test(t) && PROGRAM.test(l)) || (!t.includes("=") && !l.includes("=") && eventWords(t) !== eventWords(l))) return -1;
    // two code identifiers (`issueResetToken` / `createSession`): two places in the code
    if (isIdentifier(t) && isIdentifier(l)) return -1;
    if ((EMITTER_KEY.test(t) && EMITTER_KEY.test(l)) || (i < HEADER_TOKENS && isBracketName(t) && isBracketName(l))) return -1;
  }
  return positions === 0 ? 1 : agree / positions;
}

export interface MineResult {
  template: LogTemplate;
  /** the template is new or changed: the store must save it */
  changed: boolean;
}

/**
 * The template `tokens` belongs to among `candidates` (the bucket's templates),
 * updated in place, or a new one (the caller adds it to the bucket).
 */
export function mine(candidates: LogTemplate[], tokens: string[], threshold = DEFAULT_LOG_SIMILARITY): MineResult {
  let best: LogTemplate | null = null;
  let bestScore = -1;
  for (const c of candidates) {
    if (c.tokens.length !== tokens.length) continue;
    const s = similarity(c.tokens, tokens);
    // ties go to the more general template, as in Drain
    if (s > bestScore || (s === bestScore && best && wildcards(c.tokens) > wildcards(best.tokens))) {
      best = c;
      bestScore = s;
    }
  }
  if (best && bestScore >= threshold) {
    let changed = false;
    for (let i = 0; i < tokens.length; i++) {
      if (best.tokens[i] !== WILDCARD && best.tokens[i] !== tokens[i]) {
        best.tokens[i] = WILDCARD;
        changed = true;
      }
    }
    return { template: best, changed };
  }
  return { template: { id: templateId(tokens), bucket: bucketOf(tokens), tokens: [...tokens] }, changed: true };
}

const wildcards = (tokens: string[]) => tokens.reduce((n, t) => n + (t === WILDCARD ? 1 : 0), 0);

/** FNV-1a of the tokens that started the template: the same first line gives the same id on every run. */
export function templateId(tokens: string[]): string {
  let h = 0x811c9dc5;
  let h2 = 0x01000193;
  const text = tokens.join(" ");
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h = Math.imul(h ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return `${(h >>> 0).toString(16).padStart(8, "0")}${(h2 >>> 0).toString(16).padStart(8, "0")}`;
}
