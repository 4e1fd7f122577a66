/**
 * A report's research as the inbox lists it: enough to decide at a glance —
 * priority, where in the code, who should review, and for a report that
 * needs a person the one question to answer. The whole research is on the
 * report (`GET /v1/reports/:id`).
 */
import type { ResearchOutput, ResearchPriority } from "../research/output";

export interface ResearchBrief {
  priority: ResearchPriority | null;
  confidence: number;
  /** `path:line` of the first findings' locations, at most 3 */
  where: string[];
  /** reviewer handles, at most 3 */
  reviewers: string[];
  /** needs_input: what a person must answer */
  question: string | null;
  already_addressed: string | null;
}

export function inboxResearch(r: ResearchOutput): ResearchBrief {
  const where: string[] = [];
  for (const f of r.findings) for (const l of f.locations) if (where.length < 3) where.push(l.line ? `${l.path}:${l.line}` : l.path);
  return {
    priority: r.priority,
    confidence: r.confidence,
    where,
    reviewers: r.reviewers.slice(0, 3).map((x) => x.handle),
    question: r.actionability.bucket === "needs_human" ? r.actionability.question : null,
    already_addressed: r.already_addressed?.reason ?? null,
  };
}
