/**
 * Local face of the `AI` binding (wrangler env `local`): answers text
 * embedding requests in the Workers AI response shape with deterministic
 * hashed n-gram vectors. Other models are not available offline.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { HashedNgramEmbedder } from "../grouping/hashed-embedder";

const EMBEDDING_MODELS: Record<string, number> = {
  "@cf/baai/bge-small-en-v1.5": 384,
  "@cf/baai/bge-base-en-v1.5": 768,
  "@cf/baai/bge-large-en-v1.5": 1024,
};

export class LocalAi extends WorkerEntrypoint<Env> {
  async run(model: string, inputs: { text: string | string[] }): Promise<{ shape: number[]; data: number[][]; pooling: string }> {
    const dims = EMBEDDING_MODELS[model];
    if (!dims) throw new Error(`LocalAi: model ${model} is not available offline`);
    const texts = typeof inputs.text === "string" ? [inputs.text] : inputs.text;
    const data = await new HashedNgramEmbedder(dims).embed(texts);
    return { shape: [data.length, dims], data, pooling: "mean" };
  }
}
