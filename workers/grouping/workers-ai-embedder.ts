/**
 * Production embedder: Workers AI text embeddings through the `AI` binding
 * (`@cf/baai/bge-base-en-v1.5`, 768 dimensions, up to 100 texts a call), or
 * through the REST API (workers-ai-rest.ts) for the eval CLI.
 * In the local environment the same binding reaches `LocalAi`, which answers
 * in the Workers AI response shape with hashed n-gram vectors (and the local
 * vars set the hashed vectors' threshold).
 */
import { z } from "zod";
import type { AiBinding } from "../env";
import type { Embedder } from "./types";

const EmbeddingResponse = z.object({
  shape: z.array(z.number()).optional(),
  data: z.array(z.array(z.number())),
});

const MAX_TEXTS_PER_CALL = 100;

/**
 * Dimensions and default thresholds of the BGE models. The thresholds are
 * NOT calibrated on data here (no network on the development machine): BGE
 * puts related texts around 0.8–0.9 and unrelated technical texts of one
 * product around 0.6–0.75, so the default sits high; calibrate with
 * `npm run eval -- grouping --provider workers-ai --sweep` on your signals.
 */
export const WORKERS_AI_EMBEDDING_MODELS: Record<string, { dimensions: number; threshold: number }> = {
  "@cf/baai/bge-small-en-v1.5": { dimensions: 384, threshold: 0.85 },
  "@cf/baai/bge-base-en-v1.5": { dimensions: 768, threshold: 0.85 },
  "@cf/baai/bge-large-en-v1.5": { dimensions: 1024, threshold: 0.85 },
};

export class WorkersAiEmbedder implements Embedder {
  readonly dimensions: number;
  readonly defaultThreshold: number;

  constructor(
    private readonly ai: AiBinding,
    readonly model = "@cf/baai/bge-base-en-v1.5",
    dimensions?: number,
  ) {
    const known = WORKERS_AI_EMBEDDING_MODELS[model];
    this.dimensions = dimensions ?? known?.dimensions ?? 768;
    this.defaultThreshold = known?.threshold ?? 0.85;
  }

  async embed(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += MAX_TEXTS_PER_CALL) {
      const chunk = texts.slice(i, i + MAX_TEXTS_PER_CALL);
      const raw = await this.ai.run(this.model, { text: chunk });
      const parsed = EmbeddingResponse.safeParse(raw);
      if (!parsed.success) throw new Error(`Workers AI ${this.model}: unexpected response: ${parsed.error.issues[0]?.message}`);
      if (parsed.data.data.length !== chunk.length) {
        throw new Error(`Workers AI ${this.model}: ${parsed.data.data.length} vectors for ${chunk.length} texts`);
      }
      for (const v of parsed.data.data) {
        if (v.length !== this.dimensions) throw new Error(`Workers AI ${this.model}: vector of ${v.length} dimensions, expected ${this.dimensions}`);
        out.push(v);
      }
    }
    return out;
  }
}
