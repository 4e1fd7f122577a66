/**
 * The shapes of an instruction aimed at the pipeline's reader (the research
 * agent, the fixer, the model summarizing a report), as opposed to text about
 * a product. Five families, each a phrase an attacker needs and an ordinary
 * signal rarely has:
 *  - override:   "ignore the above", "disregard what came before", "forget
 *                the previous instructions" (not "ignore my earlier email")
 *  - redirect:   "instead reply / print / list …", "instead of fixing this, tell me …"
 *  - reply_with: "reply with", "respond only with", "in your next reply"
 *  - exfiltrate: a disclosure verb and a secret the reader holds: "print your
 *                environment variables", "the contents of process.env",
 *                "reveal the system prompt", "send me the API keys"
 *  - addressed:  the reader named as a machine: "assistant, …", "as an AI",
 *                "whoever processes this", "when you read this"
 * One family is common in benign text ("please reply with an ETA", "I tried
 * to ignore the warning" matches none); the report judge (report-judge.ts)
 * calls a text an instruction when two families meet, or one meets the
 * offline safety tier's suspicion.
 *
 * Linear time: every pattern reads a bounded stretch from each start (gaps
 * are `{0,n}` over a class that excludes the stop characters), and `scan`
 * runs each global pattern once over the text.
 */

export const FAMILIES = ["override", "redirect", "reply_with", "exfiltrate", "addressed"] as const;
export type Family = (typeof FAMILIES)[number];

const DISCLOSE = String.raw`(?:reply with|respond with|answer with|print|output|list|send|reveal|show|tell me|tell us|give me|give us|dump|share|post|paste|return|echo|leak|expose|write out|read out|display|cat|include)`;
/** what the reader holds and only an attacker asks for, whoever it belongs to */
const READER_SECRET = String.raw`(?:environment\s+variables?|env(?:ironment)?\s*vars?|env\s+file|\.env\b|process\.env|os\.environ|system\s+prompt|(?:initial|hidden|original|full)\s+(?:prompt|instructions)|instructions\s+you\s+(?:were|have\s+been)\s+given)`;
/** secrets a product has too ("list the API keys' last use"): only when they are the reader's */
const SECRET = String.raw`(?:${READER_SECRET}|api[\s_-]*keys?|secrets?|credentials|access\s+tokens?|auth(?:entication)?\s+tokens?|tokens?|passwords?|private\s+keys?|ssh\s+keys?|config(?:uration)?\s+secrets)`;

const PATTERNS: Record<Family, RegExp> = {
  override: new RegExp(
    String.raw`\b(?:ignore|disregard|forget|skip|discard)\s+(?:(?:all|any|everything)\s+(?:of\s+)?)?(?:the\s+|your\s+|that\s+)?(?:above|(?:previous|prior|earlier|preceding)\s+(?:instructions?|prompts?|rules|directions|context)|foregoing|text\s+above|what\s+(?:came|was\s+(?:said|written))\s+(?:before|above)|what\s+you\s+(?:were|have\s+been)\s+told|(?:your\s+)?instructions|rules\s+you)\b`,
    "gi",
  ),
  redirect: new RegExp(
    String.raw`\binstead\b(?:\s+of\s+[^.\n]{0,60}?[,;:])?[\s,;:]{0,4}(?:please\s+|just\s+|only\s+|simply\s+)?(?:reply|respond|answer|print|output|list|send|return|show|reveal|tell|write|say|give|dump|post|paste|echo|run|execute|include)\b`,
    "gi",
  ),
  reply_with: new RegExp(String.raw`\b(?:reply|respond|answer)\s+(?:back\s+)?(?:only\s+|just\s+)?with\b|\bin\s+your\s+(?:next\s+|final\s+)?(?:reply|response|answer|output|summary)\b`, "gi"),
  exfiltrate: new RegExp(
    String.raw`\b${DISCLOSE}\b[^.\n]{0,40}?\b(?:(?:all\s+(?:of\s+)?)?your\s+(?:own\s+|current\s+|loaded\s+)?${SECRET}|(?:the\s+|all\s+(?:of\s+)?(?:the\s+)?|every\s+|any\s+)?(?:full\s+)?contents?\s+of\s+(?:your\s+|the\s+)?${SECRET}|(?:the|all|every|any)\s+(?:current\s+|loaded\s+)?${READER_SECRET})|\b${DISCLOSE}\b[^.\n]{0,40}?(?:process\.env|os\.environ|\$ENV\b|printenv)`,
    "gi",
  ),
  addressed: new RegExp(
    String.raw`\bas\s+an?\s+(?:ai|assistant|language\s+model|llm|agent)\b|\b(?:if|when)\s+you(?:'re|\s+are)\s+an?\s+(?:ai|assistant|language\s+model|llm|agent|bot)\b|\b(?:dear|hey|hi|attention|note\s+to(?:\s+the)?)\s*(?:,\s*)?(?:ai|assistant|agent|bot|llm|model|claude|gpt|copilot)\b|(?:^|[\s"'(])(?:ai|assistant|agent|llm|claude|gpt|copilot)\s*[,:]\s*(?:please\s+)?(?:ignore|reply|respond|print|list|tell|send|reveal|output|show|give|stop|forget|run|execute|do\b)|\b(?:whoever|whatever|anyone|anything)\s+(?:is\s+)?(?:reads?|reading|process(?:es|ing)?|pars(?:es|ing)|summari[sz](?:es|ing))\s+this\b|\bwhen\s+you\s+(?:answer|reply\s+to|read|process|summari[sz]e|triage|handle|see)\s+this\b`,
    "gi",
  ),
};

export interface FamilyMatch {
  family: Family;
  start: number;
  end: number;
}

/** Every family's matches in `text`, in order of start (one pass per pattern). */
export function scan(text: string): FamilyMatch[] {
  const out: FamilyMatch[] = [];
  for (const family of FAMILIES) {
    const re = PATTERNS[family];
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      out.push({ family, start: m.index, end: m.index + m[0].length });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** The distinct families in `text`. */
export function families(text: string): Set<Family> {
  const found = new Set<Family>();
  for (const family of FAMILIES) {
    const re = PATTERNS[family];
    re.lastIndex = 0;
    if (re.test(text)) found.add(family);
  }
  return found;
}
