/**
 * Tiered safety: the offline tier first (rules and the learned model,
 * offline.ts; it drops what it drops), then the LLM judge for the signals it
 * let through, when a judge is configured and the policy selects the signal.
 * One verdict comes back; `classifier` names the tier that decided and
 * `matched` carries the rules, the model's probability when it was not low
 * (`learned:0.712`) and the judge's reason (`judge:<reason_code>`).
 *
 * Judge policy (`judgeWhen`):
 *  - "borderline" (default): only what the offline tier could not clear — a
 *    rule matched below the drop score, or the model's probability is at
 *    least its `uncertainAt` (a few percent of ordinary traffic), so the
 *    LLM is paid for what is new and unclear, not for every repeat;
 *  - "all": every signal the offline tier allowed (an LLM call per signal);
 *  - "public": only signals from sources outsiders can write to (tickets,
 *    issues, reviews, forms …, see PUBLIC_SOURCES);
 *  - "public_or_borderline": either.
 *
 * Fail-safe (`onJudgeFailure`), for a signal the judge could not judge
 * (malformed twice, refused, unavailable):
 *  - "drop_borderline" (default): drop it when the rules were borderline
 *    (score ≥ `borderlineAt`, default 0.5) or the model uncertain, else allow it with
 *    `judge_failed:<kind>` in `matched`, so it is never silently "benign";
 *  - "drop": drop every signal the judge could not judge;
 *  - "allow": keep the heuristic's decision;
 *  - "throw": throw `JudgeUnavailableError` (a queue consumer can retry the
 *    message later instead of deciding now).
 */
import type { SafetyClassifier, SafetyInput, SafetyVerdict } from "./classifier";
import type { JudgeFailure, JudgeOutput, SafetyJudge } from "./llm-judge";
import { OfflineSafetyClassifier, type OfflineVerdict } from "./offline";

export type JudgePolicy = "all" | "public" | "borderline" | "public_or_borderline";
export const JUDGE_POLICIES: readonly JudgePolicy[] = ["all", "public", "borderline", "public_or_borderline"];
export type OnJudgeFailure = "drop_borderline" | "drop" | "allow" | "throw";
export const ON_JUDGE_FAILURE: readonly OnJudgeFailure[] = ["drop_borderline", "drop", "allow", "throw"];

/** source_product values anyone outside the team can write to */
export const PUBLIC_SOURCES: readonly string[] = [
  "support", "zendesk", "intercom", "freshdesk", "helpscout", "front", "email", "feedback", "survey", "github", "gitlab",
  "app_store", "play_store", "reviews", "community", "forum", "discord", "chat", "posthog",
];

export interface TieredSafetyOptions {
  offline?: OfflineSafetyClassifier;
  /** null: heuristic only */
  judge?: SafetyJudge | null;
  judgeWhen?: JudgePolicy;
  publicSources?: readonly string[];
  onJudgeFailure?: OnJudgeFailure;
  borderlineAt?: number;
}

export interface TieredVerdict extends SafetyVerdict {
  /** the learned model's probability */
  learned: number;
  tier: "heuristic" | "judge" | "fail_safe";
  judge: JudgeOutput | null;
  judge_failure: JudgeFailure | null;
  llm_calls: number;
}

export class JudgeUnavailableError extends Error {
  constructor(
    readonly failure: JudgeFailure,
    detail: string,
  ) {
    super(`safety judge ${failure}: ${detail}`);
  }
}

export class TieredSafetyClassifier implements SafetyClassifier {
  readonly name: string;
  readonly usesLlm: boolean;
  private readonly offline: OfflineSafetyClassifier;
  private readonly judge: SafetyJudge | null;
  private readonly judgeWhen: JudgePolicy;
  private readonly publicSources: Set<string>;
  private readonly onJudgeFailure: OnJudgeFailure;
  private readonly borderlineAt: number;

  constructor(opts: TieredSafetyOptions = {}) {
    this.offline = opts.offline ?? new OfflineSafetyClassifier();
    this.judge = opts.judge ?? null;
    this.judgeWhen = opts.judgeWhen ?? "borderline";
    this.publicSources = new Set((opts.publicSources ?? PUBLIC_SOURCES).map((s) => s.toLowerCase()));
    this.onJudgeFailure = opts.onJudgeFailure ?? "drop_borderline";
    this.borderlineAt = opts.borderlineAt ?? 0.5;
    this.usesLlm = this.judge !== null;
    this.name = this.judge ? `tiered(${this.offline.name}+${this.judge.name})` : this.offline.name;
  }

  /** `opts.onJudgeFailure` overrides the configured fail-safe for this call. */
  async classify(input: SafetyInput, opts: { onJudgeFailure?: OnJudgeFailure } = {}): Promise<TieredVerdict> {
    const h = this.offline.classifySync(input);
    const base = { judge: null, judge_failure: null, llm_calls: 0 };
    if (h.action === "drop" || !this.judge || !this.wantsJudge(input, h)) {
      const { uncertain: _, ...verdict } = h;
      return { ...verdict, ...base, tier: "heuristic" };
    }
    const outcome = await this.judge.judge(input);
    if (outcome.ok) {
      const drop = outcome.output.verdict === "malicious";
      return {
        action: drop ? "drop" : "allow",
        reason: drop ? "prompt_injection" : null,
        score: h.score,
        learned: h.learned,
        matched: [...h.matched, `judge:${outcome.output.reason_code}`],
        classifier: this.judge.name,
        tier: "judge",
        judge: outcome.output,
        judge_failure: null,
        llm_calls: outcome.calls,
      };
    }
    const policy = opts.onJudgeFailure ?? this.onJudgeFailure;
    if (policy === "throw") throw new JudgeUnavailableError(outcome.failure, outcome.detail);
    const borderline = h.score >= this.borderlineAt || h.learned >= this.offline.uncertainAt;
    const drop = policy === "drop" || (policy === "drop_borderline" && borderline);
    return {
      action: drop ? "drop" : "allow",
      reason: drop ? "prompt_injection" : null,
      score: h.score,
      learned: h.learned,
      matched: [...h.matched, `judge_failed:${outcome.failure}`],
      classifier: `${this.offline.name}(fail-safe:${policy})`,
      tier: "fail_safe",
      judge: null,
      judge_failure: outcome.failure,
      llm_calls: outcome.calls,
    };
  }

  private wantsJudge(input: SafetyInput, offline: OfflineVerdict): boolean {
    const isPublic = this.publicSources.has(input.source_product.trim().toLowerCase());
    const borderline = offline.uncertain;
    switch (this.judgeWhen) {
      case "all":
        return true;
      case "public":
        return isPublic;
      case "borderline":
        return borderline;
      case "public_or_borderline":
        return isPublic || borderline;
    }
  }
}
