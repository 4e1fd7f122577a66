import { describe, expect, it } from "vitest";
import { clusteringMetrics } from "../../evals/metrics/clustering";

describe("clusteringMetrics", () => {
  it("matches scikit-learn's documented values", () => {
    // sklearn docs: labels_true = [0,0,0,1,1,1], labels_pred = [0,0,1,1,2,2]
    const m = clusteringMetrics(["a", "a", "a", "b", "b", "b"], ["x", "x", "y", "y", "z", "z"]);
    expect(m.ari).toBeCloseTo(0.24242424, 6);
    expect(m.homogeneity).toBeCloseTo(0.66666667, 6);
    expect(m.completeness).toBeCloseTo(0.42061984, 6);
    expect(m.v_measure).toBeCloseTo(0.51580374, 6);
    expect(m.pairwise_precision).toBeCloseTo(2 / 3, 9);
    expect(m.pairwise_recall).toBeCloseTo(1 / 3, 9);
    expect(m.ga).toBe(0);
    expect([m.groups_true, m.groups_pred]).toEqual([2, 3]);
  });

  it("is perfect for a relabelled identical partition", () => {
    const m = clusteringMetrics(["a", "a", "b", "c"], ["2", "2", "9", "1"]);
    expect([m.ari, m.v_measure, m.pairwise_f1, m.ga]).toEqual([1, 1, 1, 1]);
  });

  it("counts grouping accuracy per signal whose group matches exactly", () => {
    // group a predicted exactly (2 signals); b split → 2 of 5 correct
    const m = clusteringMetrics(["a", "a", "b", "b", "b"], ["x", "x", "y", "y", "z"]);
    expect(m.ga).toBeCloseTo(2 / 5, 9);
  });

  it("gives ARI 0 for all-singletons against pairs", () => {
    const m = clusteringMetrics(["a", "a", "b", "b"], ["1", "2", "3", "4"]);
    expect(m.ari).toBeCloseTo(0, 9);
    expect(m.homogeneity).toBe(1);
  });
});
