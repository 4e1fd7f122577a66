/**
 * Babysitting rules (issue 9, item 4): what the fix run does next with its
 * open pull request, decided from the forge's current state — the pull
 * request, its feedback, the check runs on its head — and the run's journal
 * of what it already handled. Pure: the fix run reads the state, asks
 * `nextStep`, acts, and journals; a redelivered or late webhook only makes it
 * ask again, and the journal makes the same answer a no-op.
 *
 * Order of work: the pull request's fate (merged, closed) first; then review
 * comments from trusted authors (the repository's owner, members and
 * collaborators, and review bots the project lists); then CI failures on the
 * head (at most `maxCiRounds` rounds); then conflicts with the base branch
 * (GitHub's `mergeable` false: the base moved under the pull request) — a
 * round that merges the base in, once per (base sha, head sha); waiting while
 * CI runs or while the forge has not computed `mergeable` yet (null: look
 * again soon, once per pair); green when all checks passed, the pull request
 * merges cleanly and nothing trusted is unanswered. Every round counts toward
 * `maxRounds`. Comments from anyone else are shown on the report, never
 * obeyed. nightshift's own comments are never feedback. Approvals and empty
 * reviews ask for nothing.
 */
import type { CheckRunSummary, PullRef, ReviewComment } from "../forge/forge-client";

export const TRUSTED_ASSOCIATIONS = ["OWNER", "MEMBER", "COLLABORATOR"] as const;
export const FAILED_CHECK_CONCLUSIONS = ["failure", "timed_out", "startup_failure", "action_required"] as const;
/** cancelled and stale are neither: a newer run is expected */
export const PASSED_CHECK_CONCLUSIONS = ["success", "neutral", "skipped"] as const;

export interface BabysitState {
  pull: PullRef;
  feedback: ReviewComment[];
  checks: CheckRunSummary[];
  /**
   * handled keys: `comment:<kind>:<id>` (answered or shown), `ci:<sha>` (a CI round answered that
   * head), `conflict:<base sha>:<head sha>` (a round merged that base into that head),
   * `mergeable:<base sha>:<head sha>` (looked again once while the forge computed mergeable)
   */
  journal: ReadonlySet<string>;
  /** logins whose comments are nightshift's own (the App's bot, the local forge's token user) */
  ownLogins: readonly string[];
  /** review bots the project trusts as reviewers (lower case logins) */
  trustedBots: readonly string[];
  ciRounds: number;
  maxCiRounds: number;
  rounds: number;
  maxRounds: number;
}

export type BabysitStep =
  | { kind: "merged"; reason: string }
  | { kind: "closed"; reason: string }
  | { kind: "show"; comments: ReviewComment[] } // untrusted comments to record as shown, not obeyed
  | { kind: "review_round"; comments: ReviewComment[] }
  | { kind: "ci_round"; failing: CheckRunSummary[] }
  /** the base branch moved and the pull request no longer merges: merge `base` in (journal `key` once done) */
  | { kind: "conflict_round"; base: string; baseSha: string; headSha: string; key: string }
  | { kind: "give_up"; reason: string }
  /** `recheck`: a journal key; look again soon (not at the next poll), once per key */
  | { kind: "wait"; reason: string; recheck?: string }
  | { kind: "green"; reason: string };

export function commentKey(c: ReviewComment): string {
  return `comment:${c.kind}:${c.id}`;
}

export function conflictKey(pull: Pick<PullRef, "baseSha" | "headSha">): string {
  return `conflict:${pull.baseSha}:${pull.headSha}`;
}

export function isTrusted(c: ReviewComment, trustedBots: readonly string[]): boolean {
  return (TRUSTED_ASSOCIATIONS as readonly string[]).includes(c.authorAssociation.toUpperCase()) || trustedBots.includes(c.author.toLowerCase());
}

/** a comment that asks for something: not an approval, not empty */
function asks(c: ReviewComment): boolean {
  if (c.kind === "review" && c.reviewState?.toUpperCase() === "APPROVED") return false;
  return c.body.trim().length > 0;
}

