/**
 * Offline triage, rules and model together. The rules decide alone where
 * they read the form (heuristic.ts FINAL_STAGES): an error's shape (always
 * "signal"), structural noise (bots and tracking, auto-replies, spam,
 * "closing as duplicate", messages that say they are tests) and a report
 * contradicting its own values or actions; and on machine sources (error
 * trackers, logs, events: `modelReads`), which the model never learned
 * from. Everywhere else — the word-weighing
 * rules: soft noise classes, their evidence overrides, contradictions and
 * retractions — the learned model (triage-model.ts), which reads the rules'
 * verdict and cues as features, has the last word: P(actionable) below its
 * `noiseBelow` (chosen by the trainer on out-of-fold predictions to keep
 * false drops low) is noise, above it a signal. `matched` records the
 * rules' cues and `model:p=…`; a model drop keeps the rules' reason when
 * they had one, else `unspecific` (nothing named to act on).
 */
import { FINAL_STAGES, HeuristicTriageClassifier } from "./heuristic";
import { cues, decodeTriageModel, modelReads, ngramBuckets, scoreFeatures, type TriageModel } from "./triage-model";
import { TRIAGE_MODEL } from "./triage-model-weights";
import type { TriageClassifier, TriageInput, TriageReason, TriageVerdict } from "./triage";

let shipped: TriageModel | undefined;
/** the model shipped in the repository, decoded once */
export function shippedTriageModel(): TriageModel {
  return (shipped ??= decodeTriageModel(TRIAGE_MODEL));
}

const SOFT_REASONS: readonly TriageReason[] = [
  "internal_test",
  "duplicate",
  "billing_request",
  "manual_request",
  "abuse",
  "thank_you",
  "vague_dissatisfaction",
  "self_contradictory",
  "resolved",
];

export class LearnedTriageClassifier implements TriageClassifier {
  readonly name: string;
  readonly usesLlm = false;

  constructor(
    private readonly model: TriageModel = shippedTriageModel(),
    private readonly rules = new HeuristicTriageClassifier(),
  ) {
    this.name = `${rules.name}+${model.version}`;
  }

  async classify(signal: TriageInput): Promise<TriageVerdict> {
    return this.classifySync(signal);
  }

  /** P(actionable) under the model, and the rules' decision it read */
  score(signal: TriageInput) {
    const d = this.rules.explain(signal);
    if (FINAL_STAGES.has(d.stage) || !modelReads(signal)) return { d, p: null };
    return { d, p: scoreFeatures(this.model, cues(signal, d), ngramBuckets(d.text)) };
  }

  classifySync(signal: TriageInput): TriageVerdict {
    const { d, p } = this.score(signal);
    if (p === null) return d.verdict;
    const v = d.verdict;
    const note = `model:p=${p.toFixed(3)}`;
    if (p >= this.model.noiseBelow) return { verdict: "signal", reason: null, matched: [...v.matched, note] };
    const reason = v.reason ?? v.matched.find((m): m is TriageReason => (SOFT_REASONS as readonly string[]).includes(m)) ?? "unspecific";
    return { verdict: "noise", reason, matched: [...v.matched, note] };
  }
}
