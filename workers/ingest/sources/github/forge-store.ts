/**
 * D1 `forge_events`: insert-or-ignore by (project, X-GitHub-Delivery), so a
 * redelivered webhook is stored once, and the project's events newest first.
 */
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { forgeEvents } from "../../../db/schema";
import type { ForgeEventRecord } from "./forge-events";

/** Stores the event; false when this delivery was already stored. */
export async function recordForgeEvent(db: D1Database, projectId: string, deliveryId: string, record: ForgeEventRecord, receivedAt = Date.now()): Promise<boolean> {
  const result = await drizzle(db)
    .insert(forgeEvents)
    .values({
      projectId,
      deliveryId,
      event: record.event,
      action: record.action,
      repository: record.repository,
      pullRequest: record.pullRequest,
      headSha: record.headSha,
      outcome: record.outcome,
      summary: JSON.stringify(record.summary),
      receivedAt,
    })
    .onConflictDoNothing()
    .run();
  return (result.meta?.changes ?? 0) > 0;
}

export interface ForgeEventFilter {
  limit: number;
  event?: string;
  pullRequest?: number;
  repository?: string;
}

export interface ForgeEventView {
  delivery_id: string;
  event: string;
  action: string | null;
  repository: string | null;
  pull_request: number | null;
  head_sha: string | null;
  outcome: string | null;
  summary: Record<string, unknown>;
  received_at: number;
}

export async function listForgeEvents(db: D1Database, projectId: string, filter: ForgeEventFilter): Promise<ForgeEventView[]> {
  const conditions: SQL[] = [eq(forgeEvents.projectId, projectId)];
  if (filter.event) conditions.push(eq(forgeEvents.event, filter.event));
  if (filter.pullRequest !== undefined) conditions.push(eq(forgeEvents.pullRequest, filter.pullRequest));
  if (filter.repository) conditions.push(eq(forgeEvents.repository, filter.repository));
  const rows = await drizzle(db)
    .select()
    .from(forgeEvents)
    .where(and(...conditions))
    // newest first; rowid breaks ties between deliveries in the same millisecond
    .orderBy(desc(forgeEvents.receivedAt), desc(sql`rowid`))
    .limit(filter.limit)
    .all();
  return rows.map((r) => ({
    delivery_id: r.deliveryId,
    event: r.event,
    action: r.action,
    repository: r.repository,
    pull_request: r.pullRequest,
    head_sha: r.headSha,
    outcome: r.outcome,
    summary: JSON.parse(r.summary) as Record<string, unknown>,
    received_at: r.receivedAt,
  }));
}
