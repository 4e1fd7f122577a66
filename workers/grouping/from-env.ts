/**
 * The grouping faces a deployment asks for through its environment, chosen
 * here and nowhere else:
 *
 *   GROUPING_QUERY_WRITER  offline | anthropic | workers-ai
 *                          (default: anthropic when ANTHROPIC_API_KEY is set, else offline)
 *   GROUPING_QUERY_MODEL   the writer's model (claude-haiku-4-5 / @cf/meta/llama-3.1-8b-instruct)
 *   GROUPING_QUERY_TIERS   escalate (default) | escalate_all | always: with an LLM writer,
 *                          `escalate` writes offline queries first and asks the model only
 *                          for a signal of free text (no stack or log fingerprint) they cannot
 *                          place — a stack trace or log line with a new fingerprint is a new
 *                          problem's first signal and its extracted queries already say what
 *                          it is about; `escalate_all` asks for any signal they cannot place;
 *                          `always` asks it for every signal
 *   ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL   the Anthropic writer's credentials (shared with the safety judge)
 *   EMBEDDING_MODEL        Workers AI embedding model (default @cf/baai/bge-base-en-v1.5)
 *   GROUPING_MATCH_JUDGE   offline | anthropic: who decides a borderline match
 *                          (default: anthropic when ANTHROPIC_API_KEY is set, else the offline rule)
 *   GROUPING_JUDGE_MODEL   the match judge's model (claude-haiku-4-5)
 *   GROUPING_THRESHOLD     overrides the embedder's calibrated threshold
 *   VECTOR_VISIBILITY_WINDOW_MS  how long the consumer also searches the vectors it wrote
 *                          itself (D1 `recent_vectors`), for Vectorize shows an upsert only
 *                          seconds later; on whenever the index is Vectorize, or the local
 *                          face simulates its delay (LOCAL_VECTORIZE_DELAY_MS)
 *
 * The LLM writers fall back to the offline writer's queries for a signal
 * they cannot answer, so an outage slows nothing down.
 */
import type { AiBinding, Env } from "../env";
import { D1CorrectionStore } from "./d1-corrections";
import { D1FingerprintStore } from "./d1-fingerprints";
import { D1LogTemplateStore } from "./d1-log-templates";
import { MinedFingerprinter } from "./fingerprinter";
import { LlmMatchJudge } from "./llm-match-judge";
import { LlmQueryWriter } from "./llm-query-writer";
import { RuleMatchJudge } from "./rule-match-judge";
import { OfflineQueryWriter } from "./offline-query-writer";
import { D1RecentVectors, visibilityWindow } from "./recent-vectors";
import type { Embedder, GroupingDeps, MatchJudge, QueryWriter } from "./types";
import { VectorizeVectorIndex } from "./vectorize-index";
import { WorkersAiEmbedder } from "./workers-ai-embedder";
import { WorkersAiQueryWriter } from "./workers-ai-query-writer";

export const QUERY_WRITERS = ["offline", "anthropic", "workers-ai"] as const;
export type QueryWriterName = (typeof QUERY_WRITERS)[number];

export interface QueryWriterEnv {
  GROUPING_QUERY_WRITER?: string;
  GROUPING_QUERY_MODEL?: string;
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
}

export class GroupingConfigError extends Error {}

export function queryWriterName(env: QueryWriterEnv): QueryWriterName {
  const asked = env.GROUPING_QUERY_WRITER?.trim();
  if (!asked) return env.ANTHROPIC_API_KEY?.trim() ? "anthropic" : "offline";
  if (!(QUERY_WRITERS as readonly string[]).includes(asked)) {
    throw new GroupingConfigError(`GROUPING_QUERY_WRITER must be one of ${QUERY_WRITERS.join(", ")}, not '${asked}'`);
  }
  return asked as QueryWriterName;
}

/** The query writer `env` asks for; `ai` is the Workers AI binding (or its REST face). */
export function queryWriterFromEnv(env: QueryWriterEnv, ai: AiBinding | null, opts: { fetch?: typeof fetch } = {}): QueryWriter {
  const offline = new OfflineQueryWriter();
  const name = queryWriterName(env);
  const model = env.GROUPING_QUERY_MODEL?.trim() || undefined;
  if (name === "anthropic") {
    const apiKey = env.ANTHROPIC_API_KEY?.trim();
    if (!apiKey) throw new GroupingConfigError("GROUPING_QUERY_WRITER=anthropic needs ANTHROPIC_API_KEY");
    return new LlmQueryWriter({ apiKey, baseURL: env.ANTHROPIC_BASE_URL?.trim() || undefined, model, fetch: opts.fetch, fallback: offline });
  }
  if (name === "workers-ai") {
    if (!ai) throw new GroupingConfigError("GROUPING_QUERY_WRITER=workers-ai needs the AI binding");
    return new WorkersAiQueryWriter(ai, offline, model);
  }
  return offline;
}

