/**
 * A failure the writer takes back with what they saw: "Notifications never
 * arrive. Got every single one today, right on time", "Can't upload photos at
 * all. Uploaded 20 today, no problem", "the widget doesn't load. I'm looking at
 * it right now and it loads", "returns 500 on every call … status 200, 200".
 * One idea, read by sentence: a sentence that claims a failure, then a later
 * sentence with no failure in it that reports the thing working — by an
 * observed-success phrase (all N, every one, on time, as it should, no problem,
 * right now …) and/or the very verb or noun the failure was about, now said
 * plainly ("never reads barcodes" … "reads every barcode"). contradiction.ts
 * catches the tight forms and lets the rules decide; this one is a cue the
 * learned model weighs (triage-model.ts), with whether the success is bound
 * to another case or an earlier time ("… before the update", "only on small
 * files", "on Chrome it is fine"), which makes it a real report's contrast.
 *
 * Linear time: one split into sentences, plain alternations per sentence, a
 * bounded set of stems (`MAX_STEMS`) looked up per word.
 */
import { problemEvidence } from "./evidence";

/** a sentence: cut at . ! ? ; line breaks and brackets */
const SENTENCE = /[^.!?;\n()[\]]+/g;

/** a contrast word starts a new clause: "it works fine but login never works" */
const CLAUSE_BREAK = /\b(?:but|though|although|however|yet|still)\b/gi;

