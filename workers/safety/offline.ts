/**
 * The offline safety tier: the rules (heuristic.ts) and the learned model
 * (learned.ts) on the same prepared text (NFKC, invisible characters removed,
 * readable base64 decoded). A signal is dropped when the rules add up to
 * DROP_AT, when the model's probability reaches its `dropAt` (not for log
 * lines and stack traces: MACHINE_TYPES), or when a rule matched below
 * DROP_AT and the model agrees (CONFIRM_AT). It is
 * "uncertain" — what the tiered classifier puts to the LLM judge under the
 * default policy — when a rule matched below DROP_AT or the model's
 * probability is at least `uncertainAt`. Offline, with no judge, an
 * uncertain signal is allowed with its rules and probability on the record.
 * Runs at ingest and in the queue consumer: synchronous, linear time.
 */
import type { SafetyClassifier, SafetyInput, SafetyVerdict } from "./classifier";
import { HeuristicSafetyClassifier, prepare } from "./heuristic";
import { decodeModel, LearnedSafetyScorer } from "./learned";
import { SAFETY_MODEL } from "./model-weights";

/** the model's probability that confirms a rule which matched below the drop score */
export const CONFIRM_AT = 0.5;
/** source types of machine-written text: the model never drops these on its own */
export const MACHINE_TYPES: ReadonlySet<string> = new Set(["log", "logs", "exception", "error", "crash", "trace", "span", "metric", "check_run", "workflow_run"]);

export interface OfflineVerdict extends SafetyVerdict {
  /** the learned model's probability (its most suspicious window) */
  learned: number;
  /** neither clearly benign nor clearly malicious: the judge's work */
  uncertain: boolean;
}

let shipped: LearnedSafetyScorer | null = null;
/** The model in model-weights.ts, decoded once per isolate. */
export function shippedScorer(): LearnedSafetyScorer {
  return (shipped ??= new LearnedSafetyScorer(decodeModel(SAFETY_MODEL)));
}

export interface OfflineSafetyOptions {
  heuristic?: HeuristicSafetyClassifier;
  /** null: rules only (the model is off) */
  learned?: LearnedSafetyScorer | null;
}

export class OfflineSafetyClassifier implements SafetyClassifier {
  readonly name: string;
  readonly usesLlm = false;
  private readonly heuristic: HeuristicSafetyClassifier;
  private readonly learned: LearnedSafetyScorer | null;

  constructor(opts: OfflineSafetyOptions = {}) {
    this.heuristic = opts.heuristic ?? new HeuristicSafetyClassifier();
    this.learned = opts.learned === undefined ? shippedScorer() : opts.learned;
    this.name = this.learned ? `${this.heuristic.name}+${this.learned.name}` : this.heuristic.name;
  }

  /** the model's probability from which it drops a person's text alone (Infinity without a model) */
  get dropAt(): number {
    return this.learned ? this.learned.model.dropAt : Infinity;
  }

  /** the model's probability from which a signal is uncertain (Infinity without a model) */
  get uncertainAt(): number {
    return this.learned ? this.learned.model.uncertainAt : Infinity;
  }

  async classify(input: SafetyInput): Promise<OfflineVerdict> {
    return this.classifySync(input);
  }

  classifySync(input: SafetyInput): OfflineVerdict {
    const prepared = prepare(input.content);
    const h = this.heuristic.classifyPrepared(prepared);
    if (!this.learned) return { ...h, learned: 0, uncertain: h.score > 0 && h.action === "allow" };
    const p = this.learned.score(prepared.text).p;
    const { dropAt, uncertainAt } = this.learned.model;
    const matched = [...h.matched];
    if (p >= uncertainAt) matched.push(`learned:${p.toFixed(3)}`);
    // the model alone drops only what it is sure of, and only in text people write: in a log line or a
    // stack trace (machine text, not what it learned from; "JWT verification failed", "admin changed role")
    // it is unsure at most. It confirms a rule that matched below DROP_AT at CONFIRM_AT.
    const confirmed = h.score > 0 && p >= Math.max(CONFIRM_AT, uncertainAt);
    const alone = p >= dropAt && !MACHINE_TYPES.has(input.source_type.trim().toLowerCase());
    const byModel = h.action !== "drop" && (alone || confirmed);
    const drop = h.action === "drop" || byModel;
    return {
      action: drop ? "drop" : "allow",
      reason: drop ? "prompt_injection" : null,
      score: h.score,
      matched,
      classifier: byModel ? (confirmed && p < dropAt ? this.name : this.learned.name) : h.action === "drop" ? h.classifier : this.name,
      learned: Math.round(p * 1000) / 1000,
      uncertain: !drop && (h.score > 0 || p >= uncertainAt),
    };
  }
}
