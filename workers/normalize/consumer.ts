/**
 * Queue consumer: validate → normalize → safety tier 2 → triage → store in
 * D1 (once per signal id) → group → add to the report's Durable Object →
 * settle the intake outbox row with the outcome → ack. Each message stands
 * alone: a failure retries only that message with exponential backoff; an
 * invalid message, or one that failed MAX_DELIVERY_ATTEMPTS times, becomes a
 * dead letter with its reason. A message whose outbox row is already settled
 * is acked at once. Every step is idempotent, so a retry is safe.
 */
import { and, eq, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { droppedSignals, projects, signals } from "../db/schema";
import type { Env } from "../env";
import { assignSignal } from "../grouping/assign";
import { D1FingerprintStore } from "../grouping/d1-fingerprints";
import { DEFAULT_GROUPING_THRESHOLD, DEFAULT_TOP_K } from "../grouping/defaults";
import { OfflineQueryWriter } from "../grouping/offline-query-writer";
import type { GroupingDeps, LinkMethod } from "../grouping/types";
import { type Outcome, type Settlement, settle, settledIds } from "../ingest/outbox";
import { VectorizeVectorIndex } from "../grouping/vectorize-index";
import { WorkersAiEmbedder } from "../grouping/workers-ai-embedder";
import { deadLetterFor, deadLetterStatements } from "./dead-letter";
import { SignalMessage } from "./message";
import { droppedRow } from "../safety/dropped-row";
import { safetyClassifierFromEnv } from "../safety/from-env";
import type { TieredSafetyClassifier } from "../safety/tiered";
import { HeuristicTriageClassifier } from "../triage/heuristic";
import type { TriageClassifier } from "../triage/triage";
import { normalize, type NormalizedSignal } from "./normalized";

export function groupingDeps(env: Env): GroupingDeps {
  return {
    queryWriter: new OfflineQueryWriter(),
    embedder: new WorkersAiEmbedder(env.AI, env.EMBEDDING_MODEL ?? "@cf/baai/bge-base-en-v1.5"),
    index: new VectorizeVectorIndex(env.VECTORS),
    fingerprints: new D1FingerprintStore(env.DB),
  };
}

export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(0, attempts - 1) * 5);
}

/** What the consumer needs besides grouping: the two classifiers that may keep a signal out of it. */
export interface ConsumerDeps {
  grouping: GroupingDeps;
  safety: TieredSafetyClassifier;
  triage: TriageClassifier;
  thresholds: Map<string, number>;
}

export function consumerDeps(env: Env): ConsumerDeps {
  return {
    grouping: groupingDeps(env),
    safety: safetyClassifierFromEnv(env),
    triage: new HeuristicTriageClassifier(),
    thresholds: new Map(),
  };
}

export async function handleSignalBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps = consumerDeps(env);
  const maxAttempts = Number(env.MAX_DELIVERY_ATTEMPTS ?? 5);
  const valid: { msg: Message<unknown>; signal: NormalizedSignal }[] = [];
  for (const msg of batch.messages) {
    // one bad message never takes the others with it: even a parse that throws is its own dead letter
    try {
      const parsed = SignalMessage.safeParse(msg.body);
      if (parsed.success) valid.push({ msg, signal: normalize(parsed.data) });
      else {
        const issue = parsed.error.issues[0];
        await deadLetter(env, msg, "invalid_message", `${issue?.path.join(".") || "body"}: ${issue?.message}`);
      }
    } catch (e) {
      await deadLetter(env, msg, "invalid_message", `could not read the message: ${String((e as Error)?.message ?? e)}`);
    }
  }
  const done = await alreadySettled(env, valid.map((v) => v.signal));
  const settlements: { msg: Message<unknown>; settlement: Settlement }[] = [];
  for (const { msg, signal } of valid) {
    if (done.has(`${signal.project}\u0000${signal.id}`)) {
      msg.ack();
      continue;
    }
    try {
      const outcome = await processSignal(signal, env, deps, { lastAttempt: msg.attempts >= maxAttempts });
      settlements.push({ msg, settlement: { project: signal.project, signalId: signal.id, outcome, receivedAt: signal.received_at } });
    } catch (e) {
      console.error(`consumer: signal ${signal.id} failed (attempt ${msg.attempts} of ${maxAttempts})`, e);
      if (msg.attempts >= maxAttempts) await deadLetter(env, msg, "processing_failed", String((e as Error)?.stack ?? e));
      else msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
    }
  }
  try {
    await settle(env.DB, settlements.map((s) => s.settlement));
    for (const s of settlements) s.msg.ack();
  } catch (e) {
    // every step before is idempotent: the redelivery finds the work done and settles
    console.error(`consumer: could not settle ${settlements.length} signals`, e);
    for (const s of settlements) s.msg.retry({ delaySeconds: retryDelaySeconds(s.msg.attempts) });
  }
}

/** Keys (project NUL id) of signals in the batch whose outbox row is already settled. */
async function alreadySettled(env: Env, batch: NormalizedSignal[]): Promise<Set<string>> {
  const byProject = new Map<string, string[]>();
  for (const s of batch) byProject.set(s.project, [...(byProject.get(s.project) ?? []), s.id]);
  const out = new Set<string>();
  try {
    for (const [project, ids] of byProject) for (const id of await settledIds(env.DB, project, ids)) out.add(`${project}\u0000${id}`);
  } catch (e) {
    // only an optimization: without it every message is processed (idempotently)
    console.error("consumer: could not read the outbox", e);
  }
  return out;
}

