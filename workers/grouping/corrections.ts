/**
 * What people corrected in a project's grouping, as grouping reads it:
 *  - a merged report's links lead to the report it was merged into (vectors
 *    in the index still name the old report: Vectorize metadata is not
 *    rewritten);
 *  - a signal moved out of a report takes its vectors along, and keeps the
 *    old report from taking a signal that close to it again: a later signal
 *    whose query is at least as close to a moved-out signal as to the report
 *    does not join that report.
 * Loaded once per project and consumer batch (D1 `report_redirects`,
 * `grouping_corrections`; d1-corrections.ts), only when a signal needs the
 * vector path.
 */
import { cosine } from "./hashed-embedder";

export interface Corrections {
  /** merged report → the report it now is */
  redirects: Map<string, string>;
  /** moved signal id → the report it was moved to */
  moved: Map<string, string>;
  /** report → the vectors of signals moved out of it */
  vetoes: Map<string, number[][]>;
}

export interface CorrectionStore {
  load(project: string): Promise<Corrections>;
}

export const NO_CORRECTIONS: Corrections = { redirects: new Map(), moved: new Map(), vetoes: new Map() };

/** how much closer to the report than to a moved-out signal a query must be to still join it */
export const VETO_MARGIN = 0.02;
const MAX_HOPS = 16;

/** The report a report id leads to now (following merges). */
export function currentReport(c: Corrections, reportId: string): string {
  let id = reportId;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const next = c.redirects.get(id);
    if (!next || next === id) return id;
    id = next;
  }
  return id;
}

/** The report a vector match leads to now: its signal's, if that signal was moved, else its own, after merges. */
export function matchReport(c: Corrections, match: { id: string; reportId: string; signal?: string }): string {
  const colon = match.id.lastIndexOf(":");
  const signal = match.signal ?? (colon > 0 ? match.id.slice(0, colon) : undefined);
  const movedTo = signal ? c.moved.get(signal) : undefined;
  return currentReport(c, movedTo ?? match.reportId);
}

/**
 * Whether a person's move keeps these query vectors out of `reportId`: one of
 * them is at least as close to a signal moved out of it (less VETO_MARGIN) as
 * the report's best match (`score`).
 */
export function vetoed(c: Corrections, reportId: string, vectors: number[][], score: number): boolean {
  const out = c.vetoes.get(reportId);
  if (!out?.length) return false;
  for (const v of vectors) for (const moved of out) if (cosine(v, moved) >= score - VETO_MARGIN) return true;
  return false;
}

/** A store read at most once per project: one consumer batch's view. */
export function oncePerProject(store: CorrectionStore): CorrectionStore {
  const loaded = new Map<string, Promise<Corrections>>();
  return {
    load(project) {
      let p = loaded.get(project);
      if (!p) loaded.set(project, (p = store.load(project)));
      return p;
    },
  };
}
