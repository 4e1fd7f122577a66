/**
 * The safety classifier a deployment asks for through its environment: the
 * offline tier (rules and the learned model) alone when no ANTHROPIC_API_KEY
 * is set (the embedded default), else the tiered classifier with the LLM
 * judge behind it.
 *
 *   SAFETY_LEARNED_MODEL     on (default) | off: the rules alone
 *   ANTHROPIC_API_KEY        secret; turns the judge on
 *   SAFETY_JUDGE             offline | anthropic (default: anthropic with ANTHROPIC_API_KEY): offline
 *                           keeps the offline tier alone although the key is set (e.g. a key meant
 *                           for the fix agent only)
 *   ANTHROPIC_BASE_URL       optional (a gateway, or a local fake in tests)
 *   SAFETY_JUDGE_MODEL       default claude-haiku-4-5
 *   SAFETY_JUDGE_POLICY      borderline | all | public | public_or_borderline (default borderline:
 *                           only what the offline tier could not clear)
 *   SAFETY_JUDGE_ON_FAILURE  drop_borderline | drop | allow | throw (default drop_borderline)
 *   SAFETY_JUDGE_TIMEOUT_MS  per HTTP attempt (default 20000)
 *
 * And the report judge (report-judge.ts), which reads a whole report before
 * research:
 *   REPORT_JUDGE             offline | anthropic (default: anthropic with ANTHROPIC_API_KEY, else offline)
 *   REPORT_JUDGE_MODEL       default claude-haiku-4-5
 *   REPORT_JUDGE_POLICY      borderline (default: the model only for a report the offline readers could
 *                           not clear) | all (every report the offline judge lets through)
 */
import { LlmSafetyJudge } from "./llm-judge";
import { LlmReportJudge, REPORT_JUDGE_POLICIES, type ReportJudgePolicy } from "./llm-report-judge";
import { OfflineSafetyClassifier } from "./offline";
import { OfflineReportJudge, type ReportJudge } from "./report-judge";
import { JUDGE_POLICIES, ON_JUDGE_FAILURE, TieredSafetyClassifier, type JudgePolicy, type OnJudgeFailure } from "./tiered";

export interface SafetyEnv {
  SAFETY_LEARNED_MODEL?: string;
  SAFETY_JUDGE?: string;
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  SAFETY_JUDGE_MODEL?: string;
  SAFETY_JUDGE_POLICY?: string;
  SAFETY_JUDGE_ON_FAILURE?: string;
  SAFETY_JUDGE_TIMEOUT_MS?: string;
  REPORT_JUDGE?: string;
  REPORT_JUDGE_MODEL?: string;
  REPORT_JUDGE_POLICY?: string;
}

export class SafetyConfigError extends Error {}

const tiers = new Map<boolean, OfflineSafetyClassifier>();

/** The offline tier the environment asks for (one per isolate and setting). */
export function offlineSafetyFromEnv(env: Pick<SafetyEnv, "SAFETY_LEARNED_MODEL">): OfflineSafetyClassifier {
  const setting = env.SAFETY_LEARNED_MODEL?.trim() || "on";
  if (setting !== "on" && setting !== "off") throw new SafetyConfigError(`SAFETY_LEARNED_MODEL must be on or off, not '${setting}'`);
  const on = setting === "on";
  let tier = tiers.get(on);
  if (!tier) tiers.set(on, (tier = new OfflineSafetyClassifier(on ? {} : { learned: null })));
  return tier;
}

export function safetyClassifierFromEnv(env: SafetyEnv, opts: { fetch?: typeof fetch } = {}): TieredSafetyClassifier {
  const policy = env.SAFETY_JUDGE_POLICY?.trim() || "borderline";
  if (!(JUDGE_POLICIES as readonly string[]).includes(policy)) {
    throw new SafetyConfigError(`SAFETY_JUDGE_POLICY must be one of ${JUDGE_POLICIES.join(", ")}, not '${policy}'`);
  }
  const onFailure = env.SAFETY_JUDGE_ON_FAILURE?.trim() || "drop_borderline";
  if (!(ON_JUDGE_FAILURE as readonly string[]).includes(onFailure)) {
    throw new SafetyConfigError(`SAFETY_JUDGE_ON_FAILURE must be one of ${ON_JUDGE_FAILURE.join(", ")}, not '${onFailure}'`);
  }
  const timeoutMs = env.SAFETY_JUDGE_TIMEOUT_MS ? Number(env.SAFETY_JUDGE_TIMEOUT_MS) : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new SafetyConfigError("SAFETY_JUDGE_TIMEOUT_MS must be a positive number");
  const face = env.SAFETY_JUDGE?.trim() || "anthropic";
  if (face !== "offline" && face !== "anthropic") throw new SafetyConfigError(`SAFETY_JUDGE must be offline or anthropic, not '${face}'`);
  const apiKey = face === "anthropic" ? env.ANTHROPIC_API_KEY?.trim() : undefined;
  const judge = apiKey
    ? new LlmSafetyJudge({
        apiKey,
        baseURL: env.ANTHROPIC_BASE_URL?.trim() || undefined,
        model: env.SAFETY_JUDGE_MODEL?.trim() || undefined,
        timeoutMs,
        fetch: opts.fetch,
      })
    : null;
  return new TieredSafetyClassifier({ offline: offlineSafetyFromEnv(env), judge, judgeWhen: policy as JudgePolicy, onJudgeFailure: onFailure as OnJudgeFailure });
}

/** The report judge the environment asks for: the offline face, or the offline face then an Anthropic model. */
export function reportJudgeFromEnv(env: SafetyEnv, opts: { fetch?: typeof fetch } = {}): ReportJudge {
  const apiKey = env.ANTHROPIC_API_KEY?.trim();
  const asked = env.REPORT_JUDGE?.trim() || (apiKey ? "anthropic" : "offline");
  if (asked !== "offline" && asked !== "anthropic") throw new SafetyConfigError(`REPORT_JUDGE must be offline or anthropic, not '${asked}'`);
  const offline = new OfflineReportJudge(offlineSafetyFromEnv(env));
  if (asked === "offline") return offline;
  if (!apiKey) throw new SafetyConfigError("REPORT_JUDGE=anthropic needs ANTHROPIC_API_KEY");
  const policy = env.REPORT_JUDGE_POLICY?.trim() || "borderline";
  if (!(REPORT_JUDGE_POLICIES as readonly string[]).includes(policy)) {
    throw new SafetyConfigError(`REPORT_JUDGE_POLICY must be one of ${REPORT_JUDGE_POLICIES.join(", ")}, not '${policy}'`);
  }
  const timeoutMs = env.SAFETY_JUDGE_TIMEOUT_MS ? Number(env.SAFETY_JUDGE_TIMEOUT_MS) : undefined;
  return new LlmReportJudge(offline, {
    apiKey,
    baseURL: env.ANTHROPIC_BASE_URL?.trim() || undefined,
    model: env.REPORT_JUDGE_MODEL?.trim() || undefined,
    timeoutMs: timeoutMs !== undefined && timeoutMs > 0 ? timeoutMs : undefined,
    fetch: opts.fetch,
    policy: policy as ReportJudgePolicy,
  });
}
