/**
 * Queue consumer: validate → normalize → safety tier 2 → triage → store in
 * D1 (once per signal id) → group → add to the report's Durable Object → ack. A failure retries the
 * message with exponential backoff; an invalid message, or one that failed
 * MAX_DELIVERY_ATTEMPTS times, goes to the dead-letter queue with its reason.
 * Every step is idempotent, so a retry is safe.
 */
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { droppedSignals, projects, signals } from "../db/schema";
import type { Env } from "../env";
import { assignSignal } from "../grouping/assign";
import { D1FingerprintStore } from "../grouping/d1-fingerprints";
import { DEFAULT_GROUPING_THRESHOLD, DEFAULT_TOP_K } from "../grouping/defaults";
import { OfflineQueryWriter } from "../grouping/offline-query-writer";
import type { GroupingDeps } from "../grouping/types";
import { VectorizeVectorIndex } from "../grouping/vectorize-index";
import { WorkersAiEmbedder } from "../grouping/workers-ai-embedder";
import { deadLetterFor } from "./dead-letter";
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
  for (const msg of batch.messages) {
    const parsed = SignalMessage.safeParse(msg.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      await deadLetter(env, msg, "invalid_message", `${issue?.path.join(".") || "body"}: ${issue?.message}`);
      continue;
    }
    try {
      await processSignal(normalize(parsed.data), env, deps, { lastAttempt: msg.attempts >= maxAttempts });
      msg.ack();
    } catch (e) {
      console.error(`consumer: signal ${parsed.data.signal.id} failed (attempt ${msg.attempts} of ${maxAttempts})`, e);
      if (msg.attempts >= maxAttempts) await deadLetter(env, msg, "processing_failed", String((e as Error)?.stack ?? e));
      else msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
    }
  }
}

/** Sends the message to the dead-letter queue with its reason and acks it; retries if that fails. */
async function deadLetter(env: Env, msg: Message<unknown>, reason: string, detail: string): Promise<void> {
  try {
    await env.DEAD_LETTERS.send(deadLetterFor(msg, reason, detail), { contentType: "json" });
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
): Promise<void> {
  const db = drizzle(env.DB);
  const key = and(eq(signals.projectId, signal.project), eq(signals.id, signal.id));
  let row = await db.select().from(signals).where(key).get();
  if (!row) {
    const verdict = await deps.safety.classify(signal, opts.lastAttempt ? {} : { onJudgeFailure: "throw" });
    if (verdict.action === "drop") {
      await db.insert(droppedSignals).values(droppedRow(signal.project, signal, verdict, signal.received_at)).onConflictDoNothing();
      return;
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
  if (row.triage === "noise") return;

  let link: { reportId: string; method: "fingerprint" | "vector" | "new"; query: string | null; score: number | null };
  if (row.reportId) {
    // already grouped by an earlier attempt or a duplicate delivery: only make sure the report has it
    link = { reportId: row.reportId, method: row.linkMethod as "fingerprint" | "vector" | "new", query: row.linkQuery, score: row.linkScore };
  } else {
    const stored = { ...signal, content: row.content, weight: row.weight, source_product: row.sourceProduct, source_type: row.sourceType };
    const decision = await assignSignal(stored, deps.grouping, {
      threshold: Number(env.GROUPING_THRESHOLD ?? DEFAULT_GROUPING_THRESHOLD),
      topK: DEFAULT_TOP_K,
      newReportId: () => crypto.randomUUID(),
    });
    link = { reportId: decision.reportId, method: decision.method, query: decision.query, score: decision.score };
    await db
      .update(signals)
      .set({
        reportId: decision.reportId,
        linkMethod: decision.method,
        linkQuery: decision.query,
        linkScore: decision.score,
        embedding: decision.embedding ? JSON.stringify(decision.embedding) : null,
      })
      .where(key);
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
}

async function projectThreshold(env: Env, project: string, cache: Map<string, number>): Promise<number> {
  const hit = cache.get(project);
  if (hit !== undefined) return hit;
  const row = await drizzle(env.DB).select({ t: projects.promotionThreshold }).from(projects).where(eq(projects.id, project)).get();
  const t = row?.t ?? Number(env.DEFAULT_PROMOTION_THRESHOLD ?? 5);
  cache.set(project, t);
  return t;
}