export function nextStep(s: BabysitState): BabysitStep {
  if (s.pull.merged) return { kind: "merged", reason: `merged${s.pull.mergeCommitSha ? ` as ${s.pull.mergeCommitSha.slice(0, 12)}` : ""}` };
  if (s.pull.state === "closed") {
    const last = [...s.feedback].reverse().find((c) => isTrusted(c, s.trustedBots) && !s.ownLogins.includes(c.author) && c.body.trim());
    return { kind: "closed", reason: last ? `closed without merging; last word from ${last.author}: ${last.body.trim().slice(0, 300)}` : "closed without merging" };
  }
  const own = new Set(s.ownLogins.map((l) => l.toLowerCase()));
  const fresh = s.feedback.filter((c) => !own.has(c.author.toLowerCase()) && !s.journal.has(commentKey(c)) && asks(c));
  const untrusted = fresh.filter((c) => !isTrusted(c, s.trustedBots));
  if (untrusted.length) return { kind: "show", comments: untrusted };
  const trusted = fresh.filter((c) => isTrusted(c, s.trustedBots));
  if (trusted.length) {
    if (s.rounds >= s.maxRounds) return { kind: "give_up", reason: `a review asks for more, but the fix has used its ${s.maxRounds} rounds` };
    return { kind: "review_round", comments: trusted };
  }
  const ci = ciStep(s);
  if (ci.kind === "ci_round" || ci.kind === "give_up") return ci;
  const short = (sha: string) => sha.slice(0, 12) || "?";
  if (s.pull.mergeable === false) {
    const key = conflictKey(s.pull);
    const what = `conflicts with ${s.pull.baseRef} (${short(s.pull.baseSha)})`;
    if (s.journal.has(key)) return { kind: "wait", reason: `${what}; the base was merged in already, waiting for the forge to see the push` };
    if (s.rounds >= s.maxRounds) return { kind: "give_up", reason: `the pull request ${what} and the fix has used its ${s.maxRounds} rounds` };
    return { kind: "conflict_round", base: s.pull.baseRef, baseSha: s.pull.baseSha, headSha: s.pull.headSha, key };
  }
  if (s.pull.mergeable === null && ci.kind === "green") {
    const key = `mergeable:${s.pull.baseSha}:${s.pull.headSha}`;
    const reason = `CI green on ${short(s.pull.headSha)}; waiting for the forge to say whether it merges into ${s.pull.baseRef} cleanly`;
    return s.journal.has(key) ? { kind: "wait", reason } : { kind: "wait", reason, recheck: key };
  }
  return ci;
}

/** what CI on the head asks for: a round, giving up, waiting, or green as far as CI goes */
function ciStep(s: BabysitState): Extract<BabysitStep, { kind: "ci_round" | "give_up" | "wait" | "green" }> {
  const head = s.checks.filter((c) => c.headSha === s.pull.headSha);
  if (head.length === 0) return { kind: "wait", reason: `waiting for CI on ${s.pull.headSha.slice(0, 12)}` };
  const running = head.filter((c) => c.status !== "completed");
  if (running.length) return { kind: "wait", reason: `CI running on ${s.pull.headSha.slice(0, 12)}: ${running.map((c) => c.name).join(", ")}`.slice(0, 500) };
  const failing = head.filter((c) => (FAILED_CHECK_CONCLUSIONS as readonly string[]).includes(c.conclusion ?? ""));
  const unsettled = head.filter((c) => !(PASSED_CHECK_CONCLUSIONS as readonly string[]).includes(c.conclusion ?? "") && !failing.includes(c));
  if (failing.length === 0 && unsettled.length) {
    return { kind: "wait", reason: `CI on ${s.pull.headSha.slice(0, 12)} neither passed nor failed: ${unsettled.map((c) => `${c.name} ${c.conclusion}`).join(", ")}`.slice(0, 500) };
  }
  if (failing.length === 0) return { kind: "green", reason: `CI green on ${s.pull.headSha.slice(0, 12)} (${head.map((c) => c.name).join(", ")}); no review comment waiting`.slice(0, 500) };
  const names = failing.map((c) => c.name).join(", ");
  if (s.journal.has(`ci:${s.pull.headSha}`)) return { kind: "wait", reason: `CI failed on ${s.pull.headSha.slice(0, 12)} (${names}); already answered` };
  if (s.ciRounds >= s.maxCiRounds) return { kind: "give_up", reason: `CI still fails after ${s.maxCiRounds} rounds: ${names}`.slice(0, 500) };
  if (s.rounds >= s.maxRounds) return { kind: "give_up", reason: `CI fails (${names}) and the fix has used its ${s.maxRounds} rounds`.slice(0, 500) };
  return { kind: "ci_round", failing };
}
