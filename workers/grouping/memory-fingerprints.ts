/** In-memory FingerprintStore for the eval CLI and unit tests. */
import type { FingerprintHit, FingerprintStore } from "./types";

export class MemoryFingerprintStore implements FingerprintStore {
  private readonly map = new Map<string, FingerprintHit>();
  async get(project: string, fp: string): Promise<FingerprintHit | null> {
    return this.map.get(`${project}\u0000${fp}`) ?? null;
  }
  async set(project: string, fp: string, hit: FingerprintHit): Promise<void> {
    this.map.set(`${project}\u0000${fp}`, hit);
  }
}
