/**
 * Production embedder: Workers AI text embeddings through the `AI` binding
 * (`@cf/baai/bge-base-en-v1.5`, 768 dimensions, up to 100 texts a call).
 * In the local environment the same binding reaches `LocalAi`, which answers
 * in the Workers AI response shape with hashed n-gram vectors.
 */
import { z } from "zod";
import type { AiBinding } from "../env";
import type { Embedder } from "./types";

const EmbeddingResponse = z.object({
  shape: z.array(z.number()).optional(),
  data: z.array(z.array(z.number())),
});

const MAX_TEXTS_PER_CALL = 100;

export class WorkersAiEmbedder implements Embedder {
  constructor(
    private readonly ai: AiBinding,
    readonly model = "@cf/baai/bge-base-en-v1.5",
    readonly dimensions = 768,
  ) {}

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
