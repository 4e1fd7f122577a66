/**
 * LogTemplateStore in D1 (`log_templates`): the buckets a batch needs in one
 * query, new and changed templates in one batch. Two batches that mine the
 * same new template concurrently derive the same id from the same first line;
 * the later generalization wins, which loses nothing but a `<*>` the next line
 * of that shape brings back.
 */
import type { LogTemplate, LogTemplateStore } from "./types";

const BUCKETS_PER_QUERY = 50;

export class D1LogTemplateStore implements LogTemplateStore {
  constructor(private readonly db: D1Database) {}

  async load(project: string, buckets: string[]): Promise<LogTemplate[]> {
    const out: LogTemplate[] = [];
    const unique = [...new Set(buckets)];
    for (let i = 0; i < unique.length; i += BUCKETS_PER_QUERY) {
      const chunk = unique.slice(i, i + BUCKETS_PER_QUERY);
      const { results } = await this.db
        .prepare(`SELECT id, bucket, tokens FROM log_templates WHERE project_id = ? AND bucket IN (${chunk.map(() => "?").join(", ")})`)
        .bind(project, ...chunk)
        .all<{ id: string; bucket: string; tokens: string }>();
      for (const r of results) out.push({ id: r.id, bucket: r.bucket, tokens: JSON.parse(r.tokens) as string[] });
    }
    return out;
  }

  async save(project: string, templates: LogTemplate[]): Promise<void> {
    if (!templates.length) return;
    const upsert = this.db.prepare(
      "INSERT INTO log_templates (project_id, id, bucket, tokens, updated_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (project_id, id) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
    );
    const now = Date.now();
    await this.db.batch(templates.map((t) => upsert.bind(project, t.id, t.bucket, JSON.stringify(t.tokens), now)));
  }
}
