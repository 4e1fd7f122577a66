/**
 * A person releases a report the report judge quarantined, for a project's
 * full key:
 *   POST /v1/reports/:id/release   {"note"?: "…"}
 * quarantined → candidate, researched next; the judge's verdict stays on the
 * record and the note goes into the history. From then on the judge reads only
 * the signals that join after the release. 409 `report_not_quarantined` (with
 * its `state`) for a report in any other state; a merged report answers 410.
 */
import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, requireFullKey } from "../ingest/auth";
import { parsedBody } from "../ingest/json-body";
import { problem } from "../ingest/problem";
import { reportNotHere } from "./report-here";

const ReleaseBody = z.object({ note: z.string().trim().max(500).optional() }).strict();

export function releaseRoute() {
  const app = new Hono<AppEnv>();
  app.use("/v1/reports/*", requireFullKey);

  app.post("/v1/reports/:id/release", async (c) => {
    const parsed = await parsedBody(c, ReleaseBody, "invalid_release");
    if (!parsed.ok) return parsed.res;
    const id = c.req.param("id");
    const missing = await reportNotHere(c, id);
    if (missing) return missing;
    const result = await c.env.REPORTS.get(c.env.REPORTS.idFromName(id)).release(parsed.value.note ?? "");
    if (!result) return problem(c, 404, "report_not_found", `no report ${id} in this project`);
    if (!result.released) {
      return problem(c, 409, "report_not_quarantined", `report ${id} is ${result.state}, not quarantined`, undefined, undefined, { state: result.state });
    }
    return c.json(result.view);
  });

  return app;
}
