import { describe, expect, it } from "vitest";
import { decodeEmbedding, encodeEmbedding } from "../../workers/normalize/embedding-codec";

describe("embedding codec", () => {
  it("round-trips float32 values in a quarter of the JSON text", () => {
    const v = Array.from({ length: 768 }, (_, i) => Math.sin(i) / 27.7);
    const text = encodeEmbedding(v);
    expect(text.startsWith("f32:")).toBe(true);
    expect(text.length).toBeLessThan(JSON.stringify(v).length / 3);
    const back = decodeEmbedding(text);
    expect(back).toHaveLength(768);
    back.forEach((x, i) => expect(x).toBeCloseTo(v[i], 6));
    expect(back).toEqual(Array.from(Float32Array.from(v)));
  });

  it("reads rows written as JSON before", () => {
    expect(decodeEmbedding("[0.5,-0.25]")).toEqual([0.5, -0.25]);
  });
});
