/**
 * `GET /v1/safety/verdicts[?after=<judged_at>:<signal id>&limit=N]`, for a
 * project's full key: the LLM safety judge's verdicts on the project's own
 * signals, oldest first, as JSONL in the safety eval's format
 * (`{id, source_product, source_type, content, label}` plus `reason_code`,
 * `confidence`, `rules_score`, `learned`, `judged_at`). Feed the file to
 * `npm run train -- safety --extra FILE` so what the judge decided once the
 * offline tier decides next time, or to `npm run eval -- safety --data FILE`.
 * `next` (a header) is the cursor of the page after this one.
 */
import { Hono } from "hono";
import { type AppEnv, requireFullKey } from "../ingest/auth";
import { problem } from "../ingest/problem";

const MAX_LIMIT = 1000;
const CURSOR = /^(\d{1,15}):(.{1,200})$/s;

interface Row {
  signal_id: string;
  source_product: string;
  source_type: string;
  content: string;
  verdict: string;
  reason_code: string;
  confidence: number;
  rules_score: number;
  learned: number;
  judged_at: number;
}

export function safetyVerdictRoutes() {
  const app = new Hono<AppEnv>();
  app.use("/v1/safety/*", requireFullKey);
  app.get("/v1/safety/verdicts", async (c) => {
    const project = c.get("project");
    const limitParam = c.req.query("limit");
    const limit = limitParam === undefined ? MAX_LIMIT : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return problem(c, 400, "invalid_query", `limit must be an integer from 1 to ${MAX_LIMIT}`, [{ field: "limit", message: "out of range" }]);
    }
    const after = c.req.query("after");
    const cursor = after === undefined ? null : CURSOR.exec(after);
    if (after !== undefined && !cursor) {
      return problem(c, 400, "invalid_query", "after must be the `next` cursor of a previous page", [{ field: "after", message: "not a cursor" }]);
    }
    const { results } = await c.env.DB.prepare(
      `SELECT signal_id, source_product, source_type, content, verdict, reason_code, confidence, rules_score, learned, judged_at
         FROM safety_verdicts
        WHERE project_id = ?1 AND (?2 IS NULL OR judged_at > ?2 OR (judged_at = ?2 AND signal_id > ?3))
        ORDER BY judged_at, signal_id LIMIT ?4`,
    )
      .bind(project.id, cursor ? Number(cursor[1]) : null, cursor ? cursor[2] : null, limit)
      .all<Row>();
    const body = results
      .map((r) =>
        JSON.stringify({
          id: r.signal_id,
          source_product: r.source_product,
          source_type: r.source_type,
          content: r.content,
          label: r.verdict === "malicious" ? "malicious" : "benign",
          reason_code: r.reason_code,
          confidence: r.confidence,
          rules_score: r.rules_score,
          learned: r.learned,
          judged_at: r.judged_at,
        }),
      )
      .join("\n");
    const last = results.at(-1);
    const headers: Record<string, string> = { "content-type": "application/x-ndjson; charset=utf-8" };
    if (last && results.length === limit) headers.next = `${last.judged_at}:${last.signal_id}`;
    return c.body(body ? `${body}\n` : "", 200, headers);
  });
  return app;
}
