/**
 * A signal's embedding as D1 stores it: `f32:` and the base64 of its float32
 * values (little-endian), ~4 KB for 768 dimensions where JSON text took ~16 KB
 * (the local D1 keeps what it stores in memory: 10,000 signals' JSON was a
 * tenth of the local Worker's footprint). Rows written before hold JSON
 * arrays, which decode as they are.
 */
const PREFIX = "f32:";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const ASCII = new TextDecoder();

export function encodeEmbedding(values: readonly number[]): string {
  // base64 written into one byte array and decoded once: no per-byte argument list (fromCharCode.apply
  // took ~24 KB of garbage per 768-dimension vector)
  const floats = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) floats[i] = values[i];
  const bytes = new Uint8Array(floats.buffer);
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = CODES[n >> 18];
    out[o++] = CODES[(n >> 12) & 63];
    out[o++] = CODES[(n >> 6) & 63];
    out[o++] = CODES[n & 63];
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((i + 1 < bytes.length ? bytes[i + 1] : 0) << 8);
    out[o++] = CODES[n >> 18];
    out[o++] = CODES[(n >> 12) & 63];
    out[o++] = i + 1 < bytes.length ? CODES[(n >> 6) & 63] : 61; // "="
    out[o++] = 61;
  }
  return PREFIX + ASCII.decode(out);
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