/** what says something does not happen at all, beyond evidence.ts's problem words */
const ABSOLUTE_FAILURE =
  /\b(?:never|always|anymore|none of|impossible|dead|skip(?:s|ped)?|throw(?:s|ing)|(?:(?:does|do|did|has|have|could|wo)(?:n'?t| not)|can'?t|cannot|can not) [a-z]+|at all|entirely|completely|totally|no longer|(?:is|are|has been|have been) (?:down|missing|gone|empty|ignored|not \w+)|not (?:enforced|firing|working|there|shown|sent|saved|arriving|loading|syncing|sending)|ignored|stopped|down all day|every call|always empty|nothing)\b|n't (?:enforced|firing|working|there|shown|sent|saved|arriving|loading|syncing|sending)\b|\bno [a-z]+ (?:at all|anywhere|whatsoever)\b/i;

/** the writer saw it work: counts of success, on time, as it should, fine, right now */
const OBSERVED_SUCCESS =
  /\b(?:fine|perfectly|great|no problems?|no issues?|as (?:it should|expected|scheduled|verified|normal|documented|intended|always)|(?:right )?on time|instantly|within (?:a|an|one|\d+) (?:second|minute|sec|min)s?|in under a second|without (?:a single|any) \w+|all (?:good|there|in|delivered|green|fine|present|correct|passed|arrived|saved|synced|sent)|green(?: check)?|(?:every|each) (?:single )?one(?: of them)?|all \d[\d,]*|all (?:[a-z]+ ){0,2}(?:(?:is|are|was|were) )?(?:there|filled|present|in place|correct|delivered|arrived|saved|green|normal|ok)|successful(?:ly)?|every \w+ (?:shows?|showed|arrives?|arrived|went|goes|is|was) |(?:i|we) (?:can|could) see (?:all|every|them|it|the)|right now|just (?:now|got|checked|searched|tried|did|ran)|just \w+ed\b|\d[\d,]* (?:[a-z]+ )?(?:sent|delivered|passed|ok|succeeded|synced|saved|joined|received|imported|exported|processed|uploaded|created|generated|completed)|(?:status|code)s?:? 200|200, 200|untouched|no hang|0 (?:failures|errors)|(?:been|is|are|am|stay(?:ed|s)?) logged in|works?|worked|passes|passed|joined)\b/i;

/** success idioms that carry a failure word ("without a single failure", "no hang") — blanked before the sentence is checked for failure */
const SUCCESS_IDIOM = /\b(?:(?:haven'?t|have not|never|not once) (?:seen|had|noticed) (?:it |a |any |one )?(?:fail|crash|error|problem|issue|hang)\w*|without (?:a single|any) \w+|no (?:problems?|issues?|errors?|hang|failures?|crash(?:es)?)|0 (?:failures|errors)|no rage clicks)\b/gi;

/** a repro attempt is not a success seen: "Tried 5 times today" */
const TRIED = /\b(?:tr(?:y|ied|ies|ying)|attempt\w*|retr(?:y|ied|ies|ying))\b/i;

/** a sentence that bounds the success to another case or an earlier time: a real report's contrast */
const BOUND =
  /\bv?\d+\.\d+|\b(?:works?|worked|fine|loads?|loaded)\s+(?:on|in|with|for|via|from)\b(?! time)|\b(?:with|over|above|under|below|more than|less than|fewer than) \d|\b(?:before|until|used to|previously|earlier|last (?:week|month|year)|only|except|unless|if|when|whereas|while|other|another|older|newer|smaller|larger|bigger|different|old version|downgrad\w*|but not|on (?:chrome|firefox|safari|edge|ios|android|mac|macos|windows|linux|desktop|mobile|web|the web|staging)|in (?:chrome|firefox|safari|edge|incognito|private))\b/i;

/** the success is said of another thing than the failure: "Monthly ones are fine", "Portrait works", "Real campaigns deliver fine" (not "it", "they", "everything") */
const OTHER_SUBJECT = /^\s*(?!(?:it|they|everything|all|i|we|this|that|which|and|so)\b)(?:[\w'`.-]+ ){0,3}?[\w'`.-]+ (?:(?:is|are|was|were|seems?|looks?) )?(?:\w+ )?(?:fine|ok|okay|works?|worked)\b/i;
/** a failure said only of a case: "only breaks for routes with more than 10 stops", "crashes when I open a shared notebook" */
const FAILURE_BOUND = /\b(?:only|when|whenever|if|unless|except|before|after|for (?:some|certain|private|public|new|old|large|small|big|long)|with more than|over \d|above \d|larger than|bigger than)\b/i;

/** a negation and the next words: what the failure is about */
const FAILED_ACTION = /\b(?:never|not|n't|cannot|can't|unable to|fails? to|failed to|stopped|no longer|won't)\s+((?:[a-z]+\s+){0,2}[a-z]+)/gi;
/** the word a negation is said of: "the PDF download never works", "the planner doesn't save" */
const FAILED_SUBJECT = /\b([a-z]{3,})\s+(?:never|(?:does|do|is|are|was|were|did|can|wo)(?:n'?t| not))\b/gi;
/** words too common to tie two sentences together */
const COMMON = new Set(["work", "have", "has", "had", "get", "got", "the", "any", "for", "and", "even", "just", "been", "being", "this", "that", "with", "from", "able", "really", "seem", "anymore", "sure", "what", "want", "need", "know", "think", "make", "all", "one", "them", "they", "it's", "there", "here", "still", "single", "every", "come", "going", "goe", "show", "use"]);
const MAX_STEMS = 16;

/** "reads" → "read", "uploaded" → "upload", "invite" / "invited" → "invit", "logged" → "log" */
export function stemWord(word: string): string {
  let w = word.toLowerCase().replace(/(?:ing|ed|es|s)$/, "");
  if (w.length >= 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w.length >= 4 && w[w.length - 1] === w[w.length - 2] ? w.slice(0, -1) : w;
}

/**
 * The success is what a system displays, not what the writer saw: "your dashboard shows all 50
 * delivered", "the integration page says 'Last sync: successful'", "Status page: all green",
 * "marked as delivered". A failure against the product's own display is a report (the display is
 * wrong, or a later step fails), so the strict form is no final verdict there (heuristic.ts).
 */
const SYSTEM_SAYS =
  /\b(?:dashboard|status page|status|logs?|console|admin|panel|integration(?: page)?|job list|history|api|system|portal|tracker|monitor(?:ing)?|provider)(?:\s+(?:\w+\s+){0,2}?(?:says?|shows?|showed|said|lists?|listed|reports?|reported|claims?|claimed|displays?|displayed|reads?|marks?|marked)\b|\s*:)|\baccording to\b|\b(?:marked|listed|shown|flagged|reported) as (?:delivered|sent|successful|complete[d]?|ok|green|operational|paid|synced|done)\b/i;

export type TakenBack = "none" | "marker" | "stem" | "both";
export interface TakenBackReading {
  kind: TakenBack;
  bound: boolean;
  shown: boolean;
}

/** the strongest reading wins: an unbound one over a bound one, then both over one */
const rank = (kind: TakenBack, bound: boolean) => (bound ? 0 : 4) + (kind === "both" ? 3 : kind === "stem" ? 2 : kind === "marker" ? 1 : 0);

/**
 * How a failure claim is taken back by a later sentence (`none`: it is not),
 * whether that sentence bounds the success to another case or time, and
 * whether the success is one a system shows (`shown`; not a model cue).
 */
export function takenBack(text: string): TakenBackReading {
  const none: TakenBackReading = { kind: "none", bound: false, shown: false };
  if (!ABSOLUTE_FAILURE.test(text) && problemEvidence(text).length === 0) return none;
  const stems = new Set<string>();
  let failed = false;
  let best: TakenBack = "none";
  let bound = false;
  let shown = false;
  let failureBound = false;
  for (const m of text.replace(CLAUSE_BREAK, ".").matchAll(SENTENCE)) {
    const raw = m[0];
    if (raw.trim().length < 3) continue;
    const blanked = raw.replace(SUCCESS_IDIOM, " ");
    const failing = ABSOLUTE_FAILURE.test(blanked) || problemEvidence(blanked).length > 0;
    if (failing) {
      failed = true;
      const keep = (word: string) => {
        const st = stemWord(word);
        if (st.length >= 3 && !COMMON.has(st) && stems.size < MAX_STEMS) stems.add(st);
      };
      for (const a of blanked.matchAll(FAILED_SUBJECT)) keep(a[1]);
      if (FAILURE_BOUND.test(blanked)) failureBound = true;
      for (const a of blanked.matchAll(FAILED_ACTION)) for (const w of a[1].split(/\s+/)) keep(w);
      continue;
    }
    if (!failed) continue;
    if (TRIED.test(raw)) continue;
    const marker = OBSERVED_SUCCESS.test(raw);
    let stem = false;
    if (stems.size) {
      for (const w of raw.matchAll(/[a-z]+/gi)) {
        if (stems.has(stemWord(w[0]))) {
          stem = true;
          break;
        }
      }
    }
    if (!marker && !stem) continue;
    const kind: TakenBack = marker && stem ? "both" : marker ? "marker" : "stem";
    const b = BOUND.test(raw) || OTHER_SUBJECT.test(raw) || failureBound;
    if (best === "none" || rank(kind, b) > rank(best, bound)) {
      best = kind;
      bound = b;
      shown = SYSTEM_SAYS.test(raw);
    }
  }
  return { kind: best, bound, shown };
}

/**
 * the model's cues: `taken_back:<kind>&bound:<0|1>` and `taken_back` (none when nothing is taken back);
 * `reading` is the rules' reading of the same text when they made one (heuristic.ts)
 */
export function takenBackCues(text: string, reading?: TakenBackReading): string[] {
  const t = reading ?? takenBack(text);
  return t.kind === "none" ? [] : ["taken_back", `taken_back:${t.kind}&bound:${t.bound ? 1 : 0}`];
}

