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

/** Words that say something is wrong without saying what. */
export const GENERIC = new Set(
  (
    "error errors fail failed failing failure broken issue issues problem problems bug bugs wrong went " +
    "something anything nothing everything work working works doesn doesn't won't isn isn't don don't " +
    "user users customer customers people someone anyone time times seem seems really still just " +
    "src lib app index ts tsx js jsx py cjs mjs development production http https www com example " +
    "subject body title level msg message warn info debug service summary replay heads said says say tried try " +
    "views call controller controllers handler handlers handle"
  ).split(/\s+/),
);

const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Splits identifiers: computeTotals → compute totals; PaymentStep → payment
 * step; HTTPServer → http server. A word breaks before a capital that
 * follows a lower-case letter or digit, and before a capital that follows
 * a capital and precedes a lower-case letter; chars other than A-Z a-z 0-9
 * separate words. One pass (it is called for every token of a signal): the
 * same as `.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")`
 * then splitting on `[^A-Za-z0-9]+`, whose second expression was quadratic
 * on a run of capitals.
 */
export function splitIdentifier(word: string): string[] {
  const out: string[] = [];
  let start = -1; // start of the current part
  for (let i = 0; i <= word.length; i++) {
    const c = i < word.length ? word.charCodeAt(i) : -1;
    const alnum = isUpper(c) || isLower(c) || isDigit(c);
    if (start >= 0) {
      const prev = word.charCodeAt(i - 1);
      const breaks =
        !alnum ||
        (isUpper(c) && (isLower(prev) || isDigit(prev) || (isUpper(prev) && i + 1 < word.length && isLower(word.charCodeAt(i + 1)))));
      if (breaks) {
        out.push(word.slice(start, i).toLowerCase());
        start = -1;
      }
    }
    if (alnum && start < 0) start = i;
  }
  return out;
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

/**
 * A verb and its particle that code spells as one word: "when I check out" is
 * about `checkout`, "can't sign in" about `signIn` / `signin`, "set up" about
 * `setup`. The base form and the -ing form only: "logged out and back in" is
 * how people say they tried, not what failed.
 */
const COMPOUNDS = new Map(
  (
    "check out|check in|log in|log out|sign in|sign out|sign up|set up|look up|back up|roll out|pay out|" +
    "pop up|drop down|pick up|start up|shut down|clean up|opt in|opt out|check outs|sign ups|set ups|pop ups|roll outs"
  )
    .split("|")
    .flatMap((pair) => {
      const [verb, particle] = pair.split(" ");
      const joined = verb + particle;
      const ing = verb.endsWith("e") ? `${verb.slice(0, -1)}ing` : /[aeiou][bcdfglmnprstvz]$/.test(verb) && verb.length <= 3 ? `${verb}${verb.slice(-1)}ing` : `${verb}ing`;
      return [[`${verb} ${particle}`, joined], [`${ing} ${particle}`, joined]] as [string, string][];
    }),
);

/** Lower-cased words with identifiers split, stopwords and pure numbers removed; a verb and its particle joined (COMPOUNDS). */
export function words(text: string): string[] {
  const out: string[] = [];
  let previous = "";
  for (const raw of text.split(/[^A-Za-z0-9_$]+/)) {
    if (!raw) continue;
    for (const w of splitIdentifier(raw)) {
      const joined = COMPOUNDS.get(`${previous.toLowerCase()} ${w.toLowerCase()}`);
      if (joined) {
        // the verb was kept as the last word: it becomes the compound
        if (out[out.length - 1] === previous.toLowerCase()) out[out.length - 1] = joined;
        else out.push(joined);
        previous = "";
        continue;
      }
      previous = w;
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
