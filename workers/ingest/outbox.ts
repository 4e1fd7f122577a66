/**
 * The intake outbox (D1 `intake_outbox`): accepted means durable. Intake
 * writes each accepted signal's message here before answering 202; the
 * consumer settles the row with its outcome once the signal is in a report,
 * kept as noise, dropped by safety tier 2, or dead-lettered; the sweep puts
 * rows that stayed pending too long back on the Queue (workers/sweep/redrive.ts).
 */
export type Outcome = "report" | "noise" | "dropped" | "dead_letter";

export interface PendingRow {
  project: string;
  signalId: string;
  /** the SignalMessage as JSON */
  json: string;
}

/**
 * Records accepted messages as pending, once per (project, signal id). Each
 * statement returns the id when the row is new, nothing when the signal was
 * accepted before (it is already on its way, or settled).
 */
export function recordPending(db: D1Database, rows: PendingRow[], now: number): D1PreparedStatement[] {
  const stmt = db.prepare(
    `INSERT INTO intake_outbox (project_id, signal_id, message, accepted_at, enqueued_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (project_id, signal_id) DO NOTHING RETURNING signal_id`,
  );
  return rows.map((r) => stmt.bind(r.project, r.signalId, r.json, now, now));
}

/**
 * Puts a settled signal back on its way (a person overrode its outcome, e.g.
 * triage's noise): its row pending again with the message to send, created
 * for a signal that bypassed intake. The sweep re-sends it if the caller's
 * send fails.
 */
export function reopenPending(db: D1Database, row: PendingRow, acceptedAt: number, now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO intake_outbox (project_id, signal_id, message, accepted_at, enqueued_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (project_id, signal_id) DO UPDATE SET message = excluded.message, enqueued_at = excluded.enqueued_at, settled_at = NULL, outcome = NULL`,
    )
    .bind(row.project, row.signalId, row.json, acceptedAt, now);
}

/** Marks rows as never enqueued, so the next sweep sends them at once. */
export function markUnsent(db: D1Database, project: string, ids: string[]): D1PreparedStatement[] {
  const stmt = db.prepare("UPDATE intake_outbox SET enqueued_at = 0 WHERE project_id = ? AND signal_id = ? AND settled_at IS NULL");
  return ids.map((id) => stmt.bind(project, id));
}

export interface Settlement {
  project: string;
  signalId: string;
  outcome: Outcome;
  /** when the signal was first received (for rows the consumer creates: messages from other Workers) */
  receivedAt: number;
}

/** Settles rows with their outcome and clears the message; creates the row for signals that bypassed intake. */
export function settleStatements(db: D1Database, settled: Settlement[], now: number): D1PreparedStatement[] {
  const stmt = db.prepare(
    `INSERT INTO intake_outbox (project_id, signal_id, message, accepted_at, enqueued_at, settled_at, outcome)
     VALUES (?, ?, NULL, ?, ?, ?, ?)
     ON CONFLICT (project_id, signal_id) DO UPDATE SET message = NULL, settled_at = excluded.settled_at, outcome = excluded.outcome`,
  );
  return settled.map((s) => stmt.bind(s.project, s.signalId, s.receivedAt, s.receivedAt, now, s.outcome));
}

export async function settle(db: D1Database, settled: Settlement[], now = Date.now()): Promise<void> {
  if (settled.length) await db.batch(settleStatements(db, settled, now));
}

/** Of these signal ids, the ones already settled: a redelivery of those has nothing left to do. */
export async function settledIds(db: D1Database, project: string, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  // D1 binds at most 100 parameters a statement
  for (let i = 0; i < ids.length; i += 90) {
    const chunk = ids.slice(i, i + 90);
    const { results } = await db
      .prepare(
        `SELECT signal_id FROM intake_outbox WHERE project_id = ? AND settled_at IS NOT NULL AND signal_id IN (${chunk.map(() => "?").join(", ")})`,
      )
      .bind(project, ...chunk)
      .all<{ signal_id: string }>();
    for (const r of results) out.add(r.signal_id);
  }
  return out;
}
