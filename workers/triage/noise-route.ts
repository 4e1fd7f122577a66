/**
 * "Why was this ignored?" — triage's noise, never invisible, and a person's
 * word against it, for a project's full key:
 *
 *   GET  /v1/noise[?reason=&limit=&before=]   signals triage kept as noise, newest first:
 *        id, source, received_at, the reason, the text (cut to 2,000 characters);
 *        `next` is the cursor for `before` (received_at:id)
 *   POST /v1/signals/:id/not-noise {note?}    a person says it is not noise: it is
 *        grouped like any signal (into a report, promoted on its weight) and the
 *        correction is kept → 202 {signal, was}; 409 `not_noise` (with its
 *        `triage`) for a signal that is not noise; 404 `signal_not_found`
 *   GET  /v1/triage/corrections               those corrections as JSONL in the triage
 *        eval's format (`actionable: true`, `category` = the reason triage gave) —
 *        `npm run train -- triage --data … --data corrections.jsonl` learns from them
 *
 * Nothing is lost on the way: the signal's intake outbox row goes back to
 * pending with its message in the same D1 batch that clears the noise
 * verdict, so a queue send that fails is re-sent by the sweep; the consumer
 * finds the stored row (safety and triage are not run again) and groups it.
 */
import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, requireFullKey } from "../ingest/auth";
import { parsedBody } from "../ingest/json-body";
import { markUnsent, reopenPending } from "../ingest/outbox";
import { problem } from "../ingest/problem";
import type { SignalMessage } from "../normalize/message";

const NotNoiseBody = z.object({ note: z.string().trim().max(500).optional() }).strict();
const ListQuery = z.object({
  reason: z.string().max(64).regex(/^[a-z0-9_]+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().max(200).regex(/^\d{1,16}:[A-Za-z0-9._:@-]{1,128}$/).optional(),
});

const SHOWN_CHARS = 2_000;

interface NoiseRow {
  id: string;
  source_product: string;
  source_type: string;
  content: string;
  weight: number;
  metadata: string | null;
  timestamp: number | null;
  received_at: number;
  triage: string | null;
  triage_reason: string | null;
}

export function noiseRoutes() {
  const app = new Hono<AppEnv>();
  app.use("/v1/noise", requireFullKey);
  app.use("/v1/signals/:id/not-noise", requireFullKey);
  app.use("/v1/triage/corrections", requireFullKey);

  app.get("/v1/noise", async (c) => {
    const q = ListQuery.safeParse(c.req.query());
    if (!q.success) {
      return problem(c, 400, "invalid_query", "reason: a reason code; limit: 1..200; before: a `next` cursor", q.error.issues.map((i) => ({ field: i.path.join("."), message: i.message })));
    }
    const { reason, limit, before } = q.data;
    const [beforeAt, beforeId] = before ? [Number(before.slice(0, before.indexOf(":"))), before.slice(before.indexOf(":") + 1)] : [null, null];
    const rows = await c.env.DB.prepare(
      `SELECT id, source_product, source_type, content, received_at, triage_reason FROM signals
       WHERE project_id = ?1 AND triage = 'noise' AND (?2 IS NULL OR triage_reason = ?2)
         AND (?3 IS NULL OR received_at < ?3 OR (received_at = ?3 AND id < ?4))
       ORDER BY received_at DESC, id DESC LIMIT ?5`,
    )
      .bind(c.get("project").id, reason ?? null, beforeAt, beforeId, limit)
      .all<Pick<NoiseRow, "id" | "source_product" | "source_type" | "content" | "received_at" | "triage_reason">>();
    const list = rows.results;
    const last = list.at(-1);
    return c.json({
      project: c.get("project").id,
      noise: list.map((r) => ({
        id: r.id,
        source: `${r.source_product}/${r.source_type}`,
        received_at: r.received_at,
        reason: r.triage_reason,
        content: r.content.length > SHOWN_CHARS ? `${r.content.slice(0, SHOWN_CHARS)}…` : r.content,
        not_noise: `/v1/signals/${r.id}/not-noise`,
      })),
      next: list.length === limit && last ? `${last.received_at}:${last.id}` : null,
    });
  });

  app.post("/v1/signals/:id/not-noise", async (c) => {
    const parsed = await parsedBody(c, NotNoiseBody, "invalid_correction");
    if (!parsed.ok) return parsed.res;
    const project = c.get("project").id;
    const id = c.req.param("id");
    const row = await c.env.DB.prepare(
      "SELECT id, source_product, source_type, content, weight, metadata, timestamp, received_at, triage, triage_reason FROM signals WHERE project_id = ? AND id = ?",
    )
      .bind(project, id)
      .first<NoiseRow>();
    if (!row) return problem(c, 404, "signal_not_found", `no stored signal ${id} in this project`);
    if (row.triage !== "noise") return problem(c, 409, "not_noise", `signal ${id} is not noise (triage: ${row.triage ?? "not yet"})`, undefined, undefined, { triage: row.triage });
    const message: SignalMessage = {
      v: 1,
      kind: "signal",
      project,
      received_at: row.received_at,
      signal: {
        id: row.id,
        source_product: row.source_product,
        source_type: row.source_type,
        content: row.content,
        weight: row.weight,
        ...(row.timestamp !== null ? { timestamp: row.timestamp } : {}),
        ...(row.metadata ? { metadata: JSON.parse(row.metadata) as Record<string, unknown> } : {}),
      },
    };
    const now = Date.now();
    const [flipped] = await c.env.DB.batch([
      // only while it is still noise: two people at once flip it once
      c.env.DB.prepare("UPDATE signals SET triage = 'signal' WHERE project_id = ? AND id = ? AND triage = 'noise' RETURNING id").bind(project, id),
      reopenPending(c.env.DB, { project, signalId: id, json: JSON.stringify(message) }, row.received_at, now),
      c.env.DB.prepare("INSERT OR REPLACE INTO triage_corrections (project_id, signal_id, reason, note, at) VALUES (?, ?, ?, ?, ?)").bind(project, id, row.triage_reason, parsed.value.note ?? null, now),
    ]);
    if (!flipped.results.length) return problem(c, 409, "not_noise", `signal ${id} is not noise any more`, undefined, undefined, { triage: "signal" });
    try {
      await c.env.SIGNALS.send(message, { contentType: "json" });
    } catch (err) {
      // pending in the outbox: the sweep sends it
      console.error(`not-noise ${id}: queue send failed, the sweep re-sends it: ${String(err)}`);
      await c.env.DB.batch(markUnsent(c.env.DB, project, [id]));
    }
    return c.json({ signal: id, was: row.triage_reason, status: "grouping" }, 202);
  });

  app.get("/v1/triage/corrections", async (c) => {
    const rows = await c.env.DB.prepare(
      `SELECT s.id, s.source_product, s.source_type, s.content, t.reason FROM triage_corrections t
       JOIN signals s ON s.project_id = t.project_id AND s.id = t.signal_id
       WHERE t.project_id = ? ORDER BY t.at, t.signal_id LIMIT 5000`,
    )
      .bind(c.get("project").id)
      .all<{ id: string; source_product: string; source_type: string; content: string; reason: string | null }>();
    const lines = rows.results.map((r) =>
      JSON.stringify({ id: r.id, source_product: r.source_product, source_type: r.source_type, content: r.content, actionable: true, category: `corrected_${r.reason ?? "noise"}` }),
    );
    return c.body(lines.length ? `${lines.join("\n")}\n` : "", 200, { "content-type": "application/x-ndjson; charset=utf-8" });
  });

  return app;
}
