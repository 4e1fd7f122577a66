/** The row the LLM judge's verdict on a signal leaves in D1 `safety_verdicts` (the project's own labels for retraining). */
import type { safetyVerdicts } from "../db/schema";
import type { SafetyInput } from "./classifier";
import type { TieredVerdict } from "./tiered";

export type VerdictRow = typeof safetyVerdicts.$inferInsert;

/** null when the judge did not decide this signal (the offline tier did, or the fail-safe) */
export function verdictRow(projectId: string, signal: SafetyInput & { id: string }, verdict: TieredVerdict, judgedAt: number): VerdictRow | null {
  if (verdict.tier !== "judge" || !verdict.judge) return null;
  return {
    projectId,
    signalId: signal.id,
    sourceProduct: signal.source_product,
    sourceType: signal.source_type,
    content: signal.content,
    verdict: verdict.judge.verdict,
    reasonCode: verdict.judge.reason_code,
    confidence: verdict.judge.confidence,
    rulesScore: verdict.score,
    learned: verdict.learned,
    judge: verdict.classifier,
    judgedAt,
  };
}
