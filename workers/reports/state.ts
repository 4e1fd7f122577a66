/**
 * Report lifecycle:
 *   potential → candidate → researching → needs_input | ready | not_actionable
 * and not_actionable goes back to potential (back to the pool) with a higher
 * bar, so it is looked at again only when more evidence arrives. A person
 * can merge any report into another: it ends `merged` (its signals live in
 * the other one, and links to it lead there).
 * Before research, the report judge (workers/safety/report-judge.ts) reads
 * the whole report: researching → quarantined when it is unsafe. A
 * quarantined report is kept with the verdict and its reason (GET
 * /v1/reports/:id, GET /v1/reports?state=quarantined), never in the inbox's
 * lists and never researched; signals still join it. A person can merge it,
 * or release it (POST /v1/reports/:id/release): quarantined → candidate, and
 * from then on the judge reads only the signals that joined after the release.
 *
 * Outcomes (workers/reports/outcome-notes.ts): a ready report whose pull
 * request a person closed without merging goes back to the pool with a higher
 * bar (ready → potential); one whose merged fix did not hold is researched
 * again (ready → candidate); a person may ask for another fix of a report
 * whose fix was tried before (potential | needs_input → ready). A person can
 * dismiss a report from any live state (POST /v1/reports/:id/dismiss): signals
 * still join it and are shown, but it is not promoted, researched or fixed
 * until a person reopens it (dismissed → potential) or it grows past
 * RESURFACE_FACTOR times its weight at the dismissal.
 */
export const REPORT_STATES = ["potential", "candidate", "researching", "needs_input", "ready", "not_actionable", "quarantined", "dismissed", "merged"] as const;
export type ReportState = (typeof REPORT_STATES)[number];

const NEXT: Record<ReportState, ReportState[]> = {
  potential: ["candidate", "ready", "dismissed", "merged"],
  candidate: ["researching", "dismissed", "merged"],
  researching: ["needs_input", "ready", "not_actionable", "candidate", "quarantined", "dismissed", "merged"],
  needs_input: ["candidate", "ready", "dismissed", "merged"],
  ready: ["potential", "candidate", "dismissed", "merged"],
  not_actionable: ["potential", "merged"],
  quarantined: ["candidate", "dismissed", "merged"],
  dismissed: ["potential", "merged"],
  merged: [],
};

export function canTransition(from: ReportState, to: ReportState): boolean {
  return NEXT[from].includes(to);
}

export function assertTransition(from: ReportState, to: ReportState): void {
  if (!canTransition(from, to)) throw new Error(`report state: ${from} → ${to} is not allowed`);
}

/** States a human should see in the inbox. */
export const INBOX_STATES: ReportState[] = ["needs_input", "ready"];
