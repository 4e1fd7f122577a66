/**
 * Opening (or finding again) the draft pull request for a pushed fix (issue
 * 9, item 3): the body from pr-body.ts, reviewers from research (GitHub
 * logins as users, `org/team` as team slugs of the repository's owner; names
 * that are neither are left out — research lists commit authors by name when
 * it has no login), and the nightshift label. A run retried after the pull
 * request was opened finds it (`findOpenPull`) and updates its body instead
 * of opening a second one. Reviewer requests and labels are best effort: a
 * reviewer who cannot be requested (not a collaborator) does not undo the
 * pull request; the failure is returned for the record.
 */
import type { ForgeClient, PullRef, RepoRef } from "../forge/forge-client";
import { buildPullRequest, type PrBodyInput } from "./pr-body";

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM = /^[A-Za-z0-9_.-]{1,100}$/;

/** research's reviewer handles as GitHub users and team slugs */
export function reviewerRequest(handles: readonly string[], owner: string): { users: string[]; teams: string[] } {
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const raw of handles) {
    const h = raw.startsWith("@") ? raw.slice(1) : raw;
    const slash = h.indexOf("/");
    if (slash < 0) {
      if (LOGIN.test(h)) users.add(h);
    } else if (h.slice(0, slash).toLowerCase() === owner.toLowerCase() && TEAM.test(h.slice(slash + 1))) {
      teams.add(h.slice(slash + 1));
    }
  }
  return { users: [...users], teams: [...teams] };
}

export interface OpenPullResult {
  pull: PullRef;
  /** false when an open pull request from the branch was found and updated */
  opened: boolean;
  /** reviewer or label requests that failed (kept on the record, not fatal) */
  warnings: string[];
}

export async function openOrUpdatePull(forge: ForgeClient, repo: RepoRef, head: string, base: string, body: PrBodyInput): Promise<OpenPullResult> {
  const draft = buildPullRequest(body);
  const existing = await forge.findOpenPull(repo, head);
  if (existing) {
    await forge.updatePullBody(repo, existing.number, draft.body);
    return { pull: existing, opened: false, warnings: [] };
  }
  const pull = await forge.openDraftPull(repo, { title: draft.title, body: draft.body, head, base });
  const warnings: string[] = [];
  const reviewers = reviewerRequest(body.research.reviewers.map((r) => r.handle), repo.owner);
  if (reviewers.users.length || reviewers.teams.length) {
    try {
      await forge.requestReviewers(repo, pull.number, reviewers);
    } catch (e) {
      warnings.push(`reviewers not requested: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300));
    }
  }
  try {
    await forge.addLabels(repo, pull.number, draft.labels);
  } catch (e) {
    warnings.push(`label not added: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300));
  }
  return { pull, opened: true, warnings };
}
