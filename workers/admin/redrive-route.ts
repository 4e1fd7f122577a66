/**
 * `POST /v1/admin/redrive` (admin token): puts accepted signals that are still
 * pending back on the Queue now, instead of waiting for the cron sweep — after a
 * queue incident, or when a local Worker restarts (the local queue does not
 * survive a restart). Body (optional): `{older_than_s?: number, project?: string,
 * cutoff_ms?: number}`. One call works off at most 5,000 rows and answers
 * `more: true` when rows are left; pass its `cutoff_ms` back to go on without
 * re-sending what the first call sent.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../ingest/auth";
import { problem } from "../ingest/problem";
import { fieldName } from "../ingest/schema";
import { redrivePending } from "../sweep/redrive";
import { requireAdmin } from "./require-admin";

const RedriveRequest = z.object({
  older_than_s: z.number().nonnegative().max(365 * 86_400).optional(),
  project: z.string().min(1).max(64).optional(),
  cutoff_ms: z.number().int().nonnegative().optional(),
});

export function redriveRoute() {
  const app = new Hono<AppEnv>();
  app.post("/v1/admin/redrive", requireAdmin, async (c) => {
    const text = await c.req.text();
    let json: unknown = {};
    try {
      if (text.trim()) json = JSON.parse(text);
    } catch {
      return problem(c, 400, "invalid_json", "the body is not valid JSON");
    }
    const parsed = RedriveRequest.safeParse(json);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ field: fieldName(i.path), message: i.message }));
      return problem(c, 400, "invalid_redrive", `${errors[0].field}: ${errors[0].message}`, errors);
    }
    const { older_than_s, project, cutoff_ms } = parsed.data;
    const result = await redrivePending(c.env, { olderThanMs: (older_than_s ?? 0) * 1000, cutoffMs: cutoff_ms, project });
    return c.json(result);
  });
  return app;
}
