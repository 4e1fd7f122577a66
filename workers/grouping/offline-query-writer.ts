/**
 * Offline query writer: deterministic extraction of what a signal is about.
 *  - place: route / URL path, in-app files (repo-relative, without deployment
 *    prefixes such as `/srv/app/`) and functions from stack frames, a log's
 *    `route`, `service` or `[service]`;
 *  - symptom: error type and message with variable parts dropped, or the
 *    message of a log with its variables (ids, durations, hosts, other
 *    `key=value` fields) masked as the log miner masks them (log-tokens.ts),
 *    and the canonical words of the failure classes it names
 *    (failure-classes.ts: `ReadTimeout`, `exceeded deadline` → timeout);
 *  - topic: the most telling content words of free text (chat, tickets,
 *    replays, experiment results), less the phrases that name a failure;
 *  - where and how, the angle an exception or a log line shares with a
 *    customer's words about it: a stack's or log's place words plus one tag
 *    per failure class it names ("checkout payment unavailable"), and a
 *    message's subject words (subject.ts) plus the same tags ("payment page
 *    unavailable");
 *  - for free text, also its first words as they are (stopwords and numbers
 *    dropped): the raw-embedding baseline's view, kept beside the extracted ones.
 * No network, no key; the LLM writer (production) implements the same
 * `QueryWriter` interface.
 */
import { head } from "../normalize/reading-window";
import { repoPath } from "../normalize/repo-path";
import { parseError, urlPath } from "../normalize/stack";
import { failureTags, failureWords, withoutFailurePhrases } from "./failure-classes";
import { logTokens, WILDCARD } from "./log-tokens";
import { GENERIC, splitIdentifier, unique, words } from "./text";
import { COMPLAINT, subjectWords, withoutPeople } from "./subject";
import type { GroupingSignal, QueryWriter } from "./types";


/** Runtime phrasing every error of a kind shares: it says how code failed, not where or on what. */
const ERROR_BOILERPLATE = new Set(
  (
    "cannot read properties property reading undefined null type reference defined function object " +
    "unexpected token status code request failed timeout exceeded allocation invalid argument value " +
    "uncaught unhandled exception error"
  ).split(/\s+/),
);

/** Path segments that say where code is deployed or how it is laid out, not what it does. */
const PATH_NOISE = new Set("srv usr opt var home local dist build out node modules site packages vendor pkg api".split(" "));

/** log fields whose value says where: their values are place words */
const PLACE_KEY = /^(?:route|path|url|endpoint|service|app|job|feature|component|module|logger)$/i;
const LEVEL = /^(?:trace|debug|info|notice|warn|warning|error|err|fatal|critical|crit|alert|emerg)$/i;
/** ISO 8601 date-times and syslog stamps (`2026-06-10T11:33:21.000Z`, `Jun 10 11:33:21`): words like `t11` otherwise */
const TIMESTAMP = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} \d{2}:\d{2}:\d{2}\b/g;

const MAX_WORDS = 8;
/** words of free text kept as its own query */
const TEXT_WORDS = 40;
/** place words a where-and-how query needs */
const MIN_PLACE = 2;

export class OfflineQueryWriter implements QueryWriter {
  readonly name = "offline-extractive";
  readonly usesLlm = false;

  async write(signal: GroupingSignal): Promise<string[]> {
    return writeQueries(signal.content, signal);
  }
}

