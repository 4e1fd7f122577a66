/**
 * Grouping suite: feeds signals in arrival order through `assignSignal` (the
 * Worker's grouping code) and scores the resulting report ids against `group`.
 */
import { z } from "zod";
import { assignSignal } from "../../workers/grouping/assign";
import { MinedFingerprinter } from "../../workers/grouping/fingerprinter";
import { MemoryLogTemplateStore } from "../../workers/grouping/memory-log-templates";
import { MemoryFingerprintStore } from "../../workers/grouping/memory-fingerprints";
import { MemoryVectorIndex } from "../../workers/grouping/memory-index";
import type { QueryWriter } from "../../workers/grouping/types";
import { clusteringMetrics, type ClusteringMetrics } from "../metrics/clustering";
import { countingEmbedder, countingMatchJudge, countingQueryWriter, type CallCounts } from "../counting";
import { readJsonl } from "../jsonl";
import type { Providers } from "../providers";

export const GroupingLine = z.object({
  id: z.string().min(1),
  source_product: z.string().min(1),
  source_type: z.string().min(1),
  content: z.string(),
  group: z.string().min(1),
  project: z.string().min(1).default("default"),
  weight: z.number().positive().default(1),
});
export type GroupingLine = z.infer<typeof GroupingLine>;

export interface GroupingRun extends ClusteringMetrics, CallCounts {
  n: number;
  threshold: number;
  assignments: { id: string; group: string; report: string; method: string; score: number | null }[];
}

export interface GroupingSuiteOptions {
  threshold: number;
  stage: "all" | "fingerprint";
  baseline?: "raw-embedding";
}

/** Raw-embedding baseline: embed the signal's own text; no fingerprints. */
const rawContentWriter: QueryWriter = {
  name: "raw-content",
  usesLlm: false,
  async write(signal) {
    return [signal.content.slice(0, 2000)];
  },
};

export async function runGrouping(
  lines: GroupingLine[],
  providers: Providers,
  opts: { threshold: number; mode: "pipeline" | "raw-embedding" | "fingerprint" },
): Promise<GroupingRun> {
  const counts: CallCounts = { llm_calls: 0, embed_calls: 0, judge_calls: 0 };
  const deps = {
    queryWriter: countingQueryWriter(opts.mode === "raw-embedding" ? rawContentWriter : providers.queryWriter, counts),
    embedder: countingEmbedder(providers.embedder, counts),
    index: new MemoryVectorIndex(),
    fingerprints: new MemoryFingerprintStore(),
    fingerprinter: new MinedFingerprinter(new MemoryLogTemplateStore()),
    matchJudge: countingMatchJudge(providers.matchJudge, counts),
    escalation: opts.mode === "pipeline" && providers.escalation ? countingQueryWriter(providers.escalation, counts) : null,
    escalateFingerprinted: providers.escalateFingerprinted ?? false,
  };
  let next = 0;
  const assignments: GroupingRun["assignments"] = [];
  for (const line of lines) {
    const signal = { ...line };
    if (opts.mode === "fingerprint") {
      // only the deterministic stage: same fingerprint → same group, else a singleton
      const [fp] = await deps.fingerprinter.fingerprints([signal]);
      assignments.push({ id: line.id, group: line.group, report: fp ? `${line.project}/${fp}` : `single-${line.id}`, method: fp ? "fingerprint" : "new", score: null });
      continue;
    }
    const d = await assignSignal(signal, deps, {
      threshold: opts.threshold,
      useFingerprints: opts.mode === "pipeline",
      newReportId: () => `r${++next}`,
    });
    assignments.push({ id: line.id, group: line.group, report: d.reportId, method: d.method, score: d.score });
  }
  // assignments are in the order of the lines
  const metrics = clusteringMetrics(
    assignments.map((a, i) => `${lines[i].project}/${a.group}`),
    assignments.map((a) => a.report),
  );
  return { ...metrics, ...counts, n: lines.length, threshold: opts.threshold, assignments };
}

export function readGrouping(path: string): GroupingLine[] {
  return readJsonl(path, GroupingLine);
}
