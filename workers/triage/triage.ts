/**
 * Triage: is one signal worth grouping at all? Runs after the safety tier,
 * before grouping. "noise" signals are kept (D1 `signals.triage = "noise"`,
 * `triage_reason`) but never grouped, so they never weigh on a report.
 * Error-shaped signals (stack traces, error logs) are always "signal".
 * Offline: `HeuristicTriageClassifier` (heuristic.ts).
 */

/** Machine-readable reasons a signal is not actionable. */
export const TRIAGE_REASONS = [
  "spam",
  "abuse",
  "auto_reply",
  "thank_you",
  "resolved",
  "internal_test",
  "bot_tracking",
  "duplicate",
  "billing_request",
  "manual_request",
  "vague_dissatisfaction",
  "self_contradictory",
  /** the learned model finds nothing to act on and no rule named a reason (learned-triage.ts) */
  "unspecific",
] as const;
export type TriageReason = (typeof TRIAGE_REASONS)[number];

export interface TriageInput {
  source_product: string;
  source_type: string;
  content: string;
  metadata?: Record<string, unknown> | null;
}

export interface TriageVerdict {
  verdict: "signal" | "noise";
  /** why it is noise; null for "signal" */
  reason: TriageReason | null;
  /** every rule and evidence that matched, for the audit record */
  matched: string[];
}

export interface TriageClassifier {
  readonly name: string;
  /** true when each classify() costs one LLM call */
  readonly usesLlm: boolean;
  classify(signal: TriageInput): Promise<TriageVerdict>;
}
