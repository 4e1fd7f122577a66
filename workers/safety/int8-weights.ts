/**
 * Weights shipped as base64 of int8 (what evals/train/quantize.ts writes), read
 * back for a model over 2^bits hashed features; `model` names it in the errors.
 */
export function decodeInt8Weights(base64: string, bits: number, model: string): Int8Array {
  const bin = atob(base64);
  const weights = new Int8Array(bin.length);
  for (let i = 0; i < bin.length; i++) weights[i] = (bin.charCodeAt(i) << 24) >> 24;
  if (weights.length !== 1 << bits) throw new Error(`${model} has ${weights.length} weights, not ${1 << bits}`);
  return weights;
}
