/**
 * The learned part of offline triage: a logistic model that reads what the
 * rules saw (their stage, verdict and every cue they matched, the problem
 * evidence, a named feature, the shape of the text: a markdown task list, a
 * pointer to another issue, its length, the source type) together with
 * hashed word and character n-grams of the signal's own text
 * (../safety/ngram-features.ts), and answers P(actionable). Trained by
 * `npm run train -- triage` (evals/train/triage-model.ts) on this project's
 * own triage fixtures only; shipped as JSON in `triage-model-weights.ts`
 * (int8 n-gram weights, named cue weights). One pass over at most
 * MODEL_CHARS chars: linear time, bounded cost.
 */
import { decodeInt8Weights } from "../safety/int8-weights";
import { forEachFeature, normalizeForFeatures } from "../safety/ngram-features";
import { claimMatchesFailure, claimsItWorks } from "./contradiction";
import { namesFeature, problemEvidence } from "./evidence";
import { FEATURE_ASK, OPENING_CHARS, WISH, type RuleDecision } from "./heuristic";
import { takenBackCues } from "./taken-back";
import { askCues } from "./ask";
import { unspecificCues } from "./unspecific";
import type { TriageInput } from "./triage";

/** n-gram buckets: the 17-bit hash folded to this many bits */
export const TRIAGE_FEATURE_BITS = 15;
const MASK = (1 << TRIAGE_FEATURE_BITS) - 1;
/** the most own text the model reads: what a signal is about is in its opening (the rules read the taken-back form there too) */
export const MODEL_CHARS = OPENING_CHARS;

export interface TriageModelFile {
  version: string;
  featureBits: number;
  bias: number;
  /** weights[i] * scale is n-gram bucket i's weight */
  scale: number;
  /** base64 of the int8 n-gram weights */
  weights: string;
  /** weight of each named cue (see `cues`) */
  cues: Record<string, number>;
  /** P(actionable) below this → noise */
  noiseBelow: number;
}

export interface TriageModel {
  version: string;
  bias: number;
  scale: number;
  weights: Int8Array;
  cues: ReadonlyMap<string, number>;
  noiseBelow: number;
}

export function decodeTriageModel(file: TriageModelFile): TriageModel {
  if (file.featureBits !== TRIAGE_FEATURE_BITS) throw new Error(`triage model has ${file.featureBits}-bit features, the code reads ${TRIAGE_FEATURE_BITS}`);
  const weights = decodeInt8Weights(file.weights, TRIAGE_FEATURE_BITS, "triage model");
  return { version: file.version, bias: file.bias, scale: file.scale, weights, cues: new Map(Object.entries(file.cues)), noiseBelow: file.noiseBelow };
}

/**
 * Where the model reads: what people write (tickets, chat, issues, reviews,
 * surveys, replay findings). It learned from nothing else, so on machine
 * sources (error trackers, logs, analytics events, experiment results) the
 * rules' verdict stands: an error or a log line is not a vague complaint.
 */
const MACHINE_PRODUCTS = new Set(["errors", "logs", "sentry", "experiments"]);
const MACHINE_TYPES = new Set(["log", "exception", "error", "crash", "panic", "event", "result", "metric", "trace", "span"]);
export function modelReads(signal: { source_product: string; source_type: string }): boolean {
  return !MACHINE_PRODUCTS.has(signal.source_product.trim().toLowerCase()) && !MACHINE_TYPES.has(signal.source_type.trim().toLowerCase());
}

