/** Small, dependency-free text helpers shared by the offline grouping faces. */

export const STOPWORDS = new Set(
  (
    "a an the and or but if then else of to in on at by for with from into onto over under up down out " +
    "is are was were be been being am do does did done doing have has had having it its it's this that these those " +
    "there here i me my we our you your he she they them their his her us " +
    "not no yes can can't cannot could would should will just so very too also only even still " +
    "what when where which who whom why how all any some each every both few more most other such " +
    "than as about after before again once same own off while until because through during between " +
    "hi hey hello thanks thank please heads anyone else like get got gets getting let lets " +
    "one two three four five six seven eight nine ten since today yesterday morning tonight week " +
    "s t re ve ll d m"
  ).split(/\s+/),
);

/**
 * Splits identifiers: computeTotals → compute totals; PaymentStep → payment
 * step; HTTPServer → http server (the space goes before a capital that
 * follows a capital and precedes a lower-case letter).
 * Linear time: `/([A-Z]+)([A-Z][a-z])/g`, which said the same, re-scanned a
 * run of capitals from each of its positions (quadratic on "AAAA…").
 */
export function splitIdentifier(word: string): string[] {
  return word
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z])(?=[A-Z][a-z])/g, "$1 ")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** A light English stemmer: enough that plurals and -ing/-ed forms meet. */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length <= 3) return w;
  if (w.endsWith("ies") && w.length > 4) return w.slice(0, -3) + "y";
  if (w.endsWith("sses")) return w.slice(0, -2);
  if (w.endsWith("ss") || w.endsWith("us") || w.endsWith("is")) return w;
  if (w.endsWith("s")) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  return w;
}

/** Lower-cased words with identifiers split, stopwords and pure numbers removed. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[^A-Za-z0-9_$]+/)) {
    if (!raw) continue;
    for (const w of splitIdentifier(raw)) {
      if (w.length < 2 || /^\d+$/.test(w) || STOPWORDS.has(w)) continue;
      out.push(w);
    }
  }
  return out;
}

/** Unique items in first-seen order. */
export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
