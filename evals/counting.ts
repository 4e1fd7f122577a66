/** Wrappers that count the calls a suite makes to paid providers. */
import type { Embedder, MatchJudge, QueryWriter } from "../workers/grouping/types";

export interface CallCounts {
  /** every LLM call: the query writer's and the match judge's */
  llm_calls: number;
  embed_calls: number;
  /** of llm_calls, the match judge's */
  judge_calls: number;
}

/** One LLM call per question an LLM judge is asked. */
export function countingMatchJudge(inner: MatchJudge, counts: CallCounts): MatchJudge {
  return {
    name: inner.name,
    usesLlm: inner.usesLlm,
    async judge(q) {
      if (inner.usesLlm) {
        counts.llm_calls++;
        counts.judge_calls++;
      }
      return inner.judge(q);
    },
  };
}

export function countingQueryWriter(inner: QueryWriter, counts: CallCounts): QueryWriter {
  return {
    name: inner.name,
    usesLlm: inner.usesLlm,
    async write(signal) {
      if (inner.usesLlm) counts.llm_calls++;
      return inner.write(signal);
    },
  };
}

/** One embed call per batch request, as Workers AI bills a request. */
export function countingEmbedder(inner: Embedder, counts: CallCounts): Embedder {
  return {
    model: inner.model,
    dimensions: inner.dimensions,
    defaultThreshold: inner.defaultThreshold,
    async embed(texts) {
      counts.embed_calls++;
      return inner.embed(texts);
    },
  };
}