/**
 * Records the message as a dead letter with its reason (D1, settling its
 * outbox row) and acks it; if D1 fails, hands it to the dead-letter queue;
 * if that fails too, retries the message.
 */
async function deadLetter(env: Env, msg: Message<unknown>, reason: string, detail: string): Promise<void> {
  const letter = deadLetterFor(msg, reason, detail);
  try {
    await env.DB.batch(deadLetterStatements(env.DB, letter, Date.now()));
    msg.ack();
    return;
  } catch (e) {
    console.error(`consumer: could not store dead letter ${msg.id}; sending it to the dead-letter queue`, e);
  }
  try {
    await env.DEAD_LETTERS.send(letter, { contentType: "json" });
    msg.ack();
  } catch (e) {
    console.error(`consumer: could not dead-letter ${msg.id}`, e);
    msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
  }
}

/**
 * One signal through the consumer. Safety tier 2 (the LLM judge, when
 * configured) and triage run on first sight only; a redelivery finds the
 * stored row and goes straight to grouping. Until the last attempt a judge
 * outage throws, so the Queue retries instead of applying the fail-safe.
 */
export async function processSignal(
  signal: NormalizedSignal,
  env: Env,
  deps: ConsumerDeps,
  opts: { lastAttempt?: boolean } = {},
): Promise<Outcome> {
  const db = drizzle(env.DB);
  const key = and(eq(signals.projectId, signal.project), eq(signals.id, signal.id));
  let row = await db.select().from(signals).where(key).get();
  if (!row) {
    const verdict = await deps.safety.classify(signal, opts.lastAttempt ? {} : { onJudgeFailure: "throw" });
    if (verdict.action === "drop") {
      await db.insert(droppedSignals).values(droppedRow(signal.project, signal, verdict, signal.received_at)).onConflictDoNothing();
      return "dropped";
    }
    const triage = await deps.triage.classify(signal);
    await db
      .insert(signals)
      .values({
        projectId: signal.project,
        id: signal.id,
        sourceProduct: signal.source_product,
        sourceType: signal.source_type,
        content: signal.content,
        weight: signal.weight,
        metadata: signal.metadata ? JSON.stringify(signal.metadata) : null,
        timestamp: signal.timestamp,
        receivedAt: signal.received_at,
        triage: triage.verdict,
        triageReason: triage.reason,
      })
      .onConflictDoNothing();
    row = await db.select().from(signals).where(key).get();
    if (!row) throw new Error(`signal ${signal.id} was not stored`);
  }
  // noise is kept with its reason and never grouped
  if (row.triage === "noise") return "noise";

  let link: { reportId: string; method: LinkMethod; query: string | null; score: number | null };
  if (row.reportId) {
    // already grouped by an earlier attempt or a duplicate delivery: only make sure the report has it
    link = { reportId: row.reportId, method: row.linkMethod as LinkMethod, query: row.linkQuery, score: row.linkScore };
  } else {
    const stored = { ...signal, content: row.content, weight: row.weight, source_product: row.sourceProduct, source_type: row.sourceType };
    const decision = await assignSignal(stored, deps.grouping, {
      threshold: Number(env.GROUPING_THRESHOLD ?? DEFAULT_GROUPING_THRESHOLD),
      topK: DEFAULT_TOP_K,
      newReportId: () => crypto.randomUUID(),
    });
    link = { reportId: decision.reportId, method: decision.method, query: decision.query, score: decision.score };
    // a concurrent delivery of the same signal may have grouped it first: its link wins
    const claimed = await db
      .update(signals)
      .set({
        reportId: decision.reportId,
        linkMethod: decision.method,
        linkQuery: decision.query,
        linkScore: decision.score,
        embedding: decision.embedding ? JSON.stringify(decision.embedding) : null,
      })
      .where(and(key, isNull(signals.reportId)))
      .returning({ id: signals.id });
    if (claimed.length === 0) {
      const winner = await db.select().from(signals).where(key).get();
      if (!winner?.reportId) throw new Error(`signal ${signal.id} lost its row while grouping`);
      link = { reportId: winner.reportId, method: winner.linkMethod as LinkMethod, query: winner.linkQuery, score: winner.linkScore };
    }
  }

  const threshold = await projectThreshold(env, signal.project, deps.thresholds);
  const stub = env.REPORTS.get(env.REPORTS.idFromName(link.reportId));
  await stub.addSignal({
    reportId: link.reportId,
    project: signal.project,
    threshold,
    signal: {
      id: row.id,
      source_product: row.sourceProduct,
      source_type: row.sourceType,
      content: row.content,
      weight: row.weight,
      received_at: row.receivedAt,
    },
    link: { method: link.method, query: link.query, score: link.score },
  });
  return "report";
}

async function projectThreshold(env: Env, project: string, cache: Map<string, number>): Promise<number> {
  const hit = cache.get(project);
  if (hit !== undefined) return hit;
  const row = await drizzle(env.DB).select({ t: projects.promotionThreshold }).from(projects).where(eq(projects.id, project)).get();
  const t = row?.t ?? Number(env.DEFAULT_PROMOTION_THRESHOLD ?? 5);
  cache.set(project, t);
  return t;
}
