/**
 * Corrections to grouping, for a project's full key:
 *   POST /v1/reports/:id/merge                     {"into": "<report id>", "note"?: "…"}
 *   POST /v1/reports/:id/signals/:signalId/move    {"to"?: "<report id>", "note"?: "…"}   (no `to`: a new report)
 *   GET  /v1/corrections                           the project's corrections, newest first
 * Both are remembered (merge-reports.ts, move-signal.ts): links to a merged
 * report lead to its target, and a signal that close to a moved one is not put
 * back where it was moved from. A retried request finishes what a failed one
 * started.
 */
import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, requireFullKey } from "../ingest/auth";
import { parsedBody } from "../ingest/json-body";
import { problem } from "../ingest/problem";
import { mergeReports } from "./merge-reports";
import { moveSignal, type StoredSignal } from "./move-signal";
import { redirectStatement, reportMerged } from "./report-merged";

const Note = z.string().trim().max(500).optional();
const MergeBody = z.object({ into: z.string().trim().min(1).max(200), note: Note }).strict();
const MoveBody = z.object({ to: z.string().trim().min(1).max(200).optional(), note: Note }).strict();

type Lookup = { kind: "open"; id: string } | { kind: "merged"; id: string; into: string } | { kind: "missing"; id: string };

/** A report of the project: open (listed in D1), merged (a redirect), or not there. */
async function lookup(db: D1Database, project: string, id: string): Promise<Lookup> {
  const [listed, redirect] = await db.batch<{ id?: string; to_report_id?: string }>([
    db.prepare("SELECT id FROM reports WHERE project_id = ? AND id = ?").bind(project, id),
    redirectStatement(db, project, id),
  ]);
  if (redirect.results[0]?.to_report_id) return { kind: "merged", id, into: redirect.results[0].to_report_id };
  return listed.results.length ? { kind: "open", id } : { kind: "missing", id };
}

export function correctionRoutes() {
  const app = new Hono<AppEnv>();
  app.use("/v1/corrections", requireFullKey);
  app.use("/v1/reports/*", requireFullKey);

  app.post("/v1/reports/:id/merge", async (c) => {
    const project = c.get("project");
    const parsed = await parsedBody(c, MergeBody, "invalid_correction");
    if (!parsed.ok) return parsed.res;
    const id = c.req.param("id");
    const from = await lookup(c.env.DB, project.id, id);
    const into = await lookup(c.env.DB, project.id, parsed.value.into);
    if (from.kind === "missing") return problem(c, 404, "report_not_found", `no report ${id} in this project`);
    if (into.kind === "missing") return problem(c, 404, "report_not_found", `no report ${parsed.value.into} in this project`, [{ field: "into", message: "no such report" }]);
    if (into.kind === "merged") return reportMerged(c, into.id, into.into);
    if (from.kind === "merged") {
      // the same merge again (a retry) finishes it; another target is a conflict
      if (from.into !== into.id) return problem(c, 409, "report_merged", `report ${id} was merged into report ${from.into}`, undefined, undefined, { merged_into: from.into });
    }
    if (into.id === id) return problem(c, 400, "same_report", "a report cannot be merged into itself", [{ field: "into", message: "same report" }]);
    return c.json(await mergeReports(c.env, project, id, into.id, parsed.value.note ?? ""));
  });

  app.post("/v1/reports/:id/signals/:signalId/move", async (c) => {
    const project = c.get("project");
    const parsed = await parsedBody(c, MoveBody, "invalid_correction");
    if (!parsed.ok) return parsed.res;
    const id = c.req.param("id");
    const signalId = c.req.param("signalId");
    const from = await lookup(c.env.DB, project.id, id);
    if (from.kind === "missing") return problem(c, 404, "report_not_found", `no report ${id} in this project`);
    if (from.kind === "merged") return reportMerged(c, from.id, from.into);
    const signal = await c.env.DB.prepare(
      `SELECT id, source_product, source_type, content, weight, received_at, embedding, fingerprint, report_id
       FROM signals WHERE project_id = ? AND id = ?`,
    )
      .bind(project.id, signalId)
      .first<StoredSignal & { report_id: string | null }>();
    if (!signal || signal.report_id !== id) return problem(c, 404, "signal_not_found", `no signal ${signalId} in report ${id}`);
    let to: { id: string; isNew: boolean };
    if (parsed.value.to) {
      const target = await lookup(c.env.DB, project.id, parsed.value.to);
      if (target.kind === "missing") return problem(c, 404, "report_not_found", `no report ${parsed.value.to} in this project`, [{ field: "to", message: "no such report" }]);
      if (target.kind === "merged") return reportMerged(c, target.id, target.into);
      if (target.id === id) return problem(c, 400, "same_report", `signal ${signalId} is in report ${id} already`, [{ field: "to", message: "same report" }]);
      to = { id: target.id, isNew: false };
    } else {
      to = { id: crypto.randomUUID(), isNew: true };
    }
    return c.json(await moveSignal(c.env, project, signal, id, to, parsed.value.note ?? ""));
  });

  app.get("/v1/corrections", async (c) => {
    const project = c.get("project");
    const { results } = await c.env.DB.prepare(
      `SELECT kind, signal_id, from_report_id, to_report_id, note, created_at FROM grouping_corrections
       WHERE project_id = ? ORDER BY created_at DESC, id LIMIT 200`,
    )
      .bind(project.id)
      .all<{ kind: string; signal_id: string | null; from_report_id: string; to_report_id: string; note: string | null; created_at: number }>();
    return c.json({
      project: project.id,
      corrections: results.map((r) => ({ kind: r.kind, signal: r.signal_id, from: r.from_report_id, to: r.to_report_id, note: r.note, at: r.created_at })),
    });
  });

  return app;
}
