/**
 * Two shapes of a report that takes itself back, read in linear time:
 *  - the same quantity on both sides of a comparison ("the report total is
 *    412 but should be 412", "I walked 5,000 steps and the app shows
 *    5,000", "expected $40. We were charged $40"): the numbers the writer
 *    says differ do not;
 *  - a plain claim that the thing works ("works fine", "went through fine",
 *    "without any issue", "same as always"), not one bounded to a platform
 *    or a case ("works fine on Chrome", "works fine if I …"), which next to
 *    a reported failure makes the report contradict itself.
 * heuristic.ts calls the first self-contradictory when the text claims a
 * discrepancy; the learned model reads both as cues (triage-model.ts).
 */

/**
 * A number the way a reading or an amount is written: optional currency,
 * digits with thousands or decimal separators, optional percent. Versions
 * (two dots or more) are not quantities and are skipped.
 */
const QUANTITY = /(?:[$€£¥]|R\$|US\$)?\s?\d(?:[\d,.]*\d)?%?/g;

/** a word that sets an expected value against an observed one */
const COMPARISON =
  /\b(?:should(?: be| have been| show| say| read)?|expected|expecting|supposed to|instead of|also|but|and|while|whereas|vs\.?|versus|same as|sollte|müsste|und|aber|debería|y|pero|devrait|et|mais|deveria|e|mas)\b/i;

/** the writer says two values differ, or one is wrong */
const CLAIMS_DISCREPANCY =
  /\b(?:should (?:be|show|say|read|display)|wrong|incorrect|off by|off|mismatch\w*|(?:do(?:es)?n'?t|do(?:es)? not) (?:match|add up)|doubl\w*|twice|overcharg\w*|undercount\w*|overcount\w*|inflated|discrepanc\w*|differ\w*|not right|isn'?t right|errad[oa]|falsch|faux|erróne[oa]|incorrect[oa])\b/i;

/** the word after a number: "48 users" */
const NEXT_WORD = /^\s?([a-z\u00c0-\u024f]{2,20})/i;

function canonical(q: string, after: string): string | null {
  const t = q.replace(/\s+/g, "");
  const digits = t.replace(/\D/g, "");
  if ((t.match(/\./g)?.length ?? 0) >= 2 && !/,/.test(t)) return null; // 2.1.0: a version
  const key = t.replace(/^(?:US|R)\$/, "$");
  // "5,000", "412", "$40", "€18.40", "12%": three digits, or a currency or percent sign
  if (/[$€£¥%]/.test(t) || (digits.length >= 3 && !/\.\d$/.test(t))) return key;
  // a short count or a one-decimal number with its unit: "48 users", "3 seats", "12.5 km" (not "4.3 broke" / "since 4.3 on")
  const unit = NEXT_WORD.exec(after)?.[1]?.toLowerCase();
  return unit ? `${key} ${unit}` : null;
}

/** The same quantity stated twice around a comparison word, within one or two sentences. */
export function sameQuantityCompared(text: string): boolean {
  if (!CLAIMS_DISCREPANCY.test(text)) return false;
  const last = new Map<string, number>(); // canonical quantity -> end of its last occurrence
  for (const m of text.matchAll(QUANTITY)) {
    const q = canonical(m[0], text.slice(m.index! + m[0].length, m.index! + m[0].length + 22));
    if (!q) continue;
    const start = m.index!;
    const prevEnd = last.get(q);
    if (prevEnd !== undefined && start - prevEnd <= 120) {
      // the comparison word sits between the two, or just before the first ("we expected $40. We were charged $40")
      const between = text.slice(Math.max(0, prevEnd - q.length - 40), start);
      if (COMPARISON.test(between)) return true;
    }
    last.set(q, start + m[0].length);
  }
  return false;
}

const WORKS_CLAIM =
  /\b(?:works?|worked|working|went through|goes through|went out|go(?:es)? out|loads?|loaded|syncs?|synced|runs?|ran|arrived?|launch(?:es|ed)?|opens?|opened|logged in|logs? in|pass(?:es|ed)?|sends?|sent|saves?|saved|uploads?|uploaded|exports?|exported)\s+(?:just\s+)?(?:every time\s+)?(?:just\s+)?(?:fine|perfectly|great|normally|instantly|on time|as (?:expected|normal|always|it should))\b|\bwithout (?:any |a single )?(?:problems?|issues?|errors?|crash(?:es)?)\b|\bwith no (?:problems?|issues?|errors?)\b|\bno (?:problems?|complaints)\b|\bsame as always\b|\b(?:has |have |had |'ve )?never (?:crashed|failed|had (?:a |any |a single )?(?:problem|issue|crash))/gi;
/** what bounds a claim to a case: "works fine on Chrome", "… if I reload", "… except" */
const BOUNDED = /^[^.!?\n]{0,25}?\b(?:on(?! me\b)|in|with|when|if|except|for(?! me\b)|after|before|via|from|but|until|unless|only)\b/i;

/** what puts a claim in the past, before a change: "before the update it worked fine" */
const EARLIER = /\b(?:before|used to|previously|until|prior|earlier|last (?:week|month|year)|yesterday|in v?\d|on v?\d|old version|downgrad\w*)\b[^.!?\n]*$/i;
/** a case the claim is bounded to, said before it: "With 9 stops it loads fine", "On Chrome it works fine" */
const CASE_BEFORE = /\b(?:with|on|in|when|if|for|after|using|via|except|only)\b[^.!?\n,;]{0,30}$/i;

/** The plain claims that the thing works: no platform, case or earlier time bounds them. */
function* plainClaims(text: string): Generator<RegExpMatchArray> {
  for (const m of text.matchAll(WORKS_CLAIM)) {
    const at = m.index!;
    const after = text.slice(at + m[0].length, at + m[0].length + 40);
    const before = text.slice(Math.max(0, at - 40), at);
    if (!BOUNDED.test(after) && !EARLIER.test(before) && !CASE_BEFORE.test(before)) yield m;
  }
}

/** A claim that the thing works that no platform, case or earlier time bounds. */
export function claimsItWorks(text: string): boolean {
  for (const _ of plainClaims(text)) return true;
  return false;
}

const MAX_CLAIMS = 4;

/** "logged" → "log", "syncs" → "sync", "launches" → "launch" */
function stem(word: string): string {
  const w = word.toLowerCase().replace(/(?:ing|ed|es|s)$/, "");
  return w.length >= 4 && w[w.length - 1] === w[w.length - 2] ? w.slice(0, -1) : w;
}

/**
 * A plain claim that the thing works whose verb also names what the text
 * says fails elsewhere: "never syncs! Syncs perfectly", "Can't log in …
 * logged in fine", "freezes on every launch. Launches instantly".
 */
export function claimMatchesFailure(text: string): boolean {
  let tried = 0;
  // the text without any claim that something works: what is left says what fails
  let rest: string | undefined;
  for (const m of plainClaims(text)) {
    // each try reads the whole text: a bounded number of tries keeps it linear (a report makes one or two claims)
    if (++tried > MAX_CLAIMS) break;
    const verb = /^[a-z]+/i.exec(m[0])?.[0] ?? "";
    const st = stem(verb);
    if (st.length < 3 || /^(?:work|run|ran|go|goe|went)$/.test(st)) continue;
    rest ??= text.replace(WORKS_CLAIM, " ");
    if (new RegExp(String.raw`\b${st}`, "i").test(rest)) return true;
  }
  return false;
}
