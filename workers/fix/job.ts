/**
 * A fix job: write the fix for report `report` of `project`, researched at
 * `revision`. The report hands it to its fix run Durable Object (one per
 * report, keyed by the report id: `FIX_RUNS.idFromName(report)`).
 */
export interface FixJob {
  v: 1;
  project: string;
  report: string;
  revision: number;
}
