/**
 * Signals through the consumer as a batch: a few D1 round trips for the whole
 * batch instead of several per signal, grouping in arrival order (a signal can
 * join a report opened earlier in the same batch), and one Durable Object call
 * per report. Each signal still succeeds or fails alone: a failure is
 * recorded against that signal and the others go on.
 *
 *  1. rows: the signals already stored (a redelivery skips safety and triage)
 *  2. first sight: safety tier 2 (until the last attempt a judge outage is a
 *     failure, so the Queue retries), triage; drops and new rows in one D1 batch
 *  3. grouping, in order; the links claimed in one D1 batch (a concurrent
 *     delivery that linked the signal first wins)
 *  4. each report gets its signals in one `addSignals` call, at most two reports
 *     at once (see at-most.ts)
 */
import { and, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { droppedSignals, projects, safetyVerdicts, signals } from "../db/schema";
import type { Env } from "../env";
import { assignSignal } from "../grouping/assign";
import { BufferedVectorIndex } from "../grouping/buffered-index";
import { oncePerProject } from "../grouping/corrections";
import { DEFAULT_TOP_K } from "../grouping/defaults";
import { groupingThreshold } from "../grouping/from-env";
import { precomputed } from "../grouping/fingerprinter";
import { moveFingerprint } from "../grouping/d1-fingerprints";
import { atMost } from "./at-most";
import { decodeEmbedding, encodeEmbedding } from "./embedding-codec";
import type { FingerprintHit, FingerprintStore, GroupingDeps, LinkMethod, MatchVerdict } from "../grouping/types";
import type { Outcome } from "../ingest/outbox";
import { mirrorStatement, type ReportListing } from "../reports/mirror";
import { droppedRow } from "../safety/dropped-row";
import { verdictRow } from "../safety/verdict-row";
import type { TieredSafetyClassifier } from "../safety/tiered";
import type { TriageClassifier } from "../triage/triage";
import type { NormalizedSignal } from "./normalized";

export interface ConsumerDeps {
  grouping: GroupingDeps;
  safety: TieredSafetyClassifier;
  triage: TriageClassifier;
  thresholds: Map<string, number>;
}

export type SignalResult = { ok: true; outcome: Outcome } | { ok: false; error: unknown };

type Row = typeof signals.$inferSelect;
interface Link {
  reportId: string;
  method: LinkMethod;
  query: string | null;
  score: number | null;
  judge?: MatchVerdict | null;
}

/** D1 binds at most 100 parameters a statement */
const IDS_PER_QUERY = 90;
/** report Durable Objects called at once per batch (see at-most.ts) */
const REPORT_CALLS_IN_FLIGHT = 2;

const keyOf = (project: string, id: string) => `${project}\u0000${id}`;

export async function processSignals(
  batch: { signal: NormalizedSignal; lastAttempt: boolean }[],
  env: Env,
  deps: ConsumerDeps,
): Promise<Map<NormalizedSignal, SignalResult>> {
  const results = new Map<NormalizedSignal, SignalResult>();
  const fail = (s: NormalizedSignal, error: unknown) => results.set(s, { ok: false, error });
  const db = drizzle(env.DB);

  // 1. what is stored already
  const rows = await loadRows(env.DB, batch.map((b) => b.signal));

  // 2. first sight: safety tier 2 and triage, then one D1 batch
  const writes: D1PreparedStatement[] = [];
  const firstSight: { row: Row; statement: number }[] = [];
  for (const { signal, lastAttempt } of batch) {
    if (rows.has(keyOf(signal.project, signal.id)) || results.has(signal)) continue;
    try {
      const verdict = await deps.safety.classify(signal, lastAttempt ? {} : { onJudgeFailure: "throw" });
      // the judge's verdict is kept either way: the project's own labels for the offline tier
      const judged = verdictRow(signal.project, signal, verdict, Date.now());
      if (judged) {
        const { sql, params } = db.insert(safetyVerdicts).values(judged).onConflictDoNothing().toSQL();
        writes.push(env.DB.prepare(sql).bind(...params));
      }
      if (verdict.action === "drop") {
        const { sql, params } = db.insert(droppedSignals).values(droppedRow(signal.project, signal, verdict, signal.received_at)).onConflictDoNothing().toSQL();
        writes.push(env.DB.prepare(sql).bind(...params));
        results.set(signal, { ok: true, outcome: "dropped" });
        continue;
      }
      const triage = await deps.triage.classify(signal);
      const row: Row = {
        projectId: signal.project,
        id: signal.id,
        sourceProduct: signal.source_product,
        sourceType: signal.source_type,
        content: signal.content,
        weight: signal.weight,
        embedding: null,
        metadata: signal.metadata ? JSON.stringify(signal.metadata) : null,
        timestamp: signal.timestamp ?? null,
        receivedAt: signal.received_at,
        reportId: null,
        linkMethod: null,
        linkQuery: null,
        linkScore: null,
        linkJudge: null,
        fingerprint: null,
        triage: triage.verdict,
        triageReason: triage.reason ?? null,
      };
      firstSight.push({ row, statement: writes.push(insertSignal(env.DB, row)) - 1 });
    } catch (e) {
      fail(signal, e);
    }
  }
  // a plain statement per row and no read-back: the consumer used to run a query builder and then
  // SELECT the content it had just written, per signal
  const written = writes.length ? await env.DB.batch<{ id: string }>(writes) : [];
  const lostRace: NormalizedSignal[] = [];
  for (const { row, statement } of firstSight) {
    if (written[statement].results.length > 0) rows.set(keyOf(row.projectId, row.id), row);
    // another delivery stored it between our read and our write: its row wins
    else lostRace.push(batch.find((b) => b.signal.project === row.projectId && b.signal.id === row.id)!.signal);
  }
  if (lostRace.length) for (const [k, row] of await loadRows(env.DB, lostRace)) rows.set(k, row);

  // 3. grouping in arrival order; noise is kept with its reason and never grouped
  const links = new Map<NormalizedSignal, Link>();
  const toClaim: { signal: NormalizedSignal; link: Link; embedding: number[] | null; fingerprint: string | null }[] = [];
  const pending = batch.map((b) => b.signal).filter((s) => !results.has(s) && !rows.get(keyOf(s.project, s.id))?.reportId);
  // fingerprints once for the batch, in arrival order (log templates are mined as lines arrive), on the stored text
  const storedPending = pending.map((s) => storedSignal(s, rows.get(keyOf(s.project, s.id))));
  const fps = await deps.grouping.fingerprinter.fingerprints(storedPending);
  const fpOf = new Map(storedPending.map((s, i) => [keyOf(s.project, s.id), fps[i]]));
  const fingerprinter = precomputed(fpOf, (s) => keyOf(s.project, s.id), deps.grouping.fingerprinter);
  const fingerprints = await prefetchFingerprints(env.DB, deps.grouping.fingerprints, pending, fpOf);
  const index = new BufferedVectorIndex(deps.grouping.index, deps.grouping.recent ?? null);
  // people's corrections, read once per project for the batch, and only if a signal needs the vector path
  const corrections = deps.grouping.corrections ? oncePerProject(deps.grouping.corrections) : null;
  const grouping = await prefetchQueries({ ...deps.grouping, fingerprints, index, fingerprinter, corrections }, pending, rows, fpOf);
  // read once for the batch; a bad GROUPING_THRESHOLD still fails each signal on its own, as before
  let threshold: number | undefined;
  for (const { signal } of batch) {
    if (results.has(signal)) continue;
    const row = rows.get(keyOf(signal.project, signal.id));
    if (!row) {
      fail(signal, new Error(`signal ${signal.id} was not stored`));
      continue;
    }
    if (row.triage === "noise") {
      results.set(signal, { ok: true, outcome: "noise" });
      continue;
    }
    if (row.reportId) {
      // grouped by an earlier attempt or a duplicate delivery: only make sure the report has it
      links.set(signal, storedLink(row, row.reportId));
      continue;
    }
    try {
      const d = await assignSignal(storedSignal(signal, row), grouping, {
        threshold: (threshold ??= groupingThreshold(env, deps.grouping.embedder)),
        topK: DEFAULT_TOP_K,
        newReportId: () => crypto.randomUUID(),
      });
      toClaim.push({ signal, link: { reportId: d.reportId, method: d.method, query: d.query, score: d.score, judge: d.judge ?? null }, embedding: d.embedding, fingerprint: d.fingerprint });
    } catch (e) {
      fail(signal, e);
    }
  }
  // what grouping learned, written once for the batch, before any signal points at its report
  await index.flush();
  await fingerprints.flush();
  if (toClaim.length) {
    const claim = env.DB.prepare(
      `UPDATE signals SET report_id = ?, link_method = ?, link_query = ?, link_score = ?, link_judge = ?, embedding = ?, fingerprint = ?
       WHERE project_id = ? AND id = ? AND report_id IS NULL RETURNING id`,
    );
    const claimed = await env.DB.batch<{ id: string }>(
      toClaim.map(({ signal, link, embedding, fingerprint }) =>
        claim.bind(link.reportId, link.method, link.query, link.score, link.judge ? JSON.stringify(link.judge) : null, embedding ? encodeEmbedding(embedding) : null, fingerprint, signal.project, signal.id),
      ),
    );
    const lost: NormalizedSignal[] = [];
    toClaim.forEach((c, i) => (claimed[i].results.length ? links.set(c.signal, c.link) : lost.push(c.signal)));
    // a concurrent delivery of the same signal grouped it first: its link wins
    for (const [, row] of lost.length ? await loadRows(env.DB, lost) : []) {
      const signal = lost.find((s) => s.project === row.projectId && s.id === row.id)!;
      if (row.reportId) links.set(signal, storedLink(row, row.reportId));
      else fail(signal, new Error(`signal ${row.id} lost its link while grouping`));
    }
  }

  // 4. one Durable Object call per report, two reports at a time; their D1 listings in one batch
  const listings: ReportListing[] = [];
  const byReport = new Map<string, NormalizedSignal[]>();
  for (const [signal, link] of links) byReport.set(link.reportId, [...(byReport.get(link.reportId) ?? []), signal]);
  await atMost(
    REPORT_CALLS_IN_FLIGHT,
    [...byReport],
    async ([reportId, members]) => {
      const project = members[0].project;
      const items = members.map((signal) => {
        const row = rows.get(keyOf(signal.project, signal.id))!;
        const link = links.get(signal)!;
        return {
          signal: { id: row.id, source_product: row.sourceProduct, source_type: row.sourceType, content: row.content, weight: row.weight, received_at: row.receivedAt },
          link: { method: link.method, query: link.query, score: link.score, judge: link.judge ?? null },
        };
      });
      try {
        const threshold = await projectThreshold(env, project, deps.thresholds);
        const report = env.REPORTS.get(env.REPORTS.idFromName(reportId));
        try {
          listings.push(await report.addSignals({ reportId, project, threshold, items }));
          for (const s of members) results.set(s, { ok: true, outcome: "report" });
        } catch (e) {
          if (members.length === 1) throw e;
          // one signal may be the cause: each on its own, so only it fails
          for (let i = 0; i < members.length; i++) {
            try {
              listings.push(await report.addSignals({ reportId, project, threshold, items: [items[i]] }));
              results.set(members[i], { ok: true, outcome: "report" });
            } catch (err) {
              fail(members[i], err);
            }
          }
        }
      } catch (e) {
        for (const s of members) fail(s, e);
      }
    },
  );
  // a signal counts as in its report once the listing shows it: a failure here retries them (addSignals is idempotent)
  if (listings.length) await env.DB.batch(listings.map((l) => mirrorStatement(env.DB, l)));
  return results;
}

/** The link a stored row already holds (an earlier attempt or another delivery grouped it). */
function storedLink(row: Row, reportId: string): Link {
  return {
    reportId,
    method: row.linkMethod as LinkMethod,
    query: row.linkQuery,
    score: row.linkScore,
    judge: row.linkJudge ? (JSON.parse(row.linkJudge) as MatchVerdict) : null,
  };
}

/** Stored rows of these signals, by project and id, in a few queries. */
async function loadRows(d1: D1Database, list: NormalizedSignal[]): Promise<Map<string, Row>> {
  const db = drizzle(d1);
  const out = new Map<string, Row>();
  const byProject = new Map<string, string[]>();
  for (const s of list) byProject.set(s.project, [...(byProject.get(s.project) ?? []), s.id]);
  for (const [project, ids] of byProject) {
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const found = await db
        .select()
        .from(signals)
        .where(and(eq(signals.projectId, project), inArray(signals.id, ids.slice(i, i + IDS_PER_QUERY))))
        .all();
      for (const r of found) out.set(keyOf(r.projectId, r.id), r);
    }
  }
  return out;
}

