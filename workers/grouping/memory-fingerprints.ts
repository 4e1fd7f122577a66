/** In-memory FingerprintStore for the eval CLI and unit tests. */
import type { FingerprintHit, FingerprintStore } from "./types";

export class MemoryFingerprintStore implements FingerprintStore {
  private readonly map = new Map<string, FingerprintHit>();
  private readonly byReport = new Map<string, string[]>();
  async get(project: string, fp: string): Promise<FingerprintHit | null> {
    return this.map.get(`${project}\u0000${fp}`) ?? null;
  }
  async set(project: string, fp: string, hit: FingerprintHit): Promise<void> {
    const key = `${project}\u0000${fp}`;
    if (this.map.has(key)) return; // first writer wins, as in D1
    this.link(project, fp, hit);
  }
  async moveTo(project: string, fp: string, from: string, hit: FingerprintHit): Promise<void> {
    const key = `${project}\u0000${fp}`;
    if (this.map.get(key)?.reportId !== from) return;
    const was = `${project}\u0000${from}`;
    this.byReport.set(was, (this.byReport.get(was) ?? []).filter((f) => f !== fp));
    this.link(project, fp, hit);
  }
  private link(project: string, fp: string, hit: FingerprintHit): void {
    this.map.set(`${project}\u0000${fp}`, hit);
    const r = `${project}\u0000${hit.reportId}`;
    this.byReport.set(r, [...(this.byReport.get(r) ?? []), fp]);
  }
  async ofReport(project: string, reportId: string, limit = 50): Promise<string[]> {
    return (this.byReport.get(`${project}\u0000${reportId}`) ?? []).slice(0, limit);
  }
}
