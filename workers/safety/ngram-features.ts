/**
 * The features the learned safety tier reads: hashed word unigrams and
 * bigrams and character 3–5-grams of the lower-cased text (digits read as
 * `0`, runs of white space as one space), each hashed into 2^FEATURE_BITS
 * buckets. The text is cut into blocks of BLOCK chars; a feature belongs to
 * the block where it starts, and the model scores every window of two
 * neighbouring blocks, so an instruction hidden in the middle of a long
 * ticket is read with its neighbourhood, not diluted by the whole ticket.
 * One pass, a constant amount of work per char, no allocation per feature:
 * linear time on any input.
 */

export const FEATURE_BITS = 17;
export const FEATURE_MASK = (1 << FEATURE_BITS) - 1;
/** chars per block; a window is two blocks */
export const BLOCK = 256;
/** the most text read (64 KiB), as everywhere on the ingest path */
export const MAX_CHARS = 65_536;

const PRIME = 0x01000193;
const SEED = 0x811c9dc5;
/** salts so a word, a bigram and an n-gram of the same chars land in different buckets */
const SALT_WORD = 0x9e3779b1;
const SALT_BIGRAM = 0x85ebca77;
const SALT_CHAR = [0, 0, 0, 0xc2b2ae3d, 0x27d4eb2f, 0x165667b1];

/** reused by every call: the features are read from it before the next call (no await in between) */
const SCRATCH = new Uint16Array(MAX_CHARS * 2);

/**
 * The text as the features read it, as UTF-16 code units: lower case, digits
 * as `0`, every run of white space as one space. One pass into a typed array
 * (building a string piece by piece cost more than the features). The array
 * is a view of a buffer the next call overwrites: read it before then.
 */
export function normalizeForFeatures(text: string): Uint16Array {
  const lower = (text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text).toLowerCase();
  // lower-casing may lengthen a string (İ → i̇), at most twice
  const out = lower.length <= SCRATCH.length ? SCRATCH : new Uint16Array(lower.length);
  let n = 0;
  let space = false;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0) {
      if (!space) out[n++] = 32;
      space = true;
    } else {
      space = false;
      out[n++] = c >= 48 && c <= 57 ? 48 : c;
    }
  }
  return out.subarray(0, n);
}

const isWordChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && !(c >= 0x2000 && c <= 0x2bff) && !(c >= 0x3000 && c <= 0x303f) && !(c >= 0xfe30 && c <= 0xfe4f) && !(c >= 0xff00 && c <= 0xff0f));

/** The blocks of normalized text `t` (at least one). */
export function blockCount(t: Uint16Array): number {
  return Math.max(1, Math.ceil(t.length / BLOCK));
}

/**
 * Calls `emit(block, bucket)` for every feature of normalized text `t`
 * (from `normalizeForFeatures`), in order. Returns the number of blocks.
 */
export function forEachFeature(t: Uint16Array, emit: (block: number, bucket: number) => void): number {
  const n = t.length;
  // character n-grams: one FNV state per start, extended to 5 chars
  for (let i = 0; i + 3 <= n; i++) {
    let h = SEED;
    const block = (i / BLOCK) | 0;
    for (let k = 0; k < 5 && i + k < n; k++) {
      h = Math.imul(h ^ t[i + k], PRIME);
      if (k >= 2) emit(block, (Math.imul(h ^ SALT_CHAR[k + 1], PRIME) >>> 0) & FEATURE_MASK);
    }
  }
  // words and bigrams
  let prev = 0;
  let i = 0;
  while (i < n) {
    while (i < n && !isWordChar(t[i])) i++;
    if (i >= n) break;
    const start = i;
    let h = SEED;
    while (i < n && isWordChar(t[i])) h = Math.imul(h ^ t[i++], PRIME);
    if (i - start > 40) {
      prev = 0; // a hash, a blob: no word
      continue;
    }
    const block = (start / BLOCK) | 0;
    emit(block, (Math.imul(h ^ SALT_WORD, PRIME) >>> 0) & FEATURE_MASK);
    if (prev) emit(block, (Math.imul(Math.imul(prev, 31) ^ h ^ SALT_BIGRAM, PRIME) >>> 0) & FEATURE_MASK);
    prev = h;
  }
  return blockCount(t);
}

/** Per window (two neighbouring blocks; one when the text is one block), its features as bucket lists. */
export function windowFeatureLists(text: string): number[][] {
  const t = normalizeForFeatures(text);
  const blocks: number[][] = [];
  const count = forEachFeature(t, (b, f) => {
    while (blocks.length <= b) blocks.push([]);
    blocks[b].push(f);
  });
  while (blocks.length < count) blocks.push([]);
  if (blocks.length === 1) return [blocks[0]];
  const out: number[][] = [];
  for (let b = 0; b + 1 < blocks.length; b++) out.push(blocks[b].concat(blocks[b + 1]));
  return out;
}
