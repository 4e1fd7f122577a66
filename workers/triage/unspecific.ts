/**
 * A judgement with nothing to look at: "Bad app.", "honestly the worst client
 * I've used", "it has gone downhill", "could be a lot better", a CSM note
 * that the customer "feels it is unreliable … nothing concrete", a session
 * summary with "no errors, no rage clicks". Two parts, either or both:
 *
 * - an **evaluation** of the whole product or experience (bad, terrible,
 *   worst, useless, frustrating, disappointed, buggy, unreliable, clunky,
 *   unfinished, not polished, downhill, could be better, do better …), and
 * - a **disclaimer** of specifics by whoever wrote it down ("no specifics",
 *   "nothing concrete", "couldn't say what", "no product issues raised",
 *   "nothing wrong with the app", "no errors, no rage clicks").
 *
 * What decides is whether anything concrete is left once both are blanked:
 * problem evidence (evidence.ts) in the rest, a named feature, or a detail
 * one could check (a number with a unit, a version, a quoted label, an error
 * code). "The calendar sync is so slow it takes 10 minutes" keeps a feature
 * and a number; "The app is slow. Please make it faster." keeps nothing but
 * "slow". The blanking matters: evidence.ts reads "no errors" and "nothing
 * wrong with the app" as problem words. A cue the learned model weighs
 * (triage-model.ts); linear time (plain alternations, one replace each).
 */
import { namesFeature, problemEvidence } from "./evidence";

/** an evaluation of the whole thing, not of what it does */
const EVALUATION =
  /\b(?:bad|terrible|horrible|awful|worst|useless|garbage|trash|rubbish|junk|crap|sucks?|pathetic|ridiculous|a joke|a mess|meh|hate|frustrat\w*|annoy\w*|disappoint\w*|unhappy|not happy|(?:not|less than) (?:satisfied|impressed)|dissatisfied|(?:a )?let ?down|fed up|buggy|unreliable|unstable|flaky|clunky|confusing|unfinished|half-baked|unpolished|(?:not|less) (?:as )?polished|downhill|(?:gotten|getting|got|gone) worse|not what it used to be|not the (?:app|product|tool|service) it used to be|(?:could|should) be (?:a lot |much |way )?better|do better|(?:overall|general) (?:quality|reliability|experience|performance)|in general|(?:one|1|two|2) stars?|didn'?t meet (?:our|my) needs|not worth\b[^.!?\n]{0,20})\b/gi;

/** the writer says there is nothing specific: a note about a customer, a survey answer, a replay summary */
const DISCLAIMER =
  /\b(?:no (?:specifics|details|examples?)|no (?:specific|concrete|particular|actual|real|product|technical) (?:issues?|problems?|bugs?|errors?|complaints?|examples?|details|feedback)(?: (?:given|named|raised|mentioned|reported|found|seen))?|nothing (?:concrete|specific|in particular|actionable)|nothing (?:is )?wrong with (?:the|your|our|my) (?:app|product|tool|service|software)|no (?:issues?|problems?) with (?:the|your|our|my) (?:app|product|tool|service|software)|(?:couldn'?t|could not|can'?t|cannot|can not|nobody (?:can|could)|no one (?:can|could)|didn'?t|did not|unable to|wouldn'?t|would not) (?:say|name|tell (?:us|me)?|point (?:to|at)|explain|give (?:us |me )?(?:an? )?)\s?(?:what|which|why|anything|examples?|specifics|details)|not sure what exactly|not sure what else to (?:say|tell|add)|can'?t put (?:my|a) finger on|none given|(?:no|without) (?:errors?|crash(?:es)?|rage clicks|dead clicks|exceptions?|failures?|failed requests|console errors|bugs?)(?:,| or| and| nor) (?:no )?(?:errors?|crash(?:es)?|rage clicks|dead clicks|exceptions?|failures?|failed requests|console errors|bugs?)|no errors? (?:from|on) (?:our|the) side)\b/gi;

/** a detail someone could check: a number with a unit, a version, a quoted label, an error code, a path */
const DETAIL =
  /\b\d+(?:[.,]\d+)?\s?(?:%|ms|s|sec(?:onds?)?|min(?:utes?)?|h(?:ours?)?|days?|kb|mb|gb|px|rows?|items?|times?|x|clicks?|pages?|files?)\b|\bv?\d+\.\d+(?:\.\d+)?\b|(?:^|[\s(:])['"‘“][^'"’”\n]{2,40}['"’”]|`[^`\n]{2,80}`|\b(?:[45]\d\d|err_\w+|[A-Z][a-z]+Error)\b|\/[a-z][\w/-]{1,40}/;

export type Unspecific = "none" | "evaluation" | "disclaimer" | "both";

/** whether `text` judges without specifics, and what is concrete once the judgement and disclaimers are blanked */
export function unspecific(text: string): { kind: Unspecific; evidence: boolean; named: boolean; detail: boolean } {
  EVALUATION.lastIndex = 0;
  DISCLAIMER.lastIndex = 0;
  const evaluation = EVALUATION.test(text);
  const disclaimer = DISCLAIMER.test(text);
  if (!evaluation && !disclaimer) return { kind: "none", evidence: false, named: false, detail: false };
  const rest = text.replace(DISCLAIMER, " ").replace(EVALUATION, " ");
  return {
    kind: evaluation && disclaimer ? "both" : evaluation ? "evaluation" : "disclaimer",
    evidence: problemEvidence(rest).length > 0,
    named: namesFeature(rest),
    detail: DETAIL.test(rest),
  };
}

/** `unspecific:<kind>` and `unspecific:<kind>&concrete:<0|1>` (anything concrete left: evidence, a named feature or a detail), or nothing */
export function unspecificCues(text: string): string[] {
  const u = unspecific(text);
  if (u.kind === "none") return [];
  return [`unspecific:${u.kind}`, `unspecific:${u.kind}&concrete:${u.evidence || u.named || u.detail ? 1 : 0}`];
}
