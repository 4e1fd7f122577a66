/**
 * From a GitHub webhook to the fix run babysitting its pull request: the
 * branch `nightshift/<report>` names the report; an event without a branch
 * (a comment on the conversation) is looked up in D1 `fix_pulls` by
 * project, repository and number. A push to another branch (possibly the
 * base of fix pull requests) wakes the runs of the repository's newest
 * `MAX_BASE_WAKES` fix pull requests: each looks whether its pull request
 * still merges (runs that are not watching one ignore it). The fix run
 * checks the project itself and ignores deliveries it has seen. Returns the
 * (first) report whose run was woken.
 */
import type { Env } from "../env";
import { pullWakeOf, reportOfBranch } from "../forge/pull-wake";

export const MAX_BASE_WAKES = 20;

export async function wakeFixRun(env: Pick<Env, "FIX_RUNS" | "DB">, project: string, event: string, payload: unknown, delivery: string): Promise<string | null> {
  if (!env.FIX_RUNS) return null;
  const wake = pullWakeOf(event, payload);
  if (!wake) return null;
  if (wake.baseBranch) {
    const rows = await env.DB.prepare("SELECT report_id FROM fix_pulls WHERE project_id = ? AND repository = ? ORDER BY opened_at DESC LIMIT ?")
      .bind(project, wake.repository, MAX_BASE_WAKES)
      .all<{ report_id: string }>();
    let first: string | null = null;
    for (const r of new Set(rows.results.map((x) => x.report_id))) {
      const { woke } = await env.FIX_RUNS.get(env.FIX_RUNS.idFromName(r)).wake({ project, delivery, event });
      if (woke) first ??= r;
    }
    return first;
  }
  let report = reportOfBranch(wake.branch);
  for (const number of wake.pulls.slice(0, 10)) {
    if (report) break;
    const row = await env.DB.prepare("SELECT report_id FROM fix_pulls WHERE project_id = ? AND repository = ? AND number = ?").bind(project, wake.repository, number).first<{ report_id: string }>();
    report = row?.report_id ?? null;
  }
  if (!report) return null;
  const { woke } = await env.FIX_RUNS.get(env.FIX_RUNS.idFromName(report)).wake({ project, delivery, event });
  return woke ? report : null;
}
