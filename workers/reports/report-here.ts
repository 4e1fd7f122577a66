/**
 * The check the per-report routes (release, dismiss, reopen, fix) make
 * before they call a report's Durable Object: the report is this project's
 * (D1 `reports`), else 410 `report_merged` for one merged away, else 404
 * `report_not_found`.
 */
import type { Context } from "hono";
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { reports } from "../db/schema";
import { mergedInto, reportMerged } from "../grouping/report-merged";
import type { AppEnv } from "../ingest/auth";
import { problem } from "../ingest/problem";

/** null when report `id` is this project's; otherwise the answer to send */
export async function reportNotHere(c: Context<AppEnv>, id: string): Promise<Response | null> {
  const project = c.get("project");
  const row = await drizzle(c.env.DB).select({ id: reports.id }).from(reports).where(and(eq(reports.id, id), eq(reports.projectId, project.id))).get();
  if (row) return null;
  const into = await mergedInto(c.env.DB, project.id, id);
  return into ? reportMerged(c, id, into) : problem(c, 404, "report_not_found", `no report ${id} in this project`);
}
