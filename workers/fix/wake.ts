/**
 * From a GitHub webhook to the fix run babysitting its pull request: the
 * branch `nightshift/<report>` names the report; an event without a branch
 * (a comment on the conversation) is looked up in D1 `fix_pulls` by
 * project, repository and number. The fix run checks the project itself and
 * ignores deliveries it has seen. Returns the report whose run was woken.
 */
import type { Env } from "../env";
import { pullWakeOf, reportOfBranch } from "../forge/pull-wake";

export async function wakeFixRun(env: Pick<Env, "FIX_RUNS" | "DB">, project: string, event: string, payload: unknown, delivery: string): Promise<string | null> {
  if (!env.FIX_RUNS) return null;
  const wake = pullWakeOf(event, payload);
  if (!wake) return null;
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
