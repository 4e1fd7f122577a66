/**
 * Offline embedder: deterministic hashed n-gram vectors (feature hashing with
 * signed buckets). Stemmed words carry most of the weight; character trigrams
 * of each word let spelling variants meet (sign-up / signup, log in / login).
 * Same input → same vector on every machine, no network, no key.
 */
import { DEFAULT_GROUPING_THRESHOLD } from "./defaults";
import type { Embedder } from "./types";
import { head } from "../normalize/reading-window";
import { stem, words } from "./text";

const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.25;

export class HashedNgramEmbedder implements Embedder {
  readonly model = "nightshift/hashed-ngram-v1";
  readonly defaultThreshold = DEFAULT_GROUPING_THRESHOLD;
  constructor(readonly dimensions = 768) {}

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embedOne(t));
  }

  embedOne(text: string): number[] {
    const v = new Float64Array(this.dimensions);
    // a word's features (bucket and signed weight) are hashed once per distinct stem; every
    // occurrence still adds them in the same order, so the sums are bit for bit the same
    const features = new Map<string, { bucket: number[]; weight: number[] }>();
    for (const w of words(head(text))) {
      const s = stem(w);
      let f = features.get(s);
      if (!f) {
        f = { bucket: [], weight: [] };
        this.feature(f, `w:${s}`, WORD_WEIGHT);
        const padded = `^${s.replace(/[^a-z0-9]/g, "")}$`;
        if (padded.length > 4) {
          const n = padded.length - 2;
          // fnv1a(`c:${padded.slice(i, i + 3)}`), without building the string
          for (let i = 0; i < n; i++) {
            let h = TRIGRAM_PREFIX;
            for (let k = i; k < i + 3; k++) h = Math.imul(h ^ padded.charCodeAt(k), 0x01000193);
            this.bucket(f, h >>> 0, TRIGRAM_WEIGHT / Math.sqrt(n));
          }
        }
        features.set(s, f);
      }
      for (let k = 0; k < f.bucket.length; k++) v[f.bucket[k]] += f.weight[k];
    }
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    // filled by index: Array.from over a typed array goes through its iterator (a third of the consumer's allocations)
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = norm > 0 ? v[i] / norm : 0;
    return out;
  }

  private feature(f: { bucket: number[]; weight: number[] }, feature: string, weight: number): void {
    this.bucket(f, fnv1a(feature), weight);
  }

  private bucket(f: { bucket: number[]; weight: number[] }, h: number, weight: number): void {
    f.bucket.push(h % this.dimensions);
    f.weight.push(h & 0x80000000 ? -weight : weight);
  }
}

/** the FNV-1a state after "c:" (a trigram feature's prefix), as `fnv1a` keeps it */
const TRIGRAM_PREFIX = Math.imul(Math.imul(0x811c9dc5 ^ 99, 0x01000193) ^ 58, 0x01000193);

/** 32-bit FNV-1a over UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