export const MATCH_JUDGES = ["offline", "anthropic"] as const;

/** The match judge `env` asks for: the offline rule, or Anthropic (falling back to the rule per question). */
export function matchJudgeFromEnv(env: QueryWriterEnv & { GROUPING_MATCH_JUDGE?: string; GROUPING_JUDGE_MODEL?: string }, opts: { fetch?: typeof fetch } = {}): MatchJudge {
  const asked = env.GROUPING_MATCH_JUDGE?.trim() || (env.ANTHROPIC_API_KEY?.trim() ? "anthropic" : "offline");
  if (!(MATCH_JUDGES as readonly string[]).includes(asked)) {
    throw new GroupingConfigError(`GROUPING_MATCH_JUDGE must be one of ${MATCH_JUDGES.join(", ")}, not '${asked}'`);
  }
  if (asked === "offline") return new RuleMatchJudge();
  const apiKey = env.ANTHROPIC_API_KEY?.trim();
  if (!apiKey) throw new GroupingConfigError("GROUPING_MATCH_JUDGE=anthropic needs ANTHROPIC_API_KEY");
  return new LlmMatchJudge({ apiKey, baseURL: env.ANTHROPIC_BASE_URL?.trim() || undefined, model: env.GROUPING_JUDGE_MODEL?.trim() || undefined, fetch: opts.fetch });
}

export const QUERY_TIERS = ["escalate", "escalate_all", "always"] as const;

/**
 * The first query writer and the escalation writer `env` asks for: offline
 * alone; or, with an LLM writer, offline first and the model for what the
 * offline queries cannot place (`escalate`, the default), or the model for
 * every signal (`always`).
 */
export function queryTiersFromEnv(
  env: QueryWriterEnv & { GROUPING_QUERY_TIERS?: string },
  ai: AiBinding | null,
  opts: { fetch?: typeof fetch } = {},
): { queryWriter: QueryWriter; escalation: QueryWriter | null; escalateFingerprinted: boolean } {
  const writer = queryWriterFromEnv(env, ai, opts);
  if (!writer.usesLlm) return { queryWriter: writer, escalation: null, escalateFingerprinted: false };
  const tiers = env.GROUPING_QUERY_TIERS?.trim() || "escalate";
  if (!(QUERY_TIERS as readonly string[]).includes(tiers)) {
    throw new GroupingConfigError(`GROUPING_QUERY_TIERS must be one of ${QUERY_TIERS.join(", ")}, not '${tiers}'`);
  }
  return tiers === "always"
    ? { queryWriter: writer, escalation: null, escalateFingerprinted: false }
    : { queryWriter: new OfflineQueryWriter(), escalation: writer, escalateFingerprinted: tiers === "escalate_all" };
}

/** `GROUPING_THRESHOLD` when set, else the embedder's own. */
export function groupingThreshold(env: { GROUPING_THRESHOLD?: string }, embedder: Embedder): number {
  const raw = env.GROUPING_THRESHOLD?.trim();
  if (!raw) return embedder.defaultThreshold;
  const t = Number(raw);
  if (!(t > 0 && t <= 1)) throw new GroupingConfigError(`GROUPING_THRESHOLD must be a number in (0, 1], not '${raw}'`);
  return t;
}

/** Whether the `VECTORS` binding shows an upsert later: Vectorize does; the local face only when told to. */
export function eventuallyConsistent(env: Pick<Env, "LOCAL_VECTORS" | "LOCAL_VECTORIZE_DELAY_MS">): boolean {
  return !env.LOCAL_VECTORS || Number(env.LOCAL_VECTORIZE_DELAY_MS ?? 0) > 0;
}

/** The queue consumer's grouping dependencies. */
export function groupingDepsFromEnv(env: Env): GroupingDeps {
  return {
    ...queryTiersFromEnv(env, env.AI),
    embedder: new WorkersAiEmbedder(env.AI, env.EMBEDDING_MODEL?.trim() || undefined),
    index: new VectorizeVectorIndex(env.VECTORS),
    fingerprints: new D1FingerprintStore(env.DB),
    fingerprinter: new MinedFingerprinter(new D1LogTemplateStore(env.DB)),
    corrections: new D1CorrectionStore(env.DB),
    matchJudge: matchJudgeFromEnv(env),
    recent: eventuallyConsistent(env) ? new D1RecentVectors(env.DB, visibilityWindow(env.VECTOR_VISIBILITY_WINDOW_MS)) : null,
  };
}
