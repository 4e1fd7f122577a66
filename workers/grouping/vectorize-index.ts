/**
 * `VectorIndex` over a Vectorize binding: one namespace per project, the
 * report id and query kept as metadata. Production binds Vectorize; the local
 * environment binds `LocalVectorize` (a SQLite Durable Object) behind the same
 * API subset.
 */
import type { VectorizeBinding } from "../env";
import type { VectorIndex, VectorMatch, VectorRecord } from "./types";

/** Vectorize vector ids are at most 64 bytes. */
const MAX_ID_BYTES = 64;

export class VectorizeVectorIndex implements VectorIndex {
  constructor(private readonly binding: VectorizeBinding) {}

  async query(project: string, vector: number[], topK: number): Promise<VectorMatch[]> {
    const res = await this.binding.query(vector, { topK, namespace: project, returnMetadata: "all" });
    return res.matches
      .filter((m) => typeof m.metadata?.report_id === "string")
      .map((m) => {
        const match: VectorMatch = { id: m.id, reportId: m.metadata!.report_id as string, score: m.score };
        if (typeof m.metadata!.fingerprint === "string") match.fingerprint = m.metadata!.fingerprint;
        if (typeof m.metadata!.failure === "string") match.failure = m.metadata!.failure;
        if (typeof m.metadata!.query === "string") match.query = m.metadata!.query;
        if (typeof m.metadata!.signal === "string") match.signal = m.metadata!.signal;
        return match;
      });
  }

  async upsert(project: string, records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const vectors = await Promise.all(
      records.map(async (r) => {
        const id = await vectorId(r.id);
        return {
          id,
          values: r.values,
          namespace: project,
          metadata: {
            // a hashed id no longer names its signal (corrections find a moved signal's vectors by it)
            ...(id !== r.id ? { signal: r.id.slice(0, Math.max(0, r.id.lastIndexOf(":"))) } : {}),
            report_id: r.reportId,
            query: r.query.slice(0, 256),
            ...(r.fingerprint ? { fingerprint: r.fingerprint.slice(0, 512) } : {}),
            ...(r.failure ? { failure: r.failure.slice(0, 256) } : {}),
          },
        };
      }),
    );
    // Vectorize takes at most 1,000 vectors a call
    for (let i = 0; i < vectors.length; i += 500) await this.binding.upsert(vectors.slice(i, i + 500));
  }
}

async function vectorId(id: string): Promise<string> {
  if (new TextEncoder().encode(id).byteLength <= MAX_ID_BYTES) return id;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
