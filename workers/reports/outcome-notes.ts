/**
 * What happened to a report's earlier fixes and what people decided about
 * it (issue 9, item 5: outcomes teach). Kept on the report (GET
 * /v1/reports/:id `notes`) and handed to research, which reads them before it
 * decides again: the research agent sees them inside the report's fence (a
 * reviewer's words are untrusted text); the offline researcher sends a report
 * whose fix was rejected, or that a person dismissed, to a person instead of
 * straight to another fix.
 *
 * - fix_rejected: a pull request closed without merging (with the last trusted
 *   word as the reason). The report goes back to the pool with a higher bar
 *   (`rejectionBar`): it is researched again only when more evidence arrives.
 * - fix_regressed: the merged fix did not hold (the problem came back within
 *   the soak window). The report is researched again at once.
 * - dismissed / reopened / resurfaced: a person dismissed the report, reopened
 *   it, or it grew far past the weight it was dismissed at.
 */
export const NOTE_KINDS = ["fix_rejected", "fix_regressed", "dismissed", "reopened", "resurfaced"] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

export interface OutcomeNote {
  at: number;
  kind: NoteKind;
  /** the pull request the note is about (fix notes) */
  pull: number | null;
  /** what happened, in words; a reviewer's or a person's reason is quoted as given (untrusted) */
  text: string;
}

/**
 * The weight at which a report whose fix was rejected `rejections` times is
 * promoted again: as much weight again as the promotion threshold, once per
 * rejection (the first rejection asks for twice the evidence that a report
 * sent back as not actionable needs).
 */
export function rejectionBar(weight: number, threshold: number, rejections: number): number {
  return weight + (rejections + 1) * Math.max(threshold, 1);
}

/** a dismissed report comes back on its own only when it has grown this many times over (or past 10 thresholds) */
export const RESURFACE_FACTOR = 10;

export function resurfaceBar(weightAtDismissal: number, threshold: number): number {
  return RESURFACE_FACTOR * Math.max(weightAtDismissal, threshold, 1);
}

/**
 * The note research acts on, if any: the newest of a fix rejection or a
 * dismissal that no later reopening by a person answered.
 */
export function standingObjection(notes: readonly OutcomeNote[]): OutcomeNote | null {
  for (let i = notes.length - 1; i >= 0; i--) {
    const n = notes[i]!;
    if (n.kind === "reopened") return null;
    if (n.kind === "fix_rejected" || n.kind === "dismissed") return n;
  }
  return null;
}
