/**
 * The in-memory half of the local vector index: one namespace's vectors as
 * float32 rows, their squared norms precomputed, an id → row map so an upsert
 * replaces in place, and exact top-K cosine search by a linear scan with
 * partial selection. A row with fewer non-zeros than half its dimensions (the
 * hashed n-gram embedder's have ~50 of 768) keeps only those, with their
 * indices: a tenth of the memory of a dense row, which is what the 10k-signal
 * e2e stream's index held most of.
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
 * visits only its non-zero dimensions, and a sparse row only its own (the
 * query's zeros there add ±0: nothing), in ascending order of dimension, as
 * cosine() adds them.
 */

export interface MatrixMatch {
  id: string;
  score: number;
  /** the metadata as it was upserted (JSON text) */
  metadata: string;
}

/** One stored vector: its non-zero values and their dimensions (sparse), or all its values (`at` null). */
interface Row {
  values: Float32Array;
  at: Uint16Array | Uint32Array | null;
}

export class VectorMatrix {
  private rows: Row[] = [];
  private norms: number[] = [];
  private ids: string[] = [];
  private metadata: string[] = [];
  private readonly rowOf = new Map<string, number>();

  constructor(readonly dimensions: number) {}

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  /** Adds a row, or replaces the row with this id. `values` has `dimensions` entries. */
  set(id: string, values: ArrayLike<number>, metadata: string): void {
    const dims = this.dimensions;
    if (values.length !== dims) {
      throw new Error(`vector ${id} has ${values.length} dimensions; this namespace holds ${dims}`);
    }
    // the squared norm of the float32 values, as cosine() sums it; checked before anything changes
    let nb = 0;
    let nonZero = 0;
    for (let i = 0; i < dims; i++) {
      const x = Math.fround(values[i]);
      nb += x * x;
      if (x !== 0) nonZero++;
    }
    // NaN or ±Infinity (also a value beyond float32's range) would break the skipping argument above
    if (!Number.isFinite(nb)) throw new Error(`vector ${id} has a value that is not a finite float32`);
    let stored: Row;
    if (nonZero * 2 < dims) {
      const at = dims <= 0x10000 ? new Uint16Array(nonZero) : new Uint32Array(nonZero);
      const kept = new Float32Array(nonZero);
      for (let i = 0, j = 0; i < dims; i++) {
        const x = Math.fround(values[i]);
        if (x !== 0) {
          at[j] = i;
          kept[j++] = x;
        }
      }
      stored = { values: kept, at };
    } else {
      stored = { values: Float32Array.from(values), at: null };
    }
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.ids.length;
      this.rowOf.set(id, row);
      this.ids.push(id);
      this.metadata.push(metadata);
      this.rows.push(stored);
      this.norms.push(nb);
    } else {
      this.metadata[row] = metadata;
      this.rows[row] = stored;
      this.norms[row] = nb;
    }
  }

  /** The stored (float32) values of a row, for tests and migration checks. */
  values(id: string): number[] | null {
    const row = this.rowOf.get(id);
    if (row === undefined) return null;
    const { values, at } = this.rows[row];
    if (!at) return Array.from(values);
    const out = new Array<number>(this.dimensions).fill(0);
    for (let j = 0; j < at.length; j++) out[at[j]] = values[j];
    return out;
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
    const qAt = Int32Array.from(nz);
    const qz = Float64Array.from(nz, (i) => q[i]);
    const m = nz.length;

    // the best k so far, sorted best first
    const topRows = new Int32Array(k);
    const topScores = new Float64Array(k);
    let filled = 0;
    const n = this.ids.length;
    for (let row = 0; row < n; row++) {
      const nb = this.norms[row];
      let score = 0;
      if (na > 0 && nb > 0) {
        let dot = 0;
        const { values: data, at } = this.rows[row];
        if (at) {
          // a sparse row: its own dimensions, in ascending order (where the query is zero, ±0 is added)
          for (let j = 0; j < at.length; j++) dot += q[at[j]] * data[j];
        } else if (sparse) {
          for (let j = 0; j < m; j++) dot += qz[j] * data[qAt[j]];
        } else {
          // one accumulator, in order; unrolled only to save loop overhead
          let i = 0;
          for (; i + 3 < dims; i += 4) {
            dot += q[i] * data[i];
            dot += q[i + 1] * data[i + 1];
            dot += q[i + 2] * data[i + 2];
            dot += q[i + 3] * data[i + 3];
          }
          for (; i < dims; i++) dot += q[i] * data[i];
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
}
