/**
 * Offline safety tier: weighted rules for the shapes prompt injection takes
 * in product signals. Each rule is one family of attack; a signal is dropped
 * when the matched weights add up to DROP_AT. Benign text that merely uses
 * the words ("ignoring previous config", "price override", "system prompt
 * exceeded 8192 tokens") matches no rule on its own: rules look for the
 * instruction shape (imperative aimed at the reader, a target, a payload).
 */
import type { SafetyClassifier, SafetyInput, SafetyVerdict } from "./classifier";

export const DROP_AT = 1;

interface Rule {
  name: string;
  weight: number;
  pattern: RegExp;
}

const AGENT = String.raw`(?:ai|assistant|agent|bot|llm|model|gpt|claude|copilot|analyst|coding agent|release agent|automated \w+)`;

export const RULES: Rule[] = [
  {
    name: "instruction_override",
    weight: 1,
    pattern:
      /\b(?:ignore|disregard|forget|override|bypass|skip)\b[\s\w,]{0,30}?\b(?:previous|prior|above|earlier|preceding|following|original|system|your|all)\s+(?:instructions?|rules|prompts?|directions|directives|guidelines|guardrails|constraints)\b/i,
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
      /\b(?:print|reveal|show|output|repeat|leak|dump|tell me)\s+(?:me\s+)?(?:your|the)\s+(?:full\s+|whole\s+|entire\s+)?(?:system prompt|initial prompt|hidden prompt|instructions|configuration prompt)\b/i,
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
      /<\/?(?:signal|system|user|assistant|instructions?|context|data)>|\[\[\s*(?:system|assistant|agent|admin)[^\]]*\]\]|<\|im_(?:start|end)\|>|\bSYSTEM OVERRIDE\b|^#{2,}\s*(?:system|instructions)\b/im,
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
      String.raw`(?:^|[\s'"(.:!?])(?:hey |hi |dear |attention,? |note to (?:the )?|to the |psst,? )?(?:ai |coding |automated )?${AGENT}(?: reading this| processing this| who reads this)?\s*[:,—–]\s*\w|<!--[^>]*\b${AGENT}\b`,
      "i",
    ),
  },
  {
    name: "hidden_comment_directive",
    weight: 0.6,
    pattern: /<!--[\s\S]{0,400}?\b(?:when you|please|you must|make sure|add|run|open|upload|send)\b[\s\S]{0,400}?-->/i,
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
    pattern: /\b(?:curl|wget)\b[^|\n]{0,200}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b|\brm\s+-rf\s+\/(?:\s|$)|\bbase64\s+-d\b[^|\n]*\|\s*(?:ba)?sh/i,
  },
  {
    name: "security_sabotage",
    weight: 0.6,
    pattern:
      /\b(?:disable|remove|bypass|turn off|skip|weaken)\s+(?:the\s+|all\s+)?(?:auth\w*|authentication|authorization|2fa|mfa|security|csrf|rate limit\w*|code review|review|signature checks?|tests)\b(?!\s+(?:toggle|option|setting|flag) (?:is|does))|\b(?:authorized_keys|ssh key below)\b|\b(?:passwords?|secrets?|tokens?)\b[^.\n]{0,30}\bin plain ?text\b|\b(?:return|returns|expose|exposes|dump|dumps|list|lists)\b[^.\n]{0,40}\bin plain ?text\b/i,
  },
  {
    name: "concealment",
    weight: 0.6,
    pattern:
      /\b(?:don'?t|do not|never)\s+(?:mention|tell|log|report|disclose|reveal)\s+(?:this|it|anyone|anything)\b|\bwithout (?:any )?(?:review|approval|telling)\b|\bstraight (?:in)?to (?:main|master|prod(?:uction)?)\b/i,
  },
  {
    name: "agent_directive",
    weight: 0.6,
    pattern:
      /\bwhen you (?:fix|open|write|create|merge|push|review|process|read)\b|\b(?:mark|label|classify) this (?:report|issue|signal|ticket) as\b|\bdisregard (?:the|this|all) (?:data|evidence|results?)\b|\breport that\b[^.\n]{0,40}\b(?:won|wins|is fine|passed)\b/i,
  },
];

export class HeuristicSafetyClassifier implements SafetyClassifier {
  readonly name = "heuristic-v1";
  readonly usesLlm = false;

  async classify(input: SafetyInput): Promise<SafetyVerdict> {
    return this.classifySync(input);
  }

  classifySync(input: SafetyInput): SafetyVerdict {
    const text = input.content.normalize("NFKC");
    let score = 0;
    const matched: string[] = [];
    for (const rule of RULES) {
      if (rule.pattern.test(text)) {
        score += rule.weight;
        matched.push(rule.name);
      }
    }
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
