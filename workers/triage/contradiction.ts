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
  /\b(?:wrong|incorrect|off by|off|mismatch\w*|(?:do(?:es)?n'?t|do(?:es)? not) (?:match|add up)|doubl\w*|twice|overcharg\w*|undercount\w*|overcount\w*|inflated|discrepanc\w*|differ\w*|not right|isn'?t right|errad[oa]|falsch|faux|erróne[oa]|incorrect[oa])\b/i;

function canonical(q: string): string | null {
  const t = q.replace(/\s+/g, "");
  const digits = t.replace(/\D/g, "");
  if ((t.match(/\./g)?.length ?? 0) >= 2 && !/,/.test(t)) return null; // 2.1.0: a version
  // "5,000", "412", "$40", "1.240", "12%": three digits, or a currency, decimal or percent sign
  if (digits.length < 3 && !/[$€£¥%]|[.,]\d/.test(t)) return null;
  return t.replace(/^(?:US|R)\$/, "$");
}

/** The same quantity stated twice around a comparison word, within one or two sentences. */
export function sameQuantityCompared(text: string): boolean {
  if (!CLAIMS_DISCREPANCY.test(text)) return false;
  const last = new Map<string, number>(); // canonical quantity -> end of its last occurrence
  for (const m of text.matchAll(QUANTITY)) {
    const q = canonical(m[0]);
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
  /\b(?:works?|worked|working|went through|goes through|loads?|loaded|syncs?|synced|runs?|ran|arrived?)\s+(?:just\s+)?(?:fine|perfectly|great|normally|instantly|on time|as (?:expected|normal|always|it should))\b|\bwithout (?:any |a single )?(?:problems?|issues?|errors?|crash(?:es)?)\b|\bwith no (?:problems?|issues?|errors?)\b|\bno (?:problems?|complaints)\b|\bsame as always\b|\b(?:has |have |had |'ve )?never (?:crashed|failed|had (?:a |any |a single )?(?:problem|issue|crash))/gi;
/** what bounds a claim to a case: "works fine on Chrome", "… if I reload", "… except" */
const BOUNDED = /^[^.!?\n]{0,25}?\b(?:on(?! me\b)|in|with|when|if|except|for(?! me\b)|after|before|via|from|but|until|unless|only)\b/i;

/** A claim that the thing works that no platform or case bounds. */
export function claimsItWorks(text: string): boolean {
  for (const m of text.matchAll(WORKS_CLAIM)) {
    const after = text.slice(m.index! + m[0].length, m.index! + m[0].length + 40);
    if (!BOUNDED.test(after)) return true;
  }
  return false;
}
