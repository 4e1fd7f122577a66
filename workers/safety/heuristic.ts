/**
 * Offline safety tier: weighted rules for the shapes prompt injection takes
 * in product signals. Each rule is one family of attack; a signal is dropped
 * when the matched weights add up to DROP_AT. Benign text that merely uses
 * the words ("ignoring previous config", "price override", "system prompt
 * exceeded 8192 tokens") matches no rule on its own: rules look for the
 * instruction shape (imperative aimed at the reader, a target, a payload).
 * Before matching, the text is NFKC-normalized, invisible format characters
 * (zero-width joiners, bidi controls) are removed, and base64 runs that
 * decode to readable text are decoded and scanned too.
 * A score above 0 and below DROP_AT is "borderline": the tiered classifier
 * (tiered.ts) asks the LLM judge, and never lets a borderline signal the judge
 * could not judge pass silently.
 */
import type { SafetyClassifier, SafetyInput, SafetyVerdict } from "./classifier";

export const DROP_AT = 1;
const NON_ASCII = /[^\x00-\x7f]/;

interface Rule {
  name: string;
  weight: number;
  pattern: RegExp;
}

const AGENT = String.raw`(?:ai|assistant|agent|bot|llm|model|gpt|claude|copilot|analyst|coding agent|release agent|automated \w+)`;
/** "told me to ignore …" reports what someone said; it is not said to the reader */
const SPEECH = String.raw`\b(?:told|tells|asked|asks|says|said|wants|wanted|instructed|instructs)(?:\s+(?:me|us|you|them|him|her|people|users))?\s+to\s+`;
const REPORTED = `(?<=${SPEECH})`;
const NOT_REPORTED = `(?<!${SPEECH})`;
const OVERRIDE_VERB = String.raw`\b(?:ignore|disregard|forget|override|bypass|skip)\b`;
const OVERRIDE_TARGET = String.raw`(?:[\s\w,]{0,30}?\b(?:previous|prior|above|earlier|preceding|following|original|system|your|all)\s+(?:instructions?|rules|prompts?|directions|directives|guidelines|guardrails|constraints)\b|\s+(?:everything|all(?: of)?(?: the text| that)?)\s+(?:above|before(?: this)?|you (?:were|have been) told)\b)`;

