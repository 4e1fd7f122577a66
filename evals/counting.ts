/** Wrappers that count the calls a suite makes to paid providers. */
import type { Embedder, QueryWriter } from "../workers/grouping/types";

export interface CallCounts {
  llm_calls: number;
  embed_calls: number;
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
