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

  it("writes standard base64 of the little-endian float32 bytes, padding included", () => {
    // 1, 2 and 3 floats: 4, 8 and 12 bytes, so every remainder of the 3-byte groups
    for (const v of [[1.5], [-2, 0.1], [3, -0.5, 1e-7], Array.from({ length: 768 }, (_, i) => Math.cos(i))]) {
      const expected = Buffer.from(new Uint8Array(Float32Array.from(v).buffer)).toString("base64");
      expect(encodeEmbedding(v)).toBe(`f32:${expected}`);
      expect(decodeEmbedding(encodeEmbedding(v))).toEqual(Array.from(Float32Array.from(v)));
    }
  });

  it("reads rows written as JSON before", () => {
    expect(decodeEmbedding("[0.5,-0.25]")).toEqual([0.5, -0.25]);
  });
});