/**
 * The batch's fingerprints looked up in one query per project, behind the
 * same interface: hits and misses are answered from the prefetch, a
 * fingerprint set by an earlier signal of the batch is seen by the later ones,
 * and the new ones are written in one D1 batch (`flush`; first writer wins).
 */
async function prefetchFingerprints(
  d1: D1Database,
  store: FingerprintStore,
  list: NormalizedSignal[],
  fpOf: Map<string, string | null>,
): Promise<FingerprintStore & { flush(): Promise<void> }> {
  const known = new Map<string, FingerprintHit | null>();
  const byProject = new Map<string, string[]>();
  for (const s of list) {
    const fp = fpOf.get(keyOf(s.project, s.id));
    if (fp) byProject.set(s.project, [...(byProject.get(s.project) ?? []), fp]);
  }
  for (const [project, fps] of byProject) {
    const unique = [...new Set(fps)];
    for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
      const chunk = unique.slice(i, i + IDS_PER_QUERY);
      const { results } = await d1
        .prepare(`SELECT fingerprint, report_id, embedding FROM fingerprints WHERE project_id = ? AND fingerprint IN (${chunk.map(() => "?").join(", ")})`)
        .bind(project, ...chunk)
        .all<{ fingerprint: string; report_id: string; embedding: string | null }>();
      for (const fp of chunk) known.set(keyOf(project, fp), null);
      for (const r of results) known.set(keyOf(project, r.fingerprint), { reportId: r.report_id, embedding: r.embedding ? decodeEmbedding(r.embedding) : null });
    }
  }
  const added: D1PreparedStatement[] = [];
  const storedOf = new Map<string, Promise<string[]>>();
  const insert = d1.prepare(
    "INSERT INTO fingerprints (project_id, fingerprint, report_id, embedding, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
  );
  return {
    async get(project, fp) {
      const k = keyOf(project, fp);
      return known.has(k) ? known.get(k)! : store.get(project, fp);
    },
    async set(project, fp, hit) {
      known.set(keyOf(project, fp), hit);
      added.push(insert.bind(project, fp, hit.reportId, hit.embedding ? encodeEmbedding(hit.embedding) : null, Date.now()));
    },
    async moveTo(project, fp, from, hit) {
      const k = keyOf(project, fp);
      if (known.has(k) && known.get(k)?.reportId !== from) return;
      known.set(k, hit);
      // after the batch's inserts, in order: compare and set, like the store's own
      added.push(moveFingerprint(d1, project, fp, from, hit));
    },
    async ofReport(project, reportId, limit = 50) {
      const mine = [...known.entries()].filter(([k, hit]) => hit?.reportId === reportId && k.startsWith(keyOf(project, ""))).map(([k]) => k.slice(keyOf(project, "").length));
      // what D1 holds for a report is read once per batch; what the batch adds is in `known`
      const k = keyOf(project, reportId);
      let stored = storedOf.get(k);
      if (!stored) storedOf.set(k, (stored = store.ofReport(project, reportId, limit)));
      return [...new Set([...mine, ...(await stored)])].slice(0, limit);
    },
    async flush() {
      if (added.length) await d1.batch(added.splice(0));
    },
  };
}