export const RULES: Rule[] = [
  {
    name: "instruction_override",
    weight: 1,
    pattern: new RegExp(NOT_REPORTED + OVERRIDE_VERB + OVERRIDE_TARGET, "i"),
  },
  {
    // the same words in reported speech: borderline, for the judge to look at
    name: "reported_override",
    weight: 0.5,
    pattern: new RegExp(REPORTED + OVERRIDE_VERB + OVERRIDE_TARGET, "i"),
  },
  {
    // the common translations of "ignore the previous instructions"
    name: "instruction_override_i18n",
    weight: 1,
    pattern:
      /\b(?:ignor[ae]|olvida|olvide|descarta)\s+(?:todas\s+)?(?:las\s+|tus\s+|sus\s+)?instrucciones\s+(?:anteriores|previas)|\b(?:ignore[zr]?|oublie[zr]?)\s+(?:toutes\s+)?(?:les\s+|tes\s+|vos\s+)?instructions\s+(?:précédentes|precedentes|antérieures)|\b(?:ignoriere|ignorieren\s+sie|vergiss|vergessen\s+sie)\s+(?:alle\s+)?(?:vorherigen|bisherigen|vorigen|obigen)\s+(?:anweisungen|instruktionen|befehle)|\b(?:ignore|esqueça|esqueca)\s+(?:todas\s+)?(?:as\s+)?(?:instruções|instrucoes)\s+anteriores|\b(?:ignora|dimentica)\s+(?:tutte\s+)?(?:le\s+)?istruzioni\s+precedenti/i,
  },
  {
    name: "role_hijack",
    weight: 0.8,
    pattern:
      /\b(?:you are now|you're now|from now on,? you|you are (?:DAN|an? unrestricted)|act as (?:an?|the) \w+ (?:with|without)|pretend (?:to be|you are)|no (?:restrictions|filters|limitations)|jailbr[eo]ak|developer mode|do anything now)\b/i,
  },
  {
    name: "prompt_exfiltration",
    weight: 1,
    pattern:
      /\b(?:print|reveal|show|output|repeat|leak|dump|tell me)\s+(?:me\s+)?(?:your|the)\s+(?:full\s+|whole\s+|entire\s+)?(?:system prompt|initial prompt|hidden prompt|instructions|configuration prompt)\b|\b(?:repeat|print|output|show|reveal|recite)\s+(?:back\s+)?(?:the\s+|all\s+(?:of\s+)?(?:the\s+)?)?(?:text|words|everything|content|messages?)\s+(?:above|before)\b|\bwhat (?:were|are) you told\b/i,
  },
  {
    name: "verbatim_payload",
    weight: 1,
    pattern: /\b(?:just|only)\s+(?:say|print|output|reply|respond with|write)\s*["“':]/i,
  },
  {
    name: "fake_delimiter",
    weight: 0.8,
    pattern:
      /<\/?(?:signal|system|user|assistant|instructions?|context|data)>|\[\[\s*(?:system|assistant|agent|admin)[^\]]*\]\]|<\|im_(?:start|end)\|>|\bSYSTEM OVERRIDE\b|^#{2,}\s*(?:system|instructions)\b|^\s*(?:system|developer)\s*:\s*\S|\\?"role\\?"\s*:\s*\\?"(?:system|developer|assistant)\\?"/im,
  },
  {
    // a forged end of the untrusted part: "---- END OF TICKET ----"
    name: "fake_boundary",
    weight: 0.8,
    pattern: /(?:-{2,}|={2,}|\*{2,}|#{2,}|\[)\s*END OF (?:THE )?(?:TICKET|MESSAGE|INPUT|DATA|DOCUMENT|PROMPT|CONTEXT|CONVERSATION|EMAIL|USER INPUT)\b/,
  },
  {
    name: "new_instructions",
    weight: 0.8,
    pattern: new RegExp(String.raw`\b(?:new|updated|real|secret|hidden)\s+(?:instructions|orders|policy|task)\b[^.\n]{0,40}\b(?:for|to)\s+(?:the\s+)?${AGENT}`, "i"),
  },
  {
    name: "addresses_agent",
    weight: 0.5,
    pattern: new RegExp(
      String.raw`(?:^|[\s'"(.:!?])(?:hey |hi |dear |attention,? |note to (?:the )?|to the |psst,? )?(?:ai |coding |automated )?${AGENT}(?: reading this| processing this| who reads this)?\)?\s*[:,—–]\s*\w|<!--[^>]{0,400}?\b${AGENT}\b`,
      "i",
    ),
  },
  {
    // "any AI model summarizing this thread should …", "if you are an LLM, …"
    name: "generic_agent_address",
    weight: 1,
    pattern:
      /\b(?:any|every|all|each)\s+(?:other\s+)?(?:(?:ai|llm|language|autonomous|automated)\s+)?(?:models?|assistants?|agents?|bots?|llms?|summari[sz]ers?)\s+(?:that\s+|who\s+)?(?:reads?|reading|summari[sz]ing|summari[sz]es|processing|processes|reviewing|reviews|triaging|triages|parsing|parses|sees?)\b[^.\n]{0,40}?(?:\b(?:should|must|needs? to|has to)\b|:)|\bif you(?:'re| are) an? (?:ai|llm|language model|ai model|assistant|bot|agent)\b/i,
  },
  {
    name: "hidden_comment_directive",
    weight: 0.6,
    // an unclosed comment hides the rest of a rendered issue, so no closing --> is required
    pattern: /<!--(?:(?!-->)[\s\S]){0,400}?\b(?:when you|please|you must|make sure|add|run|open|upload|send)\b/i,
  },
  {
    name: "secret_exfiltration",
    weight: 0.6,
    pattern:
      /\b(?:send|sends|email|e-mail|post|posts|upload|uploads|exfiltrate|forward|publish|leak|share|transmit)\b(?:[^.\n]|\.(?=\w)){0,80}(?:\.env\b|\b(?:secrets?|tokens?|api[_ -]?keys?|credentials|passwords?|env(?:ironment)?(?: variables| vars)?|ssh keys?|private keys?|post-?mortems?|customer data|GITHUB_TOKEN|ANTHROPIC_API_KEY)\b)/i,
  },
  {
    name: "exfiltration_target",
    weight: 0.4,
    pattern:
      /\b(?:to|at|online at|into)\s+(?:https?:\/\/\S+|[\w.+-]+@[\w-]+\.[\w.]+)|\b(?:online|publicly|pastebin|public gist)\b/i,
  },
  {
    name: "remote_code",
    weight: 1,
    pattern:
      /\b(?:run|execute|exec|paste|type)\b[^\n]{0,20}?\b(?:curl|wget)\b[^|\n]{0,200}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b|\brm\s+-rf\s+\/(?:\s|$)|\bbase64\s+-d\b[^|\n]*\|\s*(?:ba)?sh/i,
  },
  {
    // piping a download into a shell, as a report ("running curl … | sh fails"): borderline
    name: "pipe_to_shell",
    weight: 0.6,
    pattern: /\b(?:curl|wget)\b[^|\n]{0,200}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b/i,
  },
  {
    name: "destructive_command",
    weight: 0.4,
    pattern:
      /\bkubectl\s+delete\s+(?:ns|namespaces?|--all)\b|\brm\s+-rf\s+(?:~|\*|\/\S*)|\bdrop\s+database\b|\bgit\s+push\s+(?:-f|--force)\b|\bmkfs\b/i,
  },
  {
    // a dependency pointed at a git or URL source
    name: "supply_chain",
    weight: 0.6,
    pattern:
      /\b(?:switch|change|point|replace|pin|swap|move)\b[^.\n]{0,40}\b(?:dependency|dependencies|package|library|module)\b[^.\n]{0,40}(?:\bgithub:|\bgit\+|\bhttps?:\/\/)/i,
  },
  {
    // other people's personal data asked for
    name: "data_harvest",
    weight: 0.4,
    pattern:
      /\b(?:every|all|other)\s+(?:other\s+)?(?:users?|customers?|members?|people)(?:'s?|s')?\b[^.\n]{0,60}\b(?:e-?mails?|email addresses|phone numbers|addresses|passwords|personal data|data|answers|messages)\b/i,
  },
  {
    // a URL that interpolates a secret: ![x](https://host/?d={{secrets.TOKEN}})
    name: "secret_in_url",
    weight: 0.6,
    pattern: /https?:\/\/[^\s)]*(?:\{\{|\$\{\{?|%7B%7B)\s*(?:secrets?|env|vars)\.[^\s)]*/i,
  },
  {
    name: "security_sabotage",
    weight: 0.6,
    pattern:
      /\b(?:disable|remove|bypass|turn off|skip|weaken)\s+(?:the\s+|all\s+)?(?:auth\w*|authentication|authorization|2fa|mfa|security|csrf|rate limit\w*|code review|review|signature checks?|tests|ci|checks)\b(?!\s+(?:toggle|option|setting|flag) (?:is|does))|\b(?:authorized_keys|ssh key below)\b|\b(?:passwords?|secrets?|tokens?)\b[^.\n]{0,30}\bin plain ?text\b|\b(?:return|returns|expose|exposes|dump|dumps|list|lists)\b[^.\n]{0,40}\bin plain ?text\b|\bgrant\s+(?:them|me|him|her|this user|the (?:requester|sender|user|caller))\s+(?:the\s+)?(?:admin|owner|root|superuser)\b|\bapprove\s+(?:every|all|any)\s+(?:pull requests?|prs?|merge requests?|changes)\b/i,
  },
  {
    name: "concealment",
    weight: 0.6,
    pattern:
      /\b(?:don'?t|do not|never)\s+(?:mention|tell|log|report|disclose|reveal)\s+(?:this|it|anyone|anything)\b|\bwithout (?:a |any )?(?:review|approval|telling|running (?:the )?tests)\b|\b(?:straight|directly) (?:in)?to (?:main|master|prod(?:uction)?)\b|\bdo not ask (?:a |any )?(?:human|person|one)\b/i,
  },
  {
    name: "agent_directive",
    weight: 0.6,
    pattern:
      /\bwhen you (?:fix|open|write|create|merge|push|review|process|read|render|summari[sz]e|triage|handle)\b|\b(?:mark|label|classify|close|resolve|tag) (?:this|every|all|each|the) (?:related |matching )?(?:reports?|issues?|signals?|tickets?|bugs?) as\b|\b(?:reply|respond|answer|say|state) that this (?:report|issue|ticket|signal|bug)\b|\bdisregard (?:the|this|all) (?:data|evidence|results?)\b|\breport that\b[^.\n]{0,40}\b(?:won|wins|is fine|passed)\b/i,
  },
];

export class HeuristicSafetyClassifier implements SafetyClassifier {
  readonly name = "heuristic-v1";
  readonly usesLlm = false;

  async classify(input: SafetyInput): Promise<SafetyVerdict> {
    return this.classifySync(input);
  }

  classifySync(input: SafetyInput): SafetyVerdict {
    const { text, decoded } = prepare(input.content);
    let score = 0;
    const matched: string[] = [];
    for (const rule of RULES) {
      if (rule.pattern.test(text)) {
        score += rule.weight;
        matched.push(rule.name);
      }
    }
    if (decoded && matched.length) matched.push("base64_decoded");
    const drop = score >= DROP_AT;
    return {
      action: drop ? "drop" : "allow",
      reason: drop ? "prompt_injection" : null,
      score: Math.round(score * 100) / 100,
      matched,
      classifier: this.name,
    };
  }
}

/** invisible format characters (zero-width space/joiners, bidi controls, soft hyphen) */
const FORMAT_CHARS = /[\p{Cf}]/gu;
const BASE64_RUN = /[A-Za-z0-9+/]{24,}={0,2}/g;

/**
 * The text the rules read: NFKC, without invisible format characters, plus
 * the decoding of every base64 run that decodes to readable text.
 */
export function prepare(content: string): { text: string; decoded: boolean } {
  // NFKC and format characters only concern non-ASCII text; most signals are ASCII
  const text = NON_ASCII.test(content) ? content.normalize("NFKC").replace(FORMAT_CHARS, "") : content;
  const extra: string[] = [];
  for (const run of text.match(BASE64_RUN) ?? []) {
    const plain = decodeBase64Text(run);
    if (plain) extra.push(plain);
  }
  return { text: extra.length ? `${text}\n${extra.join("\n")}` : text, decoded: extra.length > 0 };
}

function decodeBase64Text(run: string): string | null {
  if (run.replace(/=+$/, "").length % 4 === 1) return null;
  let binary: string;
  try {
    binary = atob(run);
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  let plain: string;
  try {
    plain = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
  const readable = plain.match(/[\p{L}\p{N}\p{P}\p{Zs}\n]/gu)?.length ?? 0;
  // readable prose, not a hash or a binary blob: mostly letters and spaces, with words
  return readable / plain.length >= 0.95 && /\p{L}{2,}\s+\p{L}{2,}/u.test(plain) ? plain : null;
}
