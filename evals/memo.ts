/**
 * Providers that answer a repeated question from memory: a threshold sweep
 * runs the pipeline once per threshold, and a paid provider should be asked
 * about each signal (and embed each text) once, not once per threshold.
 */
import type { Embedder, QueryWriter } from "../workers/grouping/types";

export function memoQueryWriter(inner: QueryWriter): QueryWriter {
  const seen = new Map<string, Promise<string[]>>();
  return {
    name: inner.name,
    usesLlm: inner.usesLlm,
    write(signal) {
      const key = `${signal.project}\u0000${signal.id}\u0000${signal.content}`;
      let hit = seen.get(key);
      if (!hit) seen.set(key, (hit = inner.write(signal)));
      return hit;
    },
  };
}

export function memoEmbedder(inner: Embedder): Embedder {
  const seen = new Map<string, number[]>();
  return {
    model: inner.model,
    dimensions: inner.dimensions,
    defaultThreshold: inner.defaultThreshold,
    async embed(texts) {
      const missing = [...new Set(texts.filter((t) => !seen.has(t)))];
      if (missing.length) (await inner.embed(missing)).forEach((v, i) => seen.set(missing[i], v));
      return texts.map((t) => seen.get(t)!);
    },
  };
}
