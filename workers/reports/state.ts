/**
 * Report lifecycle:
 *   potential → candidate → researching → needs_input | ready | not_actionable
 * and not_actionable goes back to potential (back to the pool) with a higher
 * bar, so it is looked at again only when more evidence arrives.
 */
export const REPORT_STATES = ["potential", "candidate", "researching", "needs_input", "ready", "not_actionable"] as const;
export type ReportState = (typeof REPORT_STATES)[number];

const NEXT: Record<ReportState, ReportState[]> = {
  potential: ["candidate"],
  candidate: ["researching"],
  researching: ["needs_input", "ready", "not_actionable", "candidate"],
  needs_input: ["candidate"],
  ready: [],
  not_actionable: ["potential"],
};

export function canTransition(from: ReportState, to: ReportState): boolean {
  return NEXT[from].includes(to);
}

export function assertTransition(from: ReportState, to: ReportState): void {
  if (!canTransition(from, to)) throw new Error(`report state: ${from} → ${to} is not allowed`);
}

/** States a human should see in the inbox. */
export const INBOX_STATES: ReportState[] = ["needs_input", "ready"];
