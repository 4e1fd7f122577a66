/** The audit row a dropped signal leaves in D1 `dropped_signals`, from either safety tier. */
import type { droppedSignals } from "../db/schema";
import type { SafetyVerdict } from "./classifier";

export type DroppedRow = typeof droppedSignals.$inferInsert;

export function droppedRow(
  projectId: string,
  signal: { id: string; source_product: string; source_type: string; content: string },
  verdict: SafetyVerdict,
  receivedAt: number,
): DroppedRow {
  return {
    projectId,
    id: signal.id,
    sourceProduct: signal.source_product,
    sourceType: signal.source_type,
    content: signal.content,
    reason: verdict.reason ?? "unsafe",
    detail: verdict.matched.join(","),
    classifier: verdict.classifier,
    score: verdict.score,
    receivedAt,
  };
}
