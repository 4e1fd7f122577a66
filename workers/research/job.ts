/**
 * A research job on the research queue: research report `report` as it is at
 * `revision` (the report's signal-set counter). `rearm`: sent by the cron sweep
 * for research that stalled; it may restart a run that gave up.
 */
export interface ResearchJob {
  v: 1;
  project: string;
  report: string;
  revision: number;
  rearm?: boolean;
}

/** One research run Durable Object per report revision. */
export function researchRunKey(job: Pick<ResearchJob, "report" | "revision">): string {
  return `${job.report}:${job.revision}`;
}

export function isResearchJob(body: unknown): body is ResearchJob {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  return b.v === 1 && typeof b.project === "string" && typeof b.report === "string" && Number.isInteger(b.revision) && (b.revision as number) >= 0;
}
