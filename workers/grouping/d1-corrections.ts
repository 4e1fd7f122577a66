/** CorrectionStore over D1 (`report_redirects`, `grouping_corrections`): one round trip per project. */
import { decodeEmbedding } from "../normalize/embedding-codec";
import type { CorrectionStore, Corrections } from "./corrections";

/** a project's corrections read per batch, at most */
const MAX_ROWS = 5_000;

export class D1CorrectionStore implements CorrectionStore {
  constructor(private readonly db: D1Database) {}

  async load(project: string): Promise<Corrections> {
    const [redirects, moves] = await this.db.batch<Record<string, string | null>>([
      this.db.prepare("SELECT from_report_id, to_report_id FROM report_redirects WHERE project_id = ? LIMIT ?").bind(project, MAX_ROWS),
      this.db
        .prepare(
          `SELECT signal_id, from_report_id, to_report_id, vector FROM grouping_corrections
           WHERE project_id = ? AND kind = 'move' ORDER BY created_at DESC LIMIT ?`,
        )
        .bind(project, MAX_ROWS),
    ]);
    const out: Corrections = { redirects: new Map(), moved: new Map(), vetoes: new Map() };
    for (const r of redirects.results) out.redirects.set(r.from_report_id!, r.to_report_id!);
    // newest first: a signal moved twice is where the last move put it
    for (const r of moves.results) {
      if (r.signal_id && !out.moved.has(r.signal_id)) out.moved.set(r.signal_id, r.to_report_id!);
      if (r.vector) {
        const list = out.vetoes.get(r.from_report_id!) ?? [];
        list.push(decodeEmbedding(r.vector));
        out.vetoes.set(r.from_report_id!, list);
      }
    }
    return out;
  }
}
