/**
 * Local face of the `VECTORS` binding (wrangler env `local`): the subset of
 * `VectorizeIndex` the pipeline uses, stored in the `LocalVectorIndex`
 * Durable Object so it survives restarts.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env, VectorizeQueryOptions, VectorizeVectorInput } from "../env";

const INDEX_NAME = "nightshift-about";

export class LocalVectorize extends WorkerEntrypoint<Env> {
  private store() {
    const ns = this.env.LOCAL_VECTORS;
    if (!ns) throw new Error("LocalVectorize needs the LOCAL_VECTORS Durable Object binding");
    return ns.get(ns.idFromName(INDEX_NAME));
  }

  async query(vector: number[], options: VectorizeQueryOptions = {}) {
    // a typed array crosses to the Durable Object as one copy, not 768 numbers; float64 keeps the query exact
    const res = await this.store().query(Float64Array.from(vector), options.namespace ?? "", options.topK ?? 5);
    const withMeta = options.returnMetadata && options.returnMetadata !== "none";
    return { count: res.count, matches: res.matches.map((m) => (withMeta ? m : { id: m.id, score: m.score })) };
  }

  async upsert(vectors: VectorizeVectorInput[]) {
    return this.store().upsert(vectors);
  }
}
