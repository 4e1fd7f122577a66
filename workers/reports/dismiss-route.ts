/**
 * A person dismisses a report, or takes the dismissal back, for a project's
 * full key:
 *   POST /v1/reports/:id/dismiss   {"reason"?: "…"}
 *   POST /v1/reports/:id/reopen    {"note"?: "…"}
 * Dismissed: out of the inbox, never promoted, researched or fixed; signals
 * still join it and are counted (`dismissed.signals_since`), and it comes back
 * on its own when it grows RESURFACE_FACTOR times over
 * (workers/reports/outcome-notes.ts). The reason is kept as a note research
 * reads later. 409 `report_not_dismissable` / `report_not_dismissed` (with its
 * `state`) when the report is in no state for it; a merged report answers 410.
 */
import { Hono } from "hono";
import { z } from "zod";
import { mergedInto, reportMerged } from "../grouping/report-merged";
import { type AppEnv, requireFullKey } from "../ingest/auth";
import { parsedBody } from "../ingest/json-body";
import { problem } from "../ingest/problem";
import { reportNotHere } from "./report-here";

const DismissBody = z.object({ reason: z.string().trim().max(500).optional() }).strict();
const ReopenBody = z.object({ note: z.string().trim().max(500).optional() }).strict();

export function dismissRoute() {
  const app = new Hono<AppEnv>();
  app.use("/v1/reports/*", requireFullKey);

  app.post("/v1/reports/:id/dismiss", async (c) => {
    const parsed = await parsedBody(c, DismissBody, "invalid_dismissal");
    if (!parsed.ok) return parsed.res;
    const id = c.req.param("id");
    const missing = await reportNotHere(c, id);
    if (missing) return missing;
    const result = await c.env.REPORTS.get(c.env.REPORTS.idFromName(id)).dismiss(parsed.value.reason ?? "");
    if (!result) return problem(c, 404, "report_not_found", `no report ${id} in this project`);
    if (!result.dismissed) {
      const into = result.state === "merged" ? await mergedInto(c.env.DB, c.get("project").id, id) : null;
      if (into) return reportMerged(c, id, into);
      return problem(c, 409, "report_not_dismissable", `report ${id} is ${result.state}`, undefined, undefined, { state: result.state });
    }
    return c.json(result.view);
  });

  app.post("/v1/reports/:id/reopen", async (c) => {
    const parsed = await parsedBody(c, ReopenBody, "invalid_reopen");
    if (!parsed.ok) return parsed.res;
    const id = c.req.param("id");
    const missing = await reportNotHere(c, id);
    if (missing) return missing;
    const result = await c.env.REPORTS.get(c.env.REPORTS.idFromName(id)).reopen(parsed.value.note ?? "");
    if (!result) return problem(c, 404, "report_not_found", `no report ${id} in this project`);
    if (!result.reopened) return problem(c, 409, "report_not_dismissed", `report ${id} is ${result.state}, not dismissed`, undefined, undefined, { state: result.state });
    return c.json(result.view);
  });

  return app;
}
