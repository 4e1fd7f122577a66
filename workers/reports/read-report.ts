/**
 * One report of a project, as GET /v1/reports/:id and the MCP `get_report`
 * tool show it: the report Durable Object's view, looked up only through the
 * project's own D1 listing (another project's report id finds nothing), or
 * the report it was merged into.
 */
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { ReportView } from "../../durable-objects/report";
import { reports } from "../db/schema";
import type { Env } from "../env";
import { mergedInto } from "../grouping/report-merged";

export type ReportLookup = { kind: "found"; view: ReportView } | { kind: "merged"; into: string } | { kind: "not_found" };

export async function readReport(env: Pick<Env, "DB" | "REPORTS">, projectId: string, id: string): Promise<ReportLookup> {
  const row = await drizzle(env.DB).select({ id: reports.id }).from(reports).where(and(eq(reports.id, id), eq(reports.projectId, projectId))).get();
  if (!row) {
    const into = await mergedInto(env.DB, projectId, id);
    return into ? { kind: "merged", into } : { kind: "not_found" };
  }
  const view = await env.REPORTS.get(env.REPORTS.idFromName(id)).snapshot();
  return view ? { kind: "found", view } : { kind: "not_found" };
}
