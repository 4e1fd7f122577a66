/**
 * Actionability: what to do with a researched report.
 *  - actionable → `ready` (the fix loop will take it);
 *  - needs_human → `needs_input` (the inbox);
 *  - not_actionable → back to the pool until more evidence arrives.
 * Generic problems ("onboarding is broken") must never become code changes:
 * without a concrete error or in-app location a report needs a human.
 * Offline: `RuleActionabilityJudge`. Production: the research agent's
 * judgement, validated into this same shape.
 */
import type { Evidence } from "../research/research";

export type ActionabilityBucket = "actionable" | "needs_human" | "not_actionable";

export interface ActionabilityDecision {
  bucket: ActionabilityBucket;
  /** machine-readable rule that decided */
  rule: string;
  reason: string;
}

export interface ActionabilityJudge {
  readonly name: string;
  judge(evidence: Evidence): Promise<ActionabilityDecision>;
}

export class RuleActionabilityJudge implements ActionabilityJudge {
  readonly name = "offline-rules-v1";
  constructor(private readonly minSignals = 2) {}

  async judge(evidence: Evidence): Promise<ActionabilityDecision> {
    return judgeByRules(evidence, this.minSignals);
  }
}

export function judgeByRules(e: Evidence, minSignals = 2): ActionabilityDecision {
  if (e.signal_count < minSignals) {
    return {
      bucket: "not_actionable",
      rule: "too_little_evidence",
      reason: `${e.signal_count} signal(s); at least ${minSignals} are needed before acting`,
    };
  }
  if (e.top_frames.length > 0) {
    return {
      bucket: "actionable",
      rule: "in_app_frame",
      reason: `concrete in-app location: ${e.top_frames[0].value}`,
    };
  }
  if (e.error_types.length > 0 && (e.top_files.length > 0 || e.routes.length > 0)) {
    return {
      bucket: "actionable",
      rule: "error_with_location",
      reason: `error ${e.error_types[0].value.split(":")[0]} at ${e.top_files[0]?.value ?? e.routes[0].value}`,
    };
  }
  if (e.top_files.length > 0) {
    return {
      bucket: "actionable",
      rule: "named_file",
      reason: `signals name the code: ${e.top_files.map((f) => f.value).slice(0, 2).join(", ")}`,
    };
  }
  return {
    bucket: "needs_human",
    rule: "no_concrete_location",
    reason: "signals describe a problem but name no error or in-app location; a human should say what to change",
  };
}
