/**
 * A message that asks the vendor something — how to do a thing ("how do I
 * add an admin?", "is there a way to …", "what's the difference between …",
 * "¿cómo puedo …?") or to do a thing by hand ("can you reset my 2FA?",
 * "please add our PO number to invoices", "we'd like to pause the
 * subscription") — and whether it also says something fails. An ask with no
 * failure is a support or account request, not a defect; an ask with one ("how
 * do I stop clients booking in the past? yesterday one did") may be a report.
 * The user's own search ("couldn't find it in the menu", "can't figure out
 * how") is not a failure of the product and is blanked first. A cue the
 * learned model weighs (triage-model.ts); linear time (plain alternations).
 */
import { problemEvidence } from "./evidence";

/** a question at the text start or a sentence/line start (after an @handle, "Subject:", "Comment:", a greeting) */
const QUESTION =
  /(?:^|[\n.!?:—–]\s{0,3}|@\w{1,40}\s{1,3}|\b(?:hi|hello|hey|hallo|hola|bonjour)\b[^\n.!?]{0,20}?[,!]\s{0,3})(?:¿\s{0,2})?(?:how (?:do|can|would|should|to|does)|where (?:do|can|is|are|does)|what(?:'s| is| are)? (?:the (?:difference|best|recommended|right|easiest)|happens)|which \w+ (?:should|do|can)|is there (?:a|an|any)|are there (?:any )?|is it possible|can (?:i|we)|could (?:i|we)|do you (?:have|offer|support|provide)|does (?:this|it|the app|anyone)|any way to|what does \w+ mean|c[oó]mo|wie (?:kann|funktioniert|geht)|comment (?:faire|puis|peut))\b/i;

/** a request for something done by hand: a reset, a merge, a change to the account or the bill */
const MANUAL_ASK =
  /\b(?:(?:can|could|would) you(?: please)?|please|pls|kindly)\s{1,3}(?:reset|unlock|restore|recover|merge|add(?! (?:an? |the |some )?(?:\w+ )?(?:option|way|setting|feature|button|toggle|filter|field|column|colou?r|view|support|integration|export|report)s?\b)|remove|change|switch|send|bump|raise|increase|extend|cancel|pause|refund|confirm|move|transfer|update|delete|stop charging|issue|reissue|resend|upgrade|downgrade|do)\b|\b(?:i|we)(?:'d| would) like to (?:switch|change|cancel|upgrade|downgrade|pause|add|remove|transfer)\b|\b(?:i|we) (?:need|want) to (?:add|remove|switch|change|upgrade|downgrade|pause|cancel)\b/i;

/** the user's own search, not the product failing */
const OWN_SEARCH = /\b(?:couldn'?t|could not|can'?t|cannot|didn'?t|did not|unable to) (?:find|figure out|see how|work out|locate)\b|\b(?:not sure|no idea) (?:how|where|what)\b/gi;

/** what a how-to framing of a defect says beyond problem words: a change ("used to", "since the update", "no longer"), "still", "instead", "even though", "never there" */
const FAILURE_HINT = /\b(?:used to|since (?:the|last|yesterday|v?\d)|still|instead|anymore|no longer|never|even though|but (?:it|they|the|nothing|now)|managed to)\b/i;

/** `ask:<question|manual|both>&failure:<0|1>`, or nothing when the text asks nothing */
export function askCues(text: string): string[] {
  const question = QUESTION.test(text);
  const manual = MANUAL_ASK.test(text);
  if (!question && !manual) return [];
  const own = text.replace(OWN_SEARCH, " ");
  const failure = problemEvidence(own).length > 0 || FAILURE_HINT.test(own);
  const kind = question && manual ? "both" : question ? "question" : "manual";
  return [`ask:${kind}&failure:${failure ? 1 : 0}`];
}