/**
 * Queries and their vectors for the batch's signals that will need them (no
 * fingerprint hit, not a repeat of an earlier fingerprint in the batch):
 * queries written concurrently, then one embedding call for all of them,
 * instead of one call per signal. `assignSignal` reads them through the same
 * interfaces; anything not prefetched goes to the real writer and embedder.
 */
async function prefetchQueries(deps: GroupingDeps, list: NormalizedSignal[], rows: Map<string, Row>, fpOf: Map<string, string | null>): Promise<GroupingDeps> {
  const seen = new Set<string>();
  const need: NormalizedSignal[] = [];
  for (const s of list) {
    const row = rows.get(keyOf(s.project, s.id));
    if (!row || row.triage === "noise") continue;
    const fp = fpOf.get(keyOf(s.project, s.id));
    if (fp) {
      if (seen.has(keyOf(s.project, fp)) || (await deps.fingerprints.get(s.project, fp))) continue;
      seen.add(keyOf(s.project, fp));
    }
    need.push(s);
  }
  const written = new Map<string, string[]>();
  await Promise.all(
    need.map(async (s) => {
      written.set(keyOf(s.project, s.id), await deps.queryWriter.write(storedSignal(s, rows.get(keyOf(s.project, s.id)))));
    }),
  );
  const texts = [...new Set([...written.values()].flat().map((q) => q.trim()).filter(Boolean))];
  const vectors = new Map<string, number[]>();
  if (texts.length) (await deps.embedder.embed(texts)).forEach((v, i) => vectors.set(texts[i], v));
  return {
    ...deps,
    queryWriter: {
      name: deps.queryWriter.name,
      usesLlm: deps.queryWriter.usesLlm,
      write: async (s) => written.get(keyOf(s.project, s.id)) ?? deps.queryWriter.write(s),
    },
    embedder: {
      model: deps.embedder.model,
      dimensions: deps.embedder.dimensions,
      defaultThreshold: deps.embedder.defaultThreshold,
      embed: async (list) => (list.every((t) => vectors.has(t)) ? list.map((t) => vectors.get(t)!) : deps.embedder.embed(list)),
    },
  };
}

/** The signal as stored (normalized text, weight, source), which grouping reads. */
function storedSignal(s: NormalizedSignal, row: Row | undefined): NormalizedSignal {
  return row ? { ...s, content: row.content, weight: row.weight, source_product: row.sourceProduct, source_type: row.sourceType } : s;
}

async function projectThreshold(env: Env, project: string, cache: Map<string, number>): Promise<number> {
  const hit = cache.get(project);
  if (hit !== undefined) return hit;
  const row = await drizzle(env.DB).select({ t: projects.promotionThreshold }).from(projects).where(eq(projects.id, project)).get();
  const t = row?.t ?? Number(env.DEFAULT_PROMOTION_THRESHOLD ?? 5);
  cache.set(project, t);
  return t;
}

/** Stores a signal on first sight; returns its id when this statement wrote the row. */
function insertSignal(d1: D1Database, r: Row): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO signals (project_id, id, source_product, source_type, content, weight, metadata, timestamp, received_at, triage, triage_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
    )
    .bind(r.projectId, r.id, r.sourceProduct, r.sourceType, r.content, r.weight, r.metadata, r.timestamp, r.receivedAt, r.triage, r.triageReason);
}
