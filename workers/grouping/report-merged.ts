/**
 * A report a person merged into another (merge-reports.ts) is gone from the
 * listings; asked for by id it answers 410 `report_merged`, with the report
 * it became in `merged_into` and `Location`.
 */
import type { Context } from "hono";
import { problem } from "../ingest/problem";

/** The redirect of a merged report, if it was merged: `{ to_report_id }`. */
export function redirectStatement(db: D1Database, project: string, id: string): D1PreparedStatement {
  return db.prepare("SELECT to_report_id FROM report_redirects WHERE project_id = ? AND from_report_id = ?").bind(project, id);
}

/** The report `id` was merged into, or null. */
export async function mergedInto(db: D1Database, project: string, id: string): Promise<string | null> {
  return (await redirectStatement(db, project, id).first<{ to_report_id: string }>())?.to_report_id ?? null;
}

export function reportMerged(c: Context, id: string, into: string): Response {
  return problem(c, 410, "report_merged", `report ${id} was merged into report ${into}`, undefined, { location: `/v1/reports/${into}` }, { merged_into: into });
}
