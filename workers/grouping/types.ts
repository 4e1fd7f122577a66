/**
 * The grouping stage's small typed interfaces. The Worker and the eval CLI
 * run the same `assignSignal` (assign.ts) over these, so everything here is
 * plain TypeScript with no runtime-specific imports.
 */

/** The part of a normalized signal that grouping reads. */
import type { CorrectionStore } from "./corrections";
import type { RecentVectorStore } from "./recent-vectors";

export interface GroupingSignal {
  id: string;
  project: string;
  source_product: string;
  source_type: string;
  content: string;
  weight: number;
}

/**
 * Writes 1–3 short queries about what a signal is *about* (feature, route,
 * behaviour), not what it looks like.
 * Offline: `OfflineQueryWriter` (deterministic extraction).
 * Production: an LLM query writer (Anthropic via @anthropic-ai/sdk, the
 * signal fenced as data, output validated with zod).
 */
export interface QueryWriter {
  readonly name: string;
  /** true when each write() costs one LLM call */
  readonly usesLlm: boolean;
  write(signal: GroupingSignal): Promise<string[]>;
}

/**
 * Turns texts into unit vectors of a fixed dimension.
 * Offline: `HashedNgramEmbedder`. Production: `WorkersAiEmbedder` over the
 * `AI` binding (`@cf/baai/bge-base-en-v1.5`, 768 dimensions).
 */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  /**
   * cosine similarity at or above which two queries are about the same thing
   * for this model's vectors (`GROUPING_THRESHOLD` overrides it;
   * `npm run eval -- grouping --sweep` calibrates it on your data)
   */
  readonly defaultThreshold: number;
  embed(texts: string[]): Promise<number[][]>;
}

export interface VectorMatch {
  /** vector id: `${signalId}:${queryIndex}` */
  id: string;
  reportId: string;
  score: number;
  /** the fingerprint of the signal that indexed the vector, when it had one */
  fingerprint?: string | null;
  /** the failure classes that signal named (failure-classes.ts), comma-separated */
  failure?: string | null;
  /** the query the vector was written for (what the report is known by) */
  query?: string;
  /** the signal that indexed it, when its id no longer says so (Vectorize ids over 64 bytes are hashed) */
  signal?: string;
}

export interface VectorRecord {
  id: string;
  reportId: string;
  values: number[];
  query: string;
  fingerprint?: string | null;
  failure?: string | null;
}

/**
 * Nearest-neighbour index over the query vectors of grouped signals, one
 * namespace per project (tenant isolation).
 * Production: `VectorizeVectorIndex` over the `VECTORS` binding (Vectorize).
 * Local: the same adapter over `LocalVectorize`, a SQLite Durable Object that
 * survives restarts; in-process: `MemoryVectorIndex` (eval CLI).
 */
export interface VectorIndex {
  query(project: string, vector: number[], topK: number): Promise<VectorMatch[]>;
  upsert(project: string, records: VectorRecord[]): Promise<void>;
}

export interface FingerprintHit {
  reportId: string;
  embedding: number[] | null;
}

/**
 * Deterministic fingerprint → report map, so repeats cost no LLM call and no
 * embedding. Worker: D1 (`D1FingerprintStore`); eval: in memory.
 */
export interface FingerprintStore {
  get(project: string, fingerprint: string): Promise<FingerprintHit | null>;
  set(project: string, fingerprint: string, hit: FingerprintHit): Promise<void>;
  /** leads a fingerprint to another report from now on, if it still leads to `from` (compare and set) */
  moveTo(project: string, fingerprint: string, from: string, hit: FingerprintHit): Promise<void>;
  /** the fingerprints that lead to a report (at most `limit`), for the veto */
  ofReport(project: string, reportId: string, limit?: number): Promise<string[]>;
}

/** A mined log template (log-miner.ts): a stable id, its bucket and its tokens with `<*>` for variables. */
export interface LogTemplate {
  id: string;
  bucket: string;
  tokens: string[];
}

/**
 * A project's log templates, so mining goes on where it stopped after a
 * restart. Worker: D1 (`log_templates`); eval and tests: in memory.
 */
export interface LogTemplateStore {
  /** the project's templates in these buckets */
  load(project: string, buckets: string[]): Promise<LogTemplate[]>;
  /** new or changed templates */
  save(project: string, templates: LogTemplate[]): Promise<void>;
}

