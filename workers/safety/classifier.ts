/**
 * Safety classification comes before anything reads a signal: public sources
 * may carry prompt injection aimed at the pipeline's agents. A dropped signal
 * is stored with its reason (D1 `dropped_signals`), never enqueued, never
 * acted on.
 * Offline: `HeuristicSafetyClassifier`. Production adds an LLM judge
 * (Anthropic, small model, zod-validated structured output, content fenced
 * as data) behind this same interface, run after the heuristic tier.
 */

export interface SafetyInput {
  source_product: string;
  source_type: string;
  content: string;
}

export type SafetyReason = "prompt_injection";

export interface SafetyVerdict {
  action: "allow" | "drop";
  reason: SafetyReason | null;
  /** 0..n; the heuristic drops at 1 */
  score: number;
  /** names of the rules that matched, for the audit record */
  matched: string[];
  classifier: string;
}

export interface SafetyClassifier {
  readonly name: string;
  readonly usesLlm: boolean;
  classify(input: SafetyInput): Promise<SafetyVerdict>;
}
