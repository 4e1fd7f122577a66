import { describe, expect, it } from "vitest";
import type { AiBinding, VectorizeBinding, VectorizeQueryOptions, VectorizeVectorInput } from "../../workers/env";
import { VectorizeVectorIndex } from "../../workers/grouping/vectorize-index";
import { WorkersAiEmbedder } from "../../workers/grouping/workers-ai-embedder";

describe("WorkersAiEmbedder", () => {
  const vec = (d: number) => Array.from({ length: d }, (_, i) => (i === 0 ? 1 : 0));
  function fakeAi(answer: (texts: string[]) => unknown) {
    const calls: { model: string; texts: string[] }[] = [];
    const ai: AiBinding = {
      async run(model, inputs) {
        calls.push({ model, texts: "text" in inputs ? inputs.text : [] });
        return answer("text" in inputs ? inputs.text : []);
      },
    };
    return { ai, calls };
  }

  it("sends {text: [...]} to the model in chunks of 100 and returns the vectors in order", async () => {
    const { ai, calls } = fakeAi((texts) => ({ shape: [texts.length, 768], data: texts.map(() => vec(768)) }));
    const out = await new WorkersAiEmbedder(ai).embed(Array.from({ length: 150 }, (_, i) => `t${i}`));
    expect(out).toHaveLength(150);
    expect(calls.map((c) => [c.model, c.texts.length])).toEqual([
      ["@cf/baai/bge-base-en-v1.5", 100],
      ["@cf/baai/bge-base-en-v1.5", 50],
    ]);
    expect(calls[1].texts[0]).toBe("t100");
  });

  it("rejects a response without data", async () => {
    const { ai } = fakeAi(() => ({ result: "nope" }));
    await expect(new WorkersAiEmbedder(ai).embed(["a"])).rejects.toThrow(/unexpected response/);
  });

  it("rejects vectors of the wrong dimension or count", async () => {
    await expect(new WorkersAiEmbedder(fakeAi(() => ({ data: [vec(384)] })).ai).embed(["a"])).rejects.toThrow(/384 dimensions/);
    await expect(new WorkersAiEmbedder(fakeAi(() => ({ data: [] })).ai).embed(["a"])).rejects.toThrow(/0 vectors for 1/);
  });
});

describe("VectorizeVectorIndex", () => {
  function fakeVectorize() {
    const upserts: VectorizeVectorInput[][] = [];
    const queries: VectorizeQueryOptions[] = [];
    const binding: VectorizeBinding = {
      async query(_v, opts) {
        queries.push(opts!);
        return {
          matches: [
            { id: "s1:0", score: 0.8, metadata: { report_id: "r1", query: "q" } },
            { id: "s2:0", score: 0.7, metadata: { report_id: "r2", query: "q", fingerprint: "log:ab12", failure: "timeout,rate" } },
            { id: "orphan", score: 0.9 },
            { id: "f".repeat(64), score: 0.6, metadata: { report_id: "r3", query: "q", signal: "a-very-long-signal-id" } },
          ] as { id: string; score: number; metadata?: Record<string, string> }[],
        };
      },
      async upsert(v) {
        upserts.push(v);
        return { count: v.length };
      },
    };
    return { binding, upserts, queries };
  }

  it("queries the project's namespace with metadata and skips vectors without a report", async () => {
    const f = fakeVectorize();
    const matches = await new VectorizeVectorIndex(f.binding).query("proj", [1, 0], 5);
    expect(f.queries).toEqual([{ topK: 5, namespace: "proj", returnMetadata: "all" }]);
    expect(matches).toEqual([
      { id: "s1:0", reportId: "r1", score: 0.8, query: "q" },
      { id: "s2:0", reportId: "r2", score: 0.7, fingerprint: "log:ab12", failure: "timeout,rate", query: "q" },
      { id: "f".repeat(64), reportId: "r3", score: 0.6, query: "q", signal: "a-very-long-signal-id" },
    ]);
  });

  it("upserts into the project's namespace, hashing ids over 64 bytes", async () => {
    const f = fakeVectorize();
    const longId = `${"x".repeat(80)}:0`;
    await new VectorizeVectorIndex(f.binding).upsert("proj", [
      { id: "s1:0", reportId: "r1", values: [1, 0], query: "checkout payment" },
      { id: longId, reportId: "r1", values: [0, 1], query: "q".repeat(300) },
      { id: "s3:0", reportId: "r3", values: [1, 1], query: "db pool", fingerprint: "stack:TypeError:f@a.ts", failure: "timeout" },
    ]);
    const [batch] = f.upserts;
    expect(batch[0]).toEqual({ id: "s1:0", values: [1, 0], namespace: "proj", metadata: { report_id: "r1", query: "checkout payment" } });
    // the fingerprint and failure classes of the signal that indexed a vector travel as metadata, for the vetoes
    expect(batch[2].metadata).toEqual({ report_id: "r3", query: "db pool", fingerprint: "stack:TypeError:f@a.ts", failure: "timeout" });
    expect(batch[1].id).toMatch(/^[0-9a-f]{64}$/);
    // a hashed id keeps its signal's id in the metadata (corrections find a moved signal's vectors by it)
    expect(batch[1].metadata!.signal).toBe("x".repeat(80));
    expect(batch[0].metadata).not.toHaveProperty("signal");
    expect(String(batch[1].metadata!.query)).toHaveLength(256);
  });
});