/** a markdown task list item at a line start: "- [ ] tag", "* [x] publish" */
const TASK_ITEM = /(?=[-*])(?<=^[ \t]*)[-*] \[[ xX]\] /m;
/** a pointer to another issue or pull request */
const ISSUE_REF = /(?:^|[\s(])#\d+\b|\/(?:issues|pull)\/\d+/;

/**
 * What a report names that someone could look at, by kind: the more kinds,
 * the more specific. Each a bounded pattern: linear time.
 */
const SPECIFICS: [string, RegExp][] = [
  ["quoted_ui", /(?:^|[\s(:])['"‘“][^'"’”\n]{2,40}['"’”]/],
  ["code_span", /`[^`\n]{2,80}`/],
  ["quantity", /\b\d+(?:[.,]\d+)?\s?(?:%|ms|s|sec(?:onds?)?|min(?:utes?)?|h(?:ours?)?|days?|kb|mb|gb|px|rows?|items?|users?|seats?|times?|x)\b|[$€£]\s?\d/i],
  ["version", /\bv?\d+\.\d+(?:\.\d+)?\b/],
  ["platform", /\b(?:ios|android|iphone|ipad|pixel|samsung|galaxy|windows|macos|mac|linux|ubuntu|chrome|firefox|safari|edge|outlook|gmail|slack|shopify|zapier|quickbooks|hubspot|jira|okta|azure|google|stripe)\b/i],
  ["ui_action", /\b(?:click(?:ed|ing)?|tap(?:ped|ping)?|press(?:ed|ing)?|select(?:ed|ing)?|drag(?:ged|ging)?|scroll(?:ed|ing)?|typ(?:e|ed|ing)|open(?:ed|ing)?|upload(?:ed|ing)?|export(?:ed|ing)?|import(?:ed|ing)?|paste[ds]?|rotat(?:e|ed|ing)|log(?:ged)? in|sign(?:ed)? in)\b/i],
  ["steps", /(?=\d)(?<=^[ \t]*)\d[.)] |\b(?:steps to reproduce|repro(?:duced)?|expected|actual(?:ly)?:)/im],
  ["error_code", /\b(?:[45]\d\d|e\d{3,}|err_\w+|[A-Z][a-z]+Error|code \w+)\b/],
  ["time_ref", /\b(?:since|after|every time|each time|whenever|when(?:ever)? I)\b/i],
];

/** a question about how to use the product, with no problem in it */
const HOWTO = /(?:^|\n|[.!?]\s)(?:how (?:do|can|would|should) (?:i|we|you)|where (?:do|can|is|are)|what(?:'s| is) the (?:difference|best way)|is there a way|can i|como|wie kann)\b/i;
/** a message about a person's own state, not the product's */
const GREETING_ONLY = /^(?:hi|hello|hey|thanks?|thank you|cheers|ok|okay|got it|great|perfect|noted)\b[^\n]{0,40}$/i;

/** a notice a tool posts: "[deploy-bot] …", "Slackbot: …", "Build #1182 … SUCCESS", "Incident #88 resolved", a changelog */
const MACHINE_NOTICE =
  /(?=[\w[])(?<=^[ \t]*)(?:\[[\w -]{0,30}bot\]|[\w-]{0,30}bot:)|\bbuild #\d+\b|\b(?:deployed|rolled out) to (?:production|staging)\b|\bincident #?\d+\b|\bchangelog\b|\bis out!|\breminder:/im;
/** a pointer to another report or an earlier message: "same issue as …", "already reported in #5520", "any update?" */
const POINTS_ELSEWHERE =
  /(?:^|[\s(])#\d+\b|\bsame (?:issue|problem|bug|thing|error) as\b|\b(?:dupe|duplicate) of\b|\balready (?:reported|filed|mentioned)\b|\bthe other (?:thread|issue|ticket)\b|\b(?:my|the) (?:earlier|last|previous|original) (?:ticket|message|e-?mail|post|report|review)\b|\bany (?:update|news|progress|eta)\b|\bfollowing up\b/i;

/**
 * An echo of another report at the opening of a message ("same here", "+1", "me too", "Same as #4512",
 * "seeing the same"), at the text start or a line start (after a greeting or a "yeah"), after a subject or
 * a speaker prefix ("#support — ana: same here"); "we have / seeing / got the same" anywhere in the head. Read on the first ECHO_HEAD chars only: bounded.
 */
const ECHO_HEAD = 160;
const ECHO_OPENER =
  /(?:(?:^|[\n:—–]\s{0,3})(?:(?:hi|hey|hello|yeah|yes|yep|ok|so|also|and|welp|ugh)\b[,!.]?\s{0,3})?(?:\+1|👍|\^{1,3} ?(?:this|same)|me too|same\b(?: (?:here|for (?:me|us)|issue|problem|bug|thing|error|as))?|also seeing (?:this|it|that)|a mí también|mesmo problema|même problème|gleiches problem)|\b(?:is this|isn'?t this|this is|i think this is|seeing|having|have|had|got|getting|experiencing) (?:exactly )?the same\b)/iu;
/**
 * What an echo adds that the report it points at did not have: a new case ("too", "also", "as well",
 * "but now", "not only", "only when", "in my case", "for us it", "different …", "adding", "except for", a
 * threshold "over 50"; not "for me too",
 * "we also see it": those are the echo again), or a platform, version or quantity. Plain alternations with
 * fixed-length look-arounds: linear time.
 */
const NEW_CASE =
  /(?<!\b(?:me|us|here|mine|ours|i|we) )\b(?:too|as well)\b|\balso\b(?! (?:see|seeing|have|having|get|getting|experienc\w*|noticed?|affected|waiting|\+1)\b)|\b(?:but now|now (?:it )?(?:also|even)|not (?:just|only)|only (?:happens |fails |breaks |crashes )?(?:when|with|on|for|if|in|after)|(?:happens|fails|breaks|crashes) only|in (?:my|our) case|for (?:me|us) it|different (?:trigger|case|cause|screen|page|step)|adding|additionally|in addition|on top of (?:that|this)|another thing|new detail|plus|except (?:for|that|when|on|in|with)|(?:over|above|more than|under|below|fewer than|less than) \d|and (?:on|in|with|for|when))\b/i;
/** the specifics that make an echo's case new: a platform, version or quantity (picked from SPECIFICS once) */
const NEW_SPECIFICS = SPECIFICS.filter(([name]) => name === "platform" || name === "version" || name === "quantity");
/** failure wording beyond evidence.ts's problem words: what goes wrong in a case an echo adds ("skips every second item", "instead of 30 days", "can't send") */
const ECHO_FAILURE =
  /\b(?:instead of|rather than|skip(?:s|ped|ping)?|rejected|rejects|comes? out (?:empty|blank|wrong)|empty|gone|late|double[- ]?charg\w*|charged twice|covers?|can'?t|cannot|won'?t|doesn'?t|does not|didn'?t|did not|isn'?t|is not|aren'?t|not (?:working|shown|sent|saved|loading|going))\b/i;
/** one more echo word right after the opener ("same here too", "+1, me too", "+1 same problem"): skipped, at most 8 */
const ECHO_FILLER = /[\s,.!;:—–-]*(?:\+1|👍|me too|same|here|too|as well|for (?:me|us)|problem|issue|bug|this|that|(?:also )?seeing(?: (?:this|it|that))?|lol|yes|yep|yeah)\b/iuy;

/**
 * An echo and what follows it: `echo&adds:<failure?>+<case?>` — "same here" alone or with only
 * emotion or an "any update?" adds nothing; a failure with a new case ("… for UK cards too",
 * "but now export also times out") is a new report riding on an old one.
 */
export function echoCues(text: string): string[] {
  const head = text.length > ECHO_HEAD ? text.slice(0, ECHO_HEAD) : text;
  const m = ECHO_OPENER.exec(head);
  if (!m) return [];
  let at = m.index + m[0].length;
  for (let i = 0; i < 8; i++) {
    ECHO_FILLER.lastIndex = at;
    if (!ECHO_FILLER.test(text)) break;
    at = ECHO_FILLER.lastIndex;
  }
  const rest = text.slice(at);
  const failure = problemEvidence(rest).length > 0 || ECHO_FAILURE.test(rest);
  const specifics = NEW_SPECIFICS.some(([, p]) => p.test(rest));
  const newCase = NEW_CASE.test(rest) || specifics;
  const kind = failure ? (newCase ? "failure+case" : "failure") : newCase ? "case" : "none";
  return ["echo", `echo&adds:${kind}`];
}

const lengthBucket = (words: number) => (words <= 3 ? "1-3" : words <= 8 ? "4-8" : words <= 20 ? "9-20" : words <= 60 ? "21-60" : "61+");

/** The named cues of one signal, from the rules' decision on it. */
export function cues(signal: TriageInput, d: RuleDecision): string[] {
  const text = d.text.length > MODEL_CHARS ? d.text.slice(0, MODEL_CHARS) : d.text;
  const out = [`stage:${d.stage}`, `verdict:${d.verdict.verdict}`];
  if (d.verdict.reason) out.push(`reason:${d.verdict.reason}`);
  for (const m of d.verdict.matched) out.push(`matched:${m}`);
  const evidence = problemEvidence(text);
  for (const e of evidence) out.push(`evidence:${e}`);
  const named = namesFeature(text);
  const wish = WISH.test(text) || FEATURE_ASK.test(text);
  const works = claimsItWorks(text);
  const tasks = TASK_ITEM.test(text);
  if (named) out.push("names_feature");
  if (wish) out.push("wish");
  if (works) out.push("claims_it_works");
  if (tasks) out.push("task_list");
  if (ISSUE_REF.test(text)) out.push("issue_ref");
  let specifics = 0;
  for (const [name, p] of SPECIFICS) {
    if (p.test(text)) {
      out.push(`specific:${name}`);
      specifics++;
    }
  }
  const spec = specifics >= 3 ? "3+" : String(specifics);
  out.push(`specifics:${spec}`, `specifics:${spec}&evidence:${evidence.length ? 1 : 0}`, `specifics:${spec}&named:${named ? 1 : 0}`);
  if (HOWTO.test(text)) out.push(`howto&evidence:${evidence.length ? 1 : 0}`);
  if (GREETING_ONLY.test(text.trim())) out.push("greeting_only");
  if (MACHINE_NOTICE.test(text)) out.push(`machine_notice&evidence:${evidence.length ? 1 : 0}`);
  out.push(...echoCues(text));
  if (POINTS_ELSEWHERE.test(text)) out.push(`points_elsewhere&evidence:${evidence.length ? 1 : 0}`, `points_elsewhere&specifics:${spec}`);
  const words = text.split(/\s+/, 62).filter(Boolean).length;
  const len = lengthBucket(words);
  out.push(`words:${len}`);
  // what a linear model cannot read from the single cues: their conjunctions
  const ev = evidence.length > 1 ? "2+" : String(evidence.length);
  out.push(`evidence_count:${ev}`, `named:${named ? 1 : 0}&evidence:${ev}`, `words:${len}&evidence:${ev}`);
  if (tasks) out.push(`task_list&evidence:${ev}`);
  if (works) out.push(`claims_it_works&evidence:${ev}`);
  const back = takenBackCues(text, d.back);
  out.push(...back);
  if (back.length) out.push(`${back[1]}&evidence:${ev}`, `${back[1]}&specifics:${spec}`);
  if (works && claimMatchesFailure(text)) out.push("claim_matches_failure");
  if (wish) out.push(`wish&named:${named ? 1 : 0}`);
  out.push(...askCues(text));
  out.push(...unspecificCues(text));
  out.push(`type:${signal.source_type.trim().toLowerCase().slice(0, 40)}`);
  return out;
}

/** The n-gram buckets of `text` (each once per occurrence), folded to TRIAGE_FEATURE_BITS. */
export function ngramBuckets(text: string): Int32Array {
  const t = normalizeForFeatures(text.length > MODEL_CHARS ? text.slice(0, MODEL_CHARS) : text);
  // at most 3 char n-grams per char and one word and one bigram per 2 chars
  const out = new Int32Array(t.length * 4 + 2);
  let n = 0;
  forEachFeature(t, (_b, f) => {
    out[n++] = f & MASK;
  });
  return out.subarray(0, n);
}

/** P(actionable) of a signal with these cues and n-gram buckets under model weights. */
export function scoreFeatures(
  m: { bias: number; scale: number; weights: ArrayLike<number>; cues: ReadonlyMap<string, number> },
  cueNames: readonly string[],
  buckets: ArrayLike<number>,
): number {
  let z = m.bias;
  for (const c of cueNames) z += m.cues.get(c) ?? 0;
  let s = 0;
  for (let i = 0; i < buckets.length; i++) s += m.weights[buckets[i]];
  if (buckets.length > 0) z += (s * m.scale) / Math.sqrt(buckets.length);
  return 1 / (1 + Math.exp(-z));
}