/**
 * Deterministic fingerprints (fingerprinter.ts): a stack trace's exception and
 * top in-app frames, or the log template a line belongs to.
 */
export interface Fingerprinter {
  /** the fingerprints of `signals`, in order: a log line's depends on the templates mined before it */
  fingerprints(signals: GroupingSignal[]): Promise<(string | null)[]>;
}

/** how grouping linked a signal, or, for `merge` and `move`, the correction a person made */
export type LinkMethod = "fingerprint" | "vector" | "new" | "merge" | "move";

/** A report a signal could join, as the match judge sees it. */
export interface MatchQuestion {
  signal: GroupingSignal;
  reportId: string;
  /** the closest cosine between the signal's queries and the report's vectors */
  score: number;
  /** the signal's queries, and how many of them found the report close enough to agree */
  queries: string[];
  support: number;
  /** what the report is known by: the queries of its vectors the signal came closest to */
  reportQueries: string[];
  /** the grouping threshold and the score at which one query links alone */
  threshold: number;
  strong: number;
}

/** Whether one pull request could fix the signal and the report's signals, and why; kept on the link. */
export interface MatchVerdict {
  same: boolean;
  /** machine-readable: close_match, queries_agree, too_weak, different_problem, … */
  reason: string;
  /** the judge's own words, when it has them (an LLM's), else "" */
  detail: string;
  judge: string;
}

/**
 * Decides a borderline match (a clear one, close and backed by two queries,
 * needs no judge). Offline: `RuleMatchJudge` (rule-match-judge.ts).
 * Production: `LlmMatchJudge` (Anthropic; the signal and the report's queries
 * fenced as data).
 */
export interface MatchJudge {
  readonly name: string;
  /** true when each judge() costs one LLM call */
  readonly usesLlm: boolean;
  judge(q: MatchQuestion): Promise<MatchVerdict>;
}

export interface GroupingDecision {
  reportId: string;
  isNewReport: boolean;
  method: LinkMethod;
  /** the query (or fingerprint) that made the link */
  query: string | null;
  /** cosine similarity for vector links, 1 for fingerprints, null for new */
  score: number | null;
  fingerprint: string | null;
  queries: string[];
  /** what the signal is about, embedded (first query), for the normalized shape */
  embedding: number[] | null;
  /** the match judge's verdict on the report joined, when the match was borderline */
  judge?: MatchVerdict | null;
}

export interface GroupingOptions {
  /** cosine similarity at or above which a signal joins the nearest report */
  threshold: number;
  /** nearest neighbours fetched per query */
  topK?: number;
  /** a single query links alone only at threshold + this (default 0.1) */
  strongMargin?: number;
  /** another query supports a report when it scores at least threshold − this (default 0.07) */
  supportMargin?: number;
  /** score fingerprints first (default true) */
  useFingerprints?: boolean;
  /**
   * a query vector is not indexed when its lookup found a vector of the chosen
   * report at this cosine or above (default 0.99; above 1 indexes every vector)
   */
  nearDuplicate?: number;
  /** one in this many signals whose fingerprint is known is grouped again as if new, to find a report it clearly belongs with (default 16; 0 never) */
  recheckEvery?: number;
  newReportId: () => string;
}

export interface GroupingDeps {
  queryWriter: QueryWriter;
  embedder: Embedder;
  index: VectorIndex;
  fingerprints: FingerprintStore;
  fingerprinter: Fingerprinter;
  /**
   * what the consumer wrote to an eventually consistent index in the last
   * minute (recent-vectors.ts); null when the index shows upserts at once
   */
  recent?: RecentVectorStore | null;
  /** merges and moves people made (corrections.ts); none when absent */
  corrections?: CorrectionStore | null;
  /** decides borderline matches; the offline rule when absent */
  matchJudge?: MatchJudge | null;
  /**
   * a second query writer (an LLM in production), asked only for a signal the
   * first writer's queries could not place: what is new pays for a model call
   */
  escalation?: QueryWriter | null;
  /** also escalate a signal with a stack or log fingerprint (GROUPING_QUERY_TIERS=escalate_all); default: free text only */
  escalateFingerprinted?: boolean;
}
