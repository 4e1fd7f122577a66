/**
 * Read API for a project: `GET /v1/inbox` (reports needing a human and ready
 * reports, with evidence; apart, the quarantined ones, GET /v1/reports/:id
 * shows why), `GET /v1/reports` (all reports, newest first),
 * `GET /v1/reports/:id` (one report with its signals and history),
 * `GET /v1/reports/:id/research-run` (its research's recorded run),
 * `GET /v1/reports/:id/fix-run` (its fix run and the fix agent's record) and
 * `GET /v1/dropped` (signals the safety classifier dropped, with reasons) and
 * `GET /v1/dead-letters` (messages the consumer gave up on, with reasons).
 */
import { Hono } from "hono";
import type { RunRecord } from "../agent/run-record";
import { and, desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { deadLetters, droppedSignals, reports } from "../db/schema";
import { type AppEnv, requireFullKey } from "../ingest/auth";
import { problem } from "../ingest/problem";
import { reportMerged } from "../grouping/report-merged";
import { readReport } from "../reports/read-report";
import { REPORT_STATES } from "../reports/state";

export function readRoutes() {
  const app = new Hono<AppEnv>();
  app.use("/v1/inbox", requireFullKey);
  app.use("/v1/reports", requireFullKey);
  app.use("/v1/reports/*", requireFullKey);
  app.use("/v1/dropped", requireFullKey);
  app.use("/v1/dead-letters", requireFullKey);
  app.use("/v1/stats", requireFullKey);

  // the actionable lists, and apart from them the reports the report judge quarantined and those a person dismissed (never silently hidden)
  app.get("/v1/inbox", async (c) => {
    const project = c.get("project");
    const inbox = c.env.INBOX.get(c.env.INBOX.idFromName(project.id));
    const apart = (state: "quarantined" | "dismissed") =>
      drizzle(c.env.DB)
        .select()
        .from(reports)
        .where(and(eq(reports.projectId, project.id), eq(reports.state, state)))
        .orderBy(desc(reports.updatedAt))
        .limit(50)
        .all();
    const [lists, quarantined, dismissed, noise] = await Promise.all([
      inbox.list(),
      apart("quarantined"),
      // dismissed by a person: still counted as signals join (why and since when: GET /v1/reports/:id `dismissed`)
      apart("dismissed"),
      noiseCountsStatement(c.env.DB, project.id).all<{ reason: string | null; n: number }>(),
    ]);
    const brief = (r: (typeof quarantined)[number]) => ({ id: r.id, title: r.title, weight: r.weight, signal_count: r.signalCount, updated_at: r.updatedAt });
    // what triage kept out of reports, by reason: each one listed at GET /v1/noise ("why was this ignored?")
    const byReason = Object.fromEntries(noise.results.map((r) => [r.reason ?? "unknown", r.n]));
    return c.json({
      project: project.id,
      ...lists,
      quarantined: quarantined.map(brief),
      dismissed: dismissed.map(brief),
      noise: { total: noise.results.reduce((a, r) => a + r.n, 0), by_reason: byReason, list: "/v1/noise" },
    });
  });

  app.get("/v1/reports", async (c) => {
    const project = c.get("project");
    const state = c.req.query("state");
    if (state && !(REPORT_STATES as readonly string[]).includes(state)) {
      return problem(c, 400, "invalid_query", `state must be one of ${REPORT_STATES.join(", ")}`, [{ field: "state", message: "unknown state" }]);
    }
    const where = state ? and(eq(reports.projectId, project.id), eq(reports.state, state)) : eq(reports.projectId, project.id);
    const rows = await drizzle(c.env.DB).select().from(reports).where(where).orderBy(desc(reports.weight)).limit(200).all();
    return c.json({
      project: project.id,
      reports: rows.map((r) => ({ id: r.id, state: r.state, title: r.title, weight: r.weight, signal_count: r.signalCount, updated_at: r.updatedAt })),
    });
  });

  app.get("/v1/reports/:id", async (c) => {
    const id = c.req.param("id");
    const found = await readReport(c.env, c.get("project").id, id);
    if (found.kind === "merged") return reportMerged(c, id, found.into);
    if (found.kind === "not_found") return problem(c, 404, "report_not_found", `no report ${id} in this project`);
    return c.json(found.view);
  });

  /** The recorded research run of a report's current research: every tool call and result, tokens, cost, time. */
  app.get("/v1/reports/:id/research-run", async (c) => {
    const id = c.req.param("id");
    const found = await readReport(c.env, c.get("project").id, id);
    if (found.kind === "merged") return reportMerged(c, id, found.into);
    if (found.kind === "not_found") return problem(c, 404, "report_not_found", `no report ${id} in this project`);
    const key = found.view.research_run?.key;
    if (!key) return problem(c, 404, "not_researched", `report ${id} has no recorded research run yet`);
    const record = await c.env.RESEARCH_RUNS.get(c.env.RESEARCH_RUNS.idFromName(key)).record();
    if (!record) return problem(c, 404, "run_not_recorded", `research run ${key} kept no record`);
    return c.json({ report: id, key, run: record });
  });

  /** A report's fix run: its status and pull request, the fix agent's latest recorded run (`run`) and every round's (`runs`). */
  app.get("/v1/reports/:id/fix-run", async (c) => {
    const id = c.req.param("id");
    const found = await readReport(c.env, c.get("project").id, id);
    if (found.kind === "merged") return reportMerged(c, id, found.into);
    if (found.kind === "not_found") return problem(c, 404, "report_not_found", `no report ${id} in this project`);
    if (!found.view.fix || !c.env.FIX_RUNS) return problem(c, 404, "no_fix_run", `report ${id} has no fix run`);
    const stub = c.env.FIX_RUNS.get(c.env.FIX_RUNS.idFromName(id));
    const [view, records] = await Promise.all([stub.snapshot(), stub.records()]);
    // the RPC type of a record's `unknown` tool inputs collapses; the value is the RunRecord[] sent
    const runs = records as unknown as RunRecord[];
    if (!view) return problem(c, 404, "no_fix_run", `report ${id} has no fix run`);
    return c.json({ report: id, fix: view, run: runs.at(-1) ?? null, runs });
  });

  app.get("/v1/dropped", async (c) => {
    const project = c.get("project");
    const rows = await drizzle(c.env.DB)
      .select()
      .from(droppedSignals)
      .where(eq(droppedSignals.projectId, project.id))
      .orderBy(desc(droppedSignals.receivedAt))
      .limit(200)
      .all();
    return c.json({
      project: project.id,
      dropped: rows.map((r) => ({
        id: r.id,
        source_product: r.sourceProduct,
        source_type: r.sourceType,
        reason: r.reason,
        detail: r.detail,
        classifier: r.classifier,
        score: r.score,
        received_at: r.receivedAt,
        content: r.content,
      })),
    });
  });

  /**
   * Where every signal of the project went: the nothing-lost ledger.
   * received = accepted + dropped at intake, and every received signal is in
   * exactly one of: pending (accepted, on its way), a report, noise, dropped,
   * dead-lettered. `unaccounted` is the difference: 0 once nothing is pending
   * (briefly negative while a grouped signal's outbox row is being settled).
   */
  app.get("/v1/stats", async (c) => {
    const project = c.get("project");
    // one statement: a client polling the ledger costs one D1 call a poll
    const [counts, noiseByReason] = await c.env.DB.batch<Record<string, number | string>>([
      c.env.DB.prepare(
        `SELECT
           (SELECT COUNT(*) FROM intake_outbox WHERE project_id = ?1) AS accepted,
           (SELECT COUNT(*) FROM intake_outbox WHERE project_id = ?1 AND outcome IS NULL) AS pending,
           (SELECT COUNT(*) FROM signals WHERE project_id = ?1) AS stored,
           (SELECT COUNT(*) FROM signals WHERE project_id = ?1 AND report_id IS NOT NULL) AS grouped,
           (SELECT COUNT(*) FROM signals WHERE project_id = ?1 AND triage = 'noise') AS noise,
           (SELECT COUNT(*) FROM dropped_signals WHERE project_id = ?1) AS dropped,
           (SELECT COUNT(*) FROM dropped_signals d WHERE d.project_id = ?1
              AND NOT EXISTS (SELECT 1 FROM intake_outbox o WHERE o.project_id = d.project_id AND o.signal_id = d.id)) AS dropped_at_intake,
           (SELECT COUNT(*) FROM dead_letters WHERE project_id = ?1) AS dead,
           (SELECT COALESCE(SUM(signal_count), 0) FROM reports WHERE project_id = ?1) AS in_reports`,
      ).bind(project.id),
      noiseCountsStatement(c.env.DB, project.id),
    ]);
    const n = counts.results[0] as Record<string, number>;
    const { accepted, pending, stored, grouped, noise, dropped, dead } = n;
    const droppedAtIntake = n.dropped_at_intake;
    const inReports = n.in_reports;
    const received = accepted + droppedAtIntake;
    return c.json({
      project: project.id,
      signals: {
        received,
        accepted,
        pending,
        stored,
        grouped,
        in_reports: inReports,
        noise,
        dropped,
        dropped_at_intake: droppedAtIntake,
        dead_lettered: dead,
        unaccounted: received - (pending + inReports + noise + dropped + dead),
      },
      noise_by_reason: Object.fromEntries(noiseByReason.results.map((r) => [r.reason, r.n])),
    });
  });

  app.get("/v1/dead-letters", async (c) => {
    const project = c.get("project");
    const rows = await drizzle(c.env.DB)
      .select()
      .from(deadLetters)
      .where(eq(deadLetters.projectId, project.id))
      .orderBy(desc(deadLetters.receivedAt))
      .limit(200)
      .all();
    return c.json({
      project: project.id,
      dead_letters: rows.map((r) => ({
        message_id: r.messageId,
        signal_id: r.signalId,
        reason: r.reason,
        detail: r.detail,
        attempts: r.attempts,
        received_at: r.receivedAt,
      })),
    });
  });

  return app;
}

/** a project's noise counted by triage's reason, most first (the inbox and the ledger) */
function noiseCountsStatement(db: D1Database, project: string): D1PreparedStatement {
  return db.prepare("SELECT triage_reason AS reason, COUNT(*) AS n FROM signals WHERE project_id = ? AND triage = 'noise' GROUP BY triage_reason ORDER BY n DESC").bind(project);
}
