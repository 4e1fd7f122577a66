/**
 * Outbox redrive: signals accepted at intake whose outbox row is still
 * pending after `OUTBOX_REDRIVE_AFTER_S` go back on the Queue (the message was
 * lost, the consumer crashed, or the enqueue failed after the 202). After
 * `OUTBOX_MAX_REDRIVES` tries the signal is dead-lettered with the reason
 * `redrive_exhausted`, so the ledger always closes. Runs on the cron sweep and
 * on `POST /v1/admin/redrive`.
 */
import type { Env } from "../env";
import { chunkForQueue, utf8Length } from "../ingest/intake";
import type { SignalMessage } from "../normalize/message";
import { deadLetterFor, deadLetterStatements } from "../normalize/dead-letter";

export interface RedriveResult {
  redriven: number;
  dead_lettered: number;
  /** the run stopped at its cap with rows still due: call again (the next cron does) */
  more: boolean;
  /** rows enqueued at or before this time (ms) were due; pass it back to continue the same run */
  cutoff_ms: number;
}

interface PendingRow {
  project_id: string;
  signal_id: string;
  message: string | null;
  redrives: number;
  [key: string]: unknown;
}

const PAGE = 500;
/** rows one run looks at, so a huge backlog is worked off over several runs */
const MAX_PER_RUN = 5_000;

export async function redrivePending(
  env: Env,
  opts: { now?: number; olderThanMs?: number; cutoffMs?: number; project?: string; maxRows?: number } = {},
): Promise<RedriveResult> {
  const now = opts.now ?? Date.now();
  const olderThanMs = opts.olderThanMs ?? Number(env.OUTBOX_REDRIVE_AFTER_S ?? 300) * 1000;
  // never a row sent in this run (enqueued_at = now), nor, with cutoffMs, one a previous call sent
  const cutoff = Math.min(opts.cutoffMs ?? Infinity, now - olderThanMs, now - 1);
  const maxRedrives = Number(env.OUTBOX_MAX_REDRIVES ?? 10);
  const out: RedriveResult = { redriven: 0, dead_lettered: 0, more: false, cutoff_ms: cutoff };
  // rows sent in this run get enqueued_at = now, so the next page never sees them again
  const max = opts.maxRows ?? MAX_PER_RUN;
  const page = Math.min(PAGE, max);
  for (let seen = 0; seen < max; seen += page) {
    const { results } = await env.DB.prepare(
      `SELECT project_id, signal_id, message, redrives FROM intake_outbox
       WHERE settled_at IS NULL AND enqueued_at <= ?${opts.project ? " AND project_id = ?" : ""}
       ORDER BY enqueued_at LIMIT ${page}`,
    )
      .bind(...[cutoff, ...(opts.project ? [opts.project] : [])])
      .all<PendingRow>();
    if (!results.length) break;

    const letters: D1PreparedStatement[] = [];
    const resend: { row: PendingRow; message: SignalMessage; bytes: number }[] = [];
    for (const row of results) {
      const message = row.redrives < maxRedrives ? readMessage(row.message) : null;
      if (message) {
        resend.push({ row, message, bytes: utf8Length(row.message!) });
        continue;
      }
      const reason = row.redrives >= maxRedrives ? "redrive_exhausted" : "invalid_message";
      const detail = reason === "redrive_exhausted" ? `still pending after ${row.redrives} redrives` : "the outbox row holds no readable message";
      const letter = deadLetterFor({ id: `outbox:${row.project_id}:${row.signal_id}`, attempts: row.redrives, body: null }, reason, detail);
      letters.push(...deadLetterStatements(env.DB, { ...letter, project: row.project_id, signal_id: row.signal_id, body_text: row.message ?? "null" }, now));
      out.dead_lettered++;
    }
    if (letters.length) await env.DB.batch(letters);

    const mark = env.DB.prepare(
      "UPDATE intake_outbox SET enqueued_at = ?, redrives = redrives + 1 WHERE project_id = ? AND signal_id = ? AND settled_at IS NULL",
    );
    for (const chunk of chunkForQueue(resend.map((r) => ({ message: r, bytes: r.bytes })))) {
      await env.SIGNALS.sendBatch(chunk.map((r) => ({ body: r.message, contentType: "json" as const })));
      await env.DB.batch(chunk.map((r) => mark.bind(now, r.row.project_id, r.row.signal_id)));
      out.redriven += chunk.length;
    }
    if (results.length < page) break;
    if (seen + page >= max) out.more = true;
  }
  return out;
}

function readMessage(json: string | null): SignalMessage | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as SignalMessage;
  } catch {
    return null;
  }
}
