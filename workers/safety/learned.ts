/**
 * The learned safety tier: a logistic model over hashed n-grams
 * (ngram-features.ts), trained by `npm run train -- safety` on public,
 * permissively licensed attack and benign texts (evals/data/safety-train/,
 * sources in its SOURCES files) and shipped as int8 weights in
 * `model-weights.ts`. A text's probability is its most suspicious window's,
 * so an instruction hidden in a long signal is not averaged away.
 * `dropAt` and `uncertainAt` were chosen by the trainer on held-back
 * benign texts (false alarms at `dropAt` ≤ the trainer's target); between
 * them the tiered classifier asks the LLM judge when one is configured.
 */
import { decodeInt8Weights } from "./int8-weights";
import { BLOCK, blockCount, forEachFeature, FEATURE_BITS, normalizeForFeatures } from "./ngram-features";

export interface SafetyModel {
  version: string;
  bias: number;
  /** weights[i] * scale is bucket i's weight */
  scale: number;
  weights: Int8Array;
  dropAt: number;
  uncertainAt: number;
}

export interface SafetyModelFile {
  version: string;
  featureBits: number;
  bias: number;
  scale: number;
  dropAt: number;
  uncertainAt: number;
  /** base64 of the int8 weights */
  weights: string;
}

export function decodeModel(file: SafetyModelFile): SafetyModel {
  if (file.featureBits !== FEATURE_BITS) throw new Error(`safety model has ${file.featureBits}-bit features, the code reads ${FEATURE_BITS}`);
  const weights = decodeInt8Weights(file.weights, FEATURE_BITS, "safety model");
  return { version: file.version, bias: file.bias, scale: file.scale, weights, dropAt: file.dropAt, uncertainAt: file.uncertainAt };
}

export interface LearnedScore {
  /** the most suspicious window's probability */
  p: number;
  /** its offset in the normalized text */
  at: number;
}

export class LearnedSafetyScorer {
  readonly name: string;
  constructor(readonly model: SafetyModel) {
    this.name = `learned-${model.version}`;
  }

  score(text: string): LearnedScore {
    return scoreWith(this.model.weights, this.model.scale, this.model.bias, text);
  }
}

/** The most suspicious window of `text` under weights `w` (bucket weight = w[i] * scale). */
export function scoreWith(w: ArrayLike<number>, scale: number, bias: number, text: string): LearnedScore {
  const t = normalizeForFeatures(text);
  const blocks = blockCount(t);
  const sums = new Float64Array(blocks);
  const counts = new Uint32Array(blocks);
  forEachFeature(t, (b, f) => {
    sums[b] += w[f];
    counts[b]++;
  });
  let best = -Infinity;
  let at = 0;
  const windows = Math.max(1, blocks - 1);
  for (let b = 0; b < windows; b++) {
    const s = sums[b] + (blocks > 1 ? sums[b + 1] : 0);
    const n = counts[b] + (blocks > 1 ? counts[b + 1] : 0);
    const z = bias + (n > 0 ? (s * scale) / Math.sqrt(n) : 0);
    if (z > best) {
      best = z;
      at = b;
    }
  }
  return { p: 1 / (1 + Math.exp(-best)), at: at * BLOCK };
}
