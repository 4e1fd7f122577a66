/**
 * One line of the actionability suite's data (evals/README.md): a report —
 * its signals, in the pipeline's normalized shape — and the bucket research
 * should put it in; and the seam every researcher face is scored through, a
 * case in and a bucket out (`CaseResearcher`, built per provider in
 * evals/providers.ts `makeCaseResearcher`).
 */
import { z } from "zod";
import type { Bucket } from "../../workers/research/output";
import type { ResearchInput } from "../../workers/research/research";

export const BUCKETS = ["actionable", "needs_human", "not_actionable"] as const satisfies readonly Bucket[];

export const CaseSignal = z.object({
  /** optional; default `<case id>/<1-based index>` */
  id: z.string().min(1).optional(),
  source_product: z.string().min(1),
  source_type: z.string().min(1),
  content: z.string(),
  weight: z.number().finite().nonnegative().default(1),
  /** optional epoch ms; default one minute apart in line order */
  received_at: z.number().int().nonnegative().optional(),
});
export type CaseSignal = z.infer<typeof CaseSignal>;

export const ActionabilityCase = z.object({
  id: z.string().min(1),
  signals: z.array(CaseSignal).min(1),
  expected: z.enum(BUCKETS),
  /** the repository the signals are about, when a researcher can read it (`sample-app`: examples/sample-app/app) */
  repo: z.literal("sample-app").optional(),
  /** optional: the kind of case, for per-category numbers */
  category: z.string().min(1).optional(),
});
export type ActionabilityCase = z.infer<typeof ActionabilityCase>;

/** What a researcher says about one case, and what its run cost. */
export interface CaseVerdict {
  bucket: Bucket;
  rule: string;
  reason: string;
  /** agent faces: what the run used (absent or zero offline) */
  usage?: { tool_calls: number; input_tokens: number; output_tokens: number; llm_calls: number };
}

/** The one seam: a case in, a bucket out. Chosen by provider in evals/providers.ts. */
export type CaseResearcher = { name: string; research(c: ActionabilityCase): Promise<CaseVerdict> };

/** signals arrive after the sample app's last commit (2026-12-01 07:55 UTC), as live signals about its bugs would */
const EPOCH = Date.UTC(2026, 11, 1, 12, 0, 0);

/** A case as the pipeline hands a report to research: ids, times and the report's weight filled in. */
export function caseToResearchInput(c: ActionabilityCase): ResearchInput {
  const signals = c.signals.map((s, i) => ({
    id: s.id ?? `${c.id}/${i + 1}`,
    source_product: s.source_product,
    source_type: s.source_type,
    content: s.content,
    weight: s.weight,
    received_at: s.received_at ?? EPOCH + i * 60_000,
  }));
  return { reportId: c.id, project: c.repo ?? "default", weight: signals.reduce((a, s) => a + s.weight, 0), signals };
}

