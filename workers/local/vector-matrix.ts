/**
 * The in-memory half of the local vector index: one namespace's vectors as
 * rows of a single Float32Array (grown by doubling), their squared norms
 * precomputed, an id → row map so an upsert replaces in place, and exact
 * top-K cosine search by a linear scan with partial selection.
 *
 * Scores equal `rankByCosine` (memory-index.ts) over the stored values bit for
 * bit: the stored values are the float32 roundings of what was upserted (as
 * Vectorize stores them), and dot product and norms are accumulated in
 * float64 in the same order as `cosine()`. Ties go to the smaller id by
 * `localeCompare`, as there.
 *
 * The dot product has one accumulator (several would round differently), so
 * its speed is bounded by one add after another. What makes it fast is what
 * it skips: a query's zero entries add exactly nothing (x + ±0 = x for the
 * finite values stored here, and a sum that starts at +0 never becomes -0), so
 * a sparse query (the hashed n-gram embedder's have ~50 non-zeros of 768)
 * visits only its non-zero dimensions.
 */

export interface MatrixMatch {
  id: string;
  score: number;
  /** the metadata as it was upserted (JSON text) */
  metadata: string;
}

const INITIAL_ROWS = 64;

export class VectorMatrix {
  private data: Float32Array;
  private norms: Float64Array;
  private ids: string[] = [];
  private metadata: string[] = [];
  private readonly rowOf = new Map<string, number>();

  constructor(readonly dimensions: number, capacity = INITIAL_ROWS) {
    this.data = new Float32Array(Math.max(1, capacity) * dimensions);
    this.norms = new Float64Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  /** Adds a row, or replaces the row with this id. `values` has `dimensions` entries. */
  set(id: string, values: ArrayLike<number>, metadata: string): void {
    if (values.length !== this.dimensions) {
      throw new Error(`vector ${id} has ${values.length} dimensions; this namespace holds ${this.dimensions}`);
    }
    // the squared norm of the float32 values, as cosine() sums it; checked before anything changes
    let nb = 0;
    for (let i = 0; i < this.dimensions; i++) {
      const x = Math.fround(values[i]);
      nb += x * x;
    }
    // NaN or ±Infinity (also a value beyond float32's range) would break the skipping argument above
    if (!Number.isFinite(nb)) throw new Error(`vector ${id} has a value that is not a finite float32`);
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.ids.length;
      if ((row + 1) * this.dimensions > this.data.length) this.grow();
      this.rowOf.set(id, row);
      this.ids.push(id);
      this.metadata.push(metadata);
    } else {
      this.metadata[row] = metadata;
    }
    this.data.set(values, row * this.dimensions);
    this.norms[row] = nb;
  }

  /** The stored (float32) values of a row, for tests and migration checks. */
  values(id: string): number[] | null {
    const row = this.rowOf.get(id);
    if (row === undefined) return null;
    return Array.from(this.data.subarray(row * this.dimensions, (row + 1) * this.dimensions));
  }

  /** Exact top-K by cosine similarity, best first; ties by id. */
  query(vector: ArrayLike<number>, topK: number): MatrixMatch[] {
    if (vector.length !== this.dimensions) {
      throw new Error(`query vector has ${vector.length} dimensions; this namespace holds ${this.dimensions}`);
    }
    const k = Math.min(Math.max(0, Math.floor(topK)), this.ids.length);
    if (k === 0) return [];
    const dims = this.dimensions;
    const q = Float64Array.from(vector);
    let na = 0;
    for (let i = 0; i < dims; i++) na += q[i] * q[i];

    // the query's non-zero dimensions, in order: all a sparse query needs visited
    const nz: number[] = [];
    for (let i = 0; i < dims; i++) if (q[i] !== 0) nz.push(i);
    const sparse = nz.length * 2 < dims;
    const at = Int32Array.from(nz);
    const qz = Float64Array.from(nz, (i) => q[i]);
    const m = nz.length;

    // the best k so far, sorted best first
    const topRows = new Int32Array(k);
    const topScores = new Float64Array(k);
    let filled = 0;
    const data = this.data;
    const n = this.ids.length;
    for (let row = 0; row < n; row++) {
      const nb = this.norms[row];
      let score = 0;
      if (na > 0 && nb > 0) {
        let dot = 0;
        const base = row * dims;
        if (sparse) {
          for (let j = 0; j < m; j++) dot += qz[j] * data[base + at[j]];
        } else {
          // one accumulator, in order; unrolled only to save loop overhead
          let i = 0;
          for (; i + 3 < dims; i += 4) {
            dot += q[i] * data[base + i];
            dot += q[i + 1] * data[base + i + 1];
            dot += q[i + 2] * data[base + i + 2];
            dot += q[i + 3] * data[base + i + 3];
          }
          for (; i < dims; i++) dot += q[i] * data[base + i];
        }
        score = dot / Math.sqrt(na * nb);
      }
      if (filled === k && !this.better(score, row, topScores[k - 1], topRows[k - 1])) continue;
      // insertion into the sorted top list
      let j = filled < k ? filled++ : k - 1;
      while (j > 0 && this.better(score, row, topScores[j - 1], topRows[j - 1])) {
        topScores[j] = topScores[j - 1];
        topRows[j] = topRows[j - 1];
        j--;
      }
      topScores[j] = score;
      topRows[j] = row;
    }
    const out: MatrixMatch[] = [];
    for (let j = 0; j < filled; j++) out.push({ id: this.ids[topRows[j]], score: topScores[j], metadata: this.metadata[topRows[j]] });
    return out;
  }

  /** true when (score, row) ranks before (otherScore, otherRow): higher score, then smaller id */
  private better(score: number, row: number, otherScore: number, otherRow: number): boolean {
    if (score !== otherScore) return score > otherScore;
    return this.ids[row].localeCompare(this.ids[otherRow]) < 0;
  }

  private grow(): void {
    const rows = Math.max(INITIAL_ROWS, (this.data.length / this.dimensions) * 2);
    const data = new Float32Array(rows * this.dimensions);
    data.set(this.data.subarray(0, this.ids.length * this.dimensions));
    this.data = data;
    const norms = new Float64Array(rows);
    norms.set(this.norms.subarray(0, this.ids.length));
    this.norms = norms;
  }
}
