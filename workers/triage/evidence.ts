/**
 * What makes a signal actionable, read from its text: the error shape
 * (stack frames, exception lines, error-level logs), a described problem
 * (something that does not work, fails, crashes, shows the wrong thing),
 * and a named feature (button, page, export, notifications …). The noise
 * rules in heuristic.ts give way to this evidence: a thank-you that also
 * reports a bug, or a billing page that errors, stays a signal.
 */

const ERROR_SHAPES: RegExp[] = [
  /^\s*at\s+\S.*(?:\(|\s)\S+:\d+(?::\d+)?\)?\s*$/m, // V8 / Java frames
  /Traceback \(most recent call last\)|^\s*File "[^"]+", line \d+/m, // Python
  /^\s*(?:Uncaught\s+|Unhandled\s+)?(?:[A-Z][A-Za-z0-9]*\.)*[A-Z][A-Za-z0-9]*(?:Error|Exception|Panic|Fault)\b(?::|\s+at\b)/m,
  /"(?:level|severity|lvl)"\s*:\s*"(?:error|err|fatal|critical|crit|panic|alert|emergency)"/i,
  /\b(?:level|severity|lvl)=(?:error|err|fatal|critical|crit|panic)\b/i,
  /^\s*(?:\[?\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?\]?\s+)?(?:ERROR|FATAL|CRITICAL|PANIC)\b/m,
  /^panic: /m,
];

const ERROR_SOURCE_TYPES = new Set(["exception", "error", "crash", "panic"]);

export function isErrorShaped(text: string, sourceType = ""): boolean {
  return ERROR_SOURCE_TYPES.has(sourceType.trim().toLowerCase()) || ERROR_SHAPES.some((p) => p.test(text));
}

const FEATURES = String.raw`(?:buttons?|pages?|screens?|tabs?|menus?|forms?|fields?|links?|checkout|cart|log ?in|sign[- ]?in|sign[- ]?up|passwords?|search|export\w*|import\w*|uploads?|downloads?|sync\w*|notifications?|e-?mails?|dashboards?|settings|reports?|charts?|filters?|calendar|date picker|editor|api|webhooks?|integrations?|invoices?|billing|widgets?|sidebar|toolbar|dropdown|modal|popup|checklist|onboarding|views?|columns?|rows?|files?|pdf|csv|attachments?|images?|photos?|videos?|audio|camera|keyboard|shortcuts?|dark mode|theme|timezone|time zone|map|cursor|scroll\w*|ram|memory|cpu|battery|android|ios|iphone|ipad|pixel|galaxy|windows|macos|linux|chrome|firefox|safari|edge|desktop app|mobile app|web app|app version|v?\d+\.\d+(?:\.\d+)?)`;
const FEATURE = new RegExp(String.raw`\b${FEATURES}\b`, "i");

const NEGATED_BEHAVIOUR =
  /\b(?:doesn'?t|does not|don'?t|do not|didn'?t|did not|won'?t|will not|can'?t|cannot|can not|couldn'?t|could not|isn'?t|is not|aren'?t|are not|wasn'?t|was not|weren'?t|never|no longer|not)\s+(?:\w+\s+){0,2}?(?:work|load|open|save|sync|show|display|appear|respond|send|sent|arrive|apply|applied|include|let|allow|update|refresh|connect|submit|print|render|start|install|find|download|upload|log|sign|get|answer|create|creating|play|scroll|click|pick|select|match|accept|receive|load|go through|redirect|finish)\w*/i;

const PROBLEM_WORDS =
  /\b(?:broken|breaks|crash(?:es|ed|ing)?|freez(?:es|ing)|froze|hangs|hanging|stuck|blank|spins? forever|spinning|times? out|timed out|timeout|errors?|exception|fail(?:s|ed|ing|ure|ures)?|bug(?:gy|s)?|glitch\w*|404|500|502|503|wrong|incorrect|missing|disappear\w*|vanish\w*|twice|duplicat(?:es|ed|ing)|slow(?:er|ly)?|lag(?:s|gy|ging)?|unresponsive|unusable|does nothing|nothing happens|returns? nothing|cuts? off|logs? me out|keeps? (?:showing|asking|crashing|resetting|logging|failing|loading)|resets?|snaps? back|expires? (?:immediately|instantly|right away)|stopped|no (?:network request|response)|eats|drains?|leaks?|overlap\w*|below the fold|off by one|truncat\w*|differs?|differ(?:ent|ence) (?:between|from)|mismatch\w*|inconsisten\w*)\b/i;

/** a source file named in the text: whoever wrote it points at code */
const NAMES_CODE = /(?:^|[\s`'"(])(?:[\w.-]+\/)+[\w.-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|go|rb|java|kt|rs|php|cs|swift|vue|svelte)\b/;

/** data loss done by the product, not by the user: "the sync deleted my notes" */
const DATA_LOSS = /(?<!\bI )\b(?:lost|wiped|erased|corrupt(?:ed|s)?)\b|\b(?:it|app|sync|update|upgrade|system|you|your \w+|the \w+) (?:deleted|removed|overwrote|overwrites|deletes|removes)\b/i;

/** a contrast that turns praise into a report: "Love it, but the widget …" */
const CONTRAST_FEATURE = new RegExp(
  String.raw`\b(?:but|however|unfortunately|sadly|except(?: that)?|one thing|only (?:issue|problem|thing)|although|though)\b[^.!?\n]{0,80}\b${FEATURES}\b`,
  "i",
);

/** a past problem named as fixed is not evidence: "thanks for fixing the crash" */
const RESOLVED_MENTION =
  /\b(?:fix(?:ed|ing|es)?|solv\w*|resolv\w*|sort(?:ed|ing)|patch(?:ed|ing)?)\s+(?:of\s+|for\s+)?(?:\w+\s+){0,3}?(?:crash\w*|bugs?|issues?|errors?|problems?|glitch\w*)\b|\b(?:crash\w*|bugs?|errors?|problems?|glitch\w*)\s+(?:is|are|has been|have been|was|were)\s+(?:gone|fixed|resolved|solved)\b|\bno (?:more|longer any)\s+(?:crash\w*|errors?|bugs?|problems?)\b/gi;

export function withoutResolvedMentions(text: string): string {
  return text.replace(RESOLVED_MENTION, " ");
}

/** names of the kinds of problem evidence in `text` (empty: none) */
export function problemEvidence(text: string): string[] {
  const t = withoutResolvedMentions(text);
  const found: string[] = [];
  if (NEGATED_BEHAVIOUR.test(t)) found.push("negated_behaviour");
  if (PROBLEM_WORDS.test(t)) found.push("problem_words");
  if (DATA_LOSS.test(t)) found.push("data_loss");
  if (CONTRAST_FEATURE.test(t)) found.push("contrast_feature");
  if (NAMES_CODE.test(t)) found.push("names_code");
  return found;
}

export function namesFeature(text: string): boolean {
  return FEATURE.test(text);
}

/** the part a person wrote: quoted reply lines and forwarded originals removed */
export function ownText(content: string): string {
  const text = content.normalize("NFKC").replace(/\r\n/g, "\n");
  const cut = text.search(/^(?:On .{3,120} wrote:|-{2,}\s*Original Message\s*-{2,}|From: .+\n(?:Sent|Date): )/im);
  const kept = cut > 0 ? text.slice(0, cut) : text;
  return kept
    .split("\n")
    .filter((line) => !/^\s*>/.test(line))
    .join("\n")
    .trim();
}
