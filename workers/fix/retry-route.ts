/**
 * A person asks nightshift to write a report's fix (again), for a project's
 * full key:
 *   POST /v1/reports/:id/fix
 * For a ready report whose fix run ended without an open pull request —
 * needs an LLM key (a key was added since), no forge (a repository or forge
 * was connected since), stopped, failed, stale, closed — the run starts over
 * from a fresh checkout. A report whose fix was tried before and that went
 * back to the pool (rejected) or to a person becomes ready again first
 * (ReportObject.retryFix). 202 with the report's fix summary (status queued).
 * 409 `report_not_ready` (with its `state`) for a report that is not ready;
 * 409 `fix_in_progress` (with the fix status as `fix_status`) while a run works, watches an
 * open pull request, or soaks a merged one; 503 `fix_runs_unbound` without
 * the FIX_RUNS binding; a merged report answers 410.
 */
import { Hono } from "hono";
import { type AppEnv, requireFullKey } from "../ingest/auth";
import { problem } from "../ingest/problem";
import { reportNotHere } from "../reports/report-here";

export function fixRetryRoute() {
  const app = new Hono<AppEnv>();
  app.use("/v1/reports/*", requireFullKey);
  app.post("/v1/reports/:id/fix", async (c) => {
    const id = c.req.param("id");
    const missing = await reportNotHere(c, id);
    if (missing) return missing;
    if (!c.env.FIX_RUNS) return problem(c, 503, "fix_runs_unbound", "this deployment has no FIX_RUNS Durable Object binding");
    const result = await c.env.REPORTS.get(c.env.REPORTS.idFromName(id)).retryFix();
    if (result.kind === "not_ready") return problem(c, 409, "report_not_ready", `report ${id} is ${result.state}: only a ready report is fixed`, undefined, undefined, { state: result.state });
    if (result.kind === "in_progress") return problem(c, 409, "fix_in_progress", `report ${id}'s fix is ${result.status}`, undefined, undefined, { fix_status: result.status });
    return c.json({ report: id, fix: result.fix }, 202);
  });
  return app;
}
