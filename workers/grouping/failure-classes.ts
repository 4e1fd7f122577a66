/**
 * Common failure classes and the ways errors, logs and people name them: an
 * exception says `ReadTimeout`, a log `exceeded deadline`, a customer "spins
 * forever". The offline query writer adds a class's canonical words to a
 * signal's symptom, so two signals about one kind of failure share words
 * although they share no phrasing. A general taxonomy of web-service
 * failures (HTTP status classes, runtime errors, database constraint
 * errors), written for this project; a signal may name several classes.
 * Patterns are bounded alternations over lower-cased text: linear time.
 */

interface FailureClass {
  /** the words added to the symptom */
  canonical: string;
  pattern: RegExp;
}

const CLASSES: FailureClass[] = [
  {
    canonical: "timeout",
    pattern:
      /\btime[sd]?[ -]?out\b|\btimeouts?\b|deadline exceeded|exceeded (?:the )?deadline|took too long|taking forever|spins? forever|spinner|never (?:finishes|loads|completes|returns)|hangs?\b|\bhung\b|too slow|super slow|takes minutes|takes forever|loading forever|keeps loading|stuck (?:on|at) (?:loading|the spinner)|spinning wheel/,
  },
  {
    canonical: "upstream unavailable",
    pattern: /\b50[234]\b|bad gateway|service unavailable|gateway time-?out|internal server error|server error|upstream|\bis down\b|\boutage\b/,
  },
  {
    canonical: "crash null",
    pattern:
      /\bnull\b|\bnil\b|nonetype|\bundefined\b|nullpointer|cannot read propert|is not a function|segmentation|sigsegv|\bcrash(?:es|ed|ing)?\b|white screen|blank (?:page|screen)|goes blank|something broke|force[sd]? (?:close|quit)|closes itself|app closes|nothing renders|renders nothing|(?:won'?t|doesn'?t|does not) render/,
  },
  {
    canonical: "validation rejected",
    pattern: /\b422\b|\b400 bad request\b|validation|\binvalid (?:input|value|format|request)\b|must match|does not match|not a valid|won'?t let me|rejects?\b|rejected|(?:won'?t|doesn'?t|does not|will not) accept|says (?:it'?s |it is )?invalid|won'?t submit/,
  },
  {
    canonical: "permission denied",
    pattern: /\b40[13]\b|forbidden|permission|access (?:is )?denied|not allowed|unauthori[sz]ed|not authori[sz]ed|lacks? (?:the )?(?:scope|role|permission)|(?:missing|insufficient) (?:the )?(?:required )?(?:scope|role|permission|privilege)|no access|don'?t have access/,
  },
  {
    canonical: "duplicate",
    pattern: /duplicate|unique constraint|uniqueviolation|already exists|not ?unique|\btwice\b|double (?:charge|submit|entries|entry|booking)|charged twice|two of everything|\bcopy of\b|duplicated|two copies|doubled? (?:charges?|orders?|emails?|entries)/,
  },
  {
    canonical: "too large memory",
    pattern:
      /out of memory|memoryerror|heap space|cannot allocate|failed to allocate|allocation failed|too large|\b413\b|payload too large|invalid string length|big (?:account|file|export)s?|large (?:file|account|workspace|export)s?|over a certain size/,
  },
  {
    canonical: "encoding characters",
    pattern: /encod(?:e|ing)|utf-?8|unicode|\bascii\b|charset|byte sequence|malformed ?input|garbled|mojibake|accents?\b|umlaut|question marks|special characters|weird (?:characters|symbols)|strange (?:characters|symbols)/,
  },
  {
    canonical: "rate limited",
    pattern: /\b429\b|too many requests|rate[ -]?limit|throttl|slow down|try again later|locked out for|too many (?:attempts|tries)|try again in (?:a|\d+) (?:minute|few minutes|seconds?)|locks? (?:me|us) out/,
  },
  {
    canonical: "stale conflict",
    pattern: /\bstale\b|optimistic lock|version (?:conflict|mismatch)|concurrent (?:update|modification)|out of date|outdated|old data|previous value|changes?\b[^.\n]{0,40}\b(?:disappear|vanish|get lost|revert)|updated or deleted by another transaction|still shows the old|not updating|(?:doesn'?t|does not|won'?t) update/,
  },
];

/** every word the classes are named by (canonical words), as queries carry them */
export const FAILURE_VOCABULARY: ReadonlySet<string> = new Set(CLASSES.flatMap((c) => c.canonical.split(" ")));

const GLOBAL = CLASSES.map((c) => new RegExp(c.pattern.source, "g"));

/** The classes `text` names (first 4 KB), in the table's order. */
function named(text: string): FailureClass[] {
  const t = text.slice(0, 4096).toLowerCase();
  return CLASSES.filter((c) => c.pattern.test(t));
}

/** `text` (first 4 KB, lower-cased) with every phrase that names a failure class blanked out: what is left says what failed, not how. */
export function withoutFailurePhrases(text: string): string {
  let t = text.slice(0, 4096).toLowerCase();
  for (const c of GLOBAL) t = t.replace(c, " ");
  return t;
}

/** The failure classes `text` names, by their first canonical word. */
export function failureClasses(text: string): string[] {
  return named(text).map((c) => c.canonical.split(" ", 1)[0]);
}

/** One word per failure class `text` names (the last of its canonical words, the most telling): a short tag that does not outweigh what it is added to. */
export function failureTags(text: string): string[] {
  return named(text).map((c) => c.canonical.slice(c.canonical.lastIndexOf(" ") + 1));
}

/** The canonical words of every failure class `text` names. */
export function failureWords(text: string): string[] {
  return named(text).flatMap((c) => c.canonical.split(" "));
}
