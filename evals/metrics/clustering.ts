/**
 * Clustering metrics comparing predicted group labels with ground truth:
 * adjusted Rand index, homogeneity / completeness / V-measure (Rosenberg &
 * Hirschberg 2007), pairwise precision / recall / F1, and grouping accuracy
 * as in the Loghub benchmark (share of items whose predicted group has exactly
 * the members of their true group).
 */

export interface ClusteringMetrics {
  ari: number;
  homogeneity: number;
  completeness: number;
  v_measure: number;
  pairwise_precision: number;
  pairwise_recall: number;
  pairwise_f1: number;
  ga: number;
  groups_true: number;
  groups_pred: number;
}

const choose2 = (n: number) => (n * (n - 1)) / 2;

export function clusteringMetrics(truth: string[], pred: string[]): ClusteringMetrics {
  if (truth.length !== pred.length) throw new Error("truth and pred differ in length");
  const n = truth.length;
  const contingency = new Map<string, Map<string, number>>();
  const trueSizes = new Map<string, number>();
  const predSizes = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = truth[i];
    const p = pred[i];
    trueSizes.set(t, (trueSizes.get(t) ?? 0) + 1);
    predSizes.set(p, (predSizes.get(p) ?? 0) + 1);
    let row = contingency.get(t);
    if (!row) contingency.set(t, (row = new Map()));
    row.set(p, (row.get(p) ?? 0) + 1);
  }

  // pair counts
  let sumCells = 0;
  for (const row of contingency.values()) for (const c of row.values()) sumCells += choose2(c);
  let sumTrue = 0;
  for (const s of trueSizes.values()) sumTrue += choose2(s);
  let sumPred = 0;
  for (const s of predSizes.values()) sumPred += choose2(s);
  const total = choose2(n);
  const expected = total > 0 ? (sumTrue * sumPred) / total : 0;
  const maxIndex = (sumTrue + sumPred) / 2;
  const ari = maxIndex === expected ? 1 : (sumCells - expected) / (maxIndex - expected);

  const precision = sumPred > 0 ? sumCells / sumPred : 1;
  const recall = sumTrue > 0 ? sumCells / sumTrue : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;

  // entropies (natural log; ratios are base-independent)
  const entropy = (sizes: Iterable<number>) => {
    let h = 0;
    for (const s of sizes) if (s > 0) h -= (s / n) * Math.log(s / n);
    return h;
  };
  const hTrue = entropy(trueSizes.values());
  const hPred = entropy(predSizes.values());
  let hTrueGivenPred = 0;
  let hPredGivenTrue = 0;
  for (const [t, row] of contingency) {
    for (const [p, c] of row) {
      hTrueGivenPred -= (c / n) * Math.log(c / predSizes.get(p)!);
      hPredGivenTrue -= (c / n) * Math.log(c / trueSizes.get(t)!);
    }
  }
  const homogeneity = hTrue === 0 ? 1 : 1 - hTrueGivenPred / hTrue;
  const completeness = hPred === 0 ? 1 : 1 - hPredGivenTrue / hPred;
  const v = homogeneity + completeness > 0 ? (2 * homogeneity * completeness) / (homogeneity + completeness) : 0;

  // grouping accuracy: a predicted group counts when it equals a true group exactly
  let correct = 0;
  for (const row of contingency.values()) {
    if (row.size !== 1) continue;
    const [[p, c]] = [...row.entries()];
    if (predSizes.get(p) === c) correct += c;
  }

  return {
    ari,
    homogeneity,
    completeness,
    v_measure: v,
    pairwise_precision: precision,
    pairwise_recall: recall,
    pairwise_f1: f1,
    ga: n > 0 ? correct / n : 1,
    groups_true: trueSizes.size,
    groups_pred: predSizes.size,
  };
}
