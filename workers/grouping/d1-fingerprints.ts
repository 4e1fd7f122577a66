/** FingerprintStore in D1 (`fingerprints`), first writer wins. */
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { fingerprints } from "../db/schema";
import { decodeEmbedding, encodeEmbedding } from "../normalize/embedding-codec";
import type { FingerprintHit, FingerprintStore } from "./types";

export class D1FingerprintStore implements FingerprintStore {
  constructor(private readonly db: D1Database) {}

  async get(project: string, fp: string): Promise<FingerprintHit | null> {
    const row = await drizzle(this.db)
      .select()
      .from(fingerprints)
      .where(and(eq(fingerprints.projectId, project), eq(fingerprints.fingerprint, fp)))
      .get();
    return row ? { reportId: row.reportId, embedding: row.embedding ? decodeEmbedding(row.embedding) : null } : null;
  }

  async ofReport(project: string, reportId: string, limit = 50): Promise<string[]> {
    const { results } = await this.db
      .prepare("SELECT fingerprint FROM fingerprints WHERE project_id = ? AND report_id = ? LIMIT ?")
      .bind(project, reportId, limit)
      .all<{ fingerprint: string }>();
    return results.map((r) => r.fingerprint);
  }

  async moveTo(project: string, fp: string, from: string, hit: FingerprintHit): Promise<void> {
    await moveFingerprint(this.db, project, fp, from, hit).run();
  }

  async set(project: string, fp: string, hit: FingerprintHit): Promise<void> {
    await drizzle(this.db)
      .insert(fingerprints)
      .values({
        projectId: project,
        fingerprint: fp,
        reportId: hit.reportId,
        embedding: hit.embedding ? encodeEmbedding(hit.embedding) : null,
        createdAt: Date.now(),
      })
      .onConflictDoNothing();
  }
}

/** Leads `fp` to `hit.reportId` if it still leads to `from` (compare and set): the statement, to run alone or in a batch. */
export function moveFingerprint(db: D1Database, project: string, fp: string, from: string, hit: FingerprintHit): D1PreparedStatement {
  return db
    .prepare("UPDATE fingerprints SET report_id = ?, embedding = ? WHERE project_id = ? AND fingerprint = ? AND report_id = ?")
    .bind(hit.reportId, hit.embedding ? encodeEmbedding(hit.embedding) : null, project, fp, from);
}
