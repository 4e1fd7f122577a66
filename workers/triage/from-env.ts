/**
 * The triage classifier a deployment asks for through its environment: the
 * offline rules alone (the default, with or without a key), or, with
 * TRIAGE_JUDGE=anthropic and ANTHROPIC_API_KEY, the rules with the LLM triage
 * judge as a second opinion on their drops (tiered.ts). Off by default: it
 * costs ~17 calls per 1,000 signals on the grouping bench's stream, above
 * what the cost target leaves, and noise is kept with its reason anyway.
 *
 *   TRIAGE_JUDGE         offline (default) | anthropic
 *   TRIAGE_JUDGE_MODEL   default claude-haiku-4-5
 */
import { LlmTriageJudge } from "./llm-triage";
import { TieredTriageClassifier } from "./tiered";

export interface TriageEnv {
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  TRIAGE_JUDGE?: string;
  TRIAGE_JUDGE_MODEL?: string;
}

export class TriageConfigError extends Error {}

export function triageClassifierFromEnv(env: TriageEnv, opts: { fetch?: typeof fetch } = {}): TieredTriageClassifier {
  const apiKey = env.ANTHROPIC_API_KEY?.trim();
  const asked = env.TRIAGE_JUDGE?.trim() || "offline";
  if (asked !== "anthropic" && asked !== "offline") throw new TriageConfigError(`TRIAGE_JUDGE must be anthropic or offline, not '${asked}'`);
  if (asked === "offline") return new TieredTriageClassifier(null);
  if (!apiKey) throw new TriageConfigError("TRIAGE_JUDGE=anthropic needs ANTHROPIC_API_KEY");
  return new TieredTriageClassifier(
    new LlmTriageJudge({ apiKey, baseURL: env.ANTHROPIC_BASE_URL?.trim() || undefined, model: env.TRIAGE_JUDGE_MODEL?.trim() || undefined, fetch: opts.fetch }),
  );
}