export function writeQueries(full: string, source?: Pick<GroupingSignal, "source_product" | "source_type">): string[] {
  // a JSON log is parsed whole (its fields may sit anywhere); everything else reads the window
  const content = head(full).replace(TIMESTAMP, " ");
  const parsed = parseError(content);
  const place: string[] = [];
  const symptom: string[] = [];

  for (const url of parsed.urls) {
    const p = urlPath(url);
    if (p) place.push(...pathWords(p));
  }
  const json = tryJson(full);
  if (json) {
    for (const key of ["route", "path", "url", "endpoint", "job", "feature", "service"]) {
      const v = json[key];
      if (typeof v === "string") place.push(...pathWords(head(v, 2048).replace(/^(GET|POST|PUT|PATCH|DELETE)\s+/i, "")));
    }
    for (const key of ["msg", "message", "error", "event"]) {
      const v = json[key];
      if (typeof v === "string") symptom.push(...words(head(v)));
    }
  }
  const isLog = !!source && (source.source_type === "log" || source.source_product === "logs");
  if (isLog && !json && parsed.frames.length === 0) {
    const line = logLine(content);
    place.push(...line.place);
    symptom.push(...line.symptom);
  }
  for (const f of parsed.frames.filter((fr) => fr.inApp).slice(0, 3)) {
    place.push(...pathWords(repoPath(f.file).replace(/\.[a-z]+$/i, "")));
    if (f.fn) place.push(...splitIdentifier(f.fn.replace(/^.*\./, "")));
  }
  if (parsed.type) {
    symptom.push(...splitIdentifier(parsed.type).filter((w) => !ERROR_BOILERPLATE.has(w)));
    if (parsed.message) symptom.push(...words(parsed.message).filter((w) => !ERROR_BOILERPLATE.has(w)));
  }

  // the failure class in canonical words: an exception and a log line about one failure share them
  const failure = failureWords(content);
  const queries: string[] = [];
  const placeQ = clean(place);
  if (placeQ.length) queries.push(placeQ.join(" "));
  const symptomQ = symptom.length ? unique([...clean(symptom), ...failure]) : [];
  if (symptomQ.length) queries.push(symptomQ.join(" "));
  if (!json && !isLog && parsed.frames.length === 0) {
    const topic = topicWords(content);
    if (topic.length) queries.push(topic.join(" "));
    // what failed and how, in the words a stack or a log line about it would carry
    const subject = [...subjectWords(content)].slice(0, MAX_WORDS);
    if (subject.length && failure.length) queries.push(unique([...subject, ...failureTags(content)]).join(" "));
    // and the text itself, normalized: what the raw-embedding baseline matches on, so two messages worded
    // alike still meet when the extracted queries differ
    // (less the phrases that name a failure: a complaint's wording must not read as a subject, subject.ts)
    // (and less who wrote it: a name in a chat prefix or a signature is no subject, and two reports must not meet on it)
    const text = words(withoutFailurePhrases(withoutPeople(content))).slice(0, TEXT_WORDS).join(" ");
    if (text) queries.push(text);
  } else if (placeQ.length >= MIN_PLACE && failure.length) {
    // where and how it failed: the angle a customer's message about the same failure shares (a place of a
    // word or two would be outweighed by the failure and meet every place's failure of that kind)
    queries.push(unique([...placeQ, ...failureTags(content)]).join(" "));
  }
  return unique(queries).slice(0, 3);
}

function pathWords(path: string): string[] {
  return path
    .split(/[/?#&=]+/)
    .flatMap((seg) => splitIdentifier(seg))
    .filter((w) => !/^\d+$/.test(w) && !/^v\d+$/.test(w) && !PATH_NOISE.has(w));
}

/** A plain-text or logfmt log line: place words from its place fields and `[service]`; the rest of its words, variables masked. */
function logLine(content: string): { place: string[]; symptom: string[] } {
  const place: string[] = [];
  const line = content.slice(0, 4096).split("\n", 1)[0];
  for (const raw of line.split(/\s+/)) {
    const eq = raw.indexOf("=");
    if (eq > 0 && PLACE_KEY.test(raw.slice(0, eq))) place.push(...pathWords(raw.slice(eq + 1).replace(/^"|"$/g, "")));
    else if (/^\[[A-Za-z][\w.-]{0,60}\]$/.test(raw)) place.push(...splitIdentifier(raw.slice(1, -1)));
  }
  const symptom: string[] = [];
  for (const t of logTokens(line)) {
    if (t.includes(WILDCARD) || /^\[.*\]$/.test(t) || LEVEL.test(t) || t.startsWith("level=") || t.startsWith("service=")) continue;
    symptom.push(...words(t.replace(/^(?:msg|message|event|error|err):$/, "")));
  }
  return { place, symptom };
}

function clean(ws: string[]): string[] {
  return unique(ws.filter((w) => w.length > 1 && !GENERIC.has(w))).slice(0, MAX_WORDS);
}

/** Content words of free text, ranked by frequency then first appearance. */
function topicWords(text: string): string[] {
  // chat prefixes ("#channel — ", "Name (role): ") and signatures say who and where, not what
  const body = withoutPeople(text).replace(/^#[\w-]+\s+[—–-]\s+/, "").replace(/^[^:\n]{1,60}\):\s*|^[A-Z][\w .'-]{0,40}:\s+/, "");
  // how it failed is the failure query's, and the words of any complaint are no topic: the topic says what failed
  const ws = words(withoutFailurePhrases(body)).filter((w) => !GENERIC.has(w) && w.length > 2 && !COMPLAINT.has(w));
  const counts = new Map<string, { n: number; first: number }>();
  ws.forEach((w, i) => {
    const c = counts.get(w);
    if (c) c.n++;
    else counts.set(w, { n: 1, first: i });
  });
  return [...counts.entries()]
    .sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first)
    .slice(0, MAX_WORDS)
    .map(([w]) => w);
}

function tryJson(content: string): Record<string, unknown> | null {
  const t = content.trim();
  if (!t.startsWith("{")) return null;
  try {
    const v = JSON.parse(t);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
