/**
 * A signal's embedding as D1 stores it: `f32:` and the base64 of its float32
 * values (little-endian), ~4 KB for 768 dimensions where JSON text took ~16 KB
 * (the local D1 keeps what it stores in memory: 10,000 signals' JSON was a
 * tenth of the local Worker's footprint). Rows written before hold JSON
 * arrays, which decode as they are.
 */
const PREFIX = "f32:";

export function encodeEmbedding(values: readonly number[]): string {
  // typed arrays filled by index, bytes handed to fromCharCode as one array-like: no iterator, no spread
  const floats = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) floats[i] = values[i];
  const bytes = new Uint8Array(floats.buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x2000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x2000) as unknown as number[]);
  }
  return PREFIX + btoa(binary);
}

export function decodeEmbedding(text: string): number[] {
  if (!text.startsWith(PREFIX)) return JSON.parse(text) as number[];
  const binary = atob(text.slice(PREFIX.length));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const floats = new Float32Array(bytes.buffer);
  const out = new Array<number>(floats.length);
  for (let i = 0; i < floats.length; i++) out[i] = floats[i];
  return out;
}
