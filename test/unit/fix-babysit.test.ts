/**
 * The babysitting rules (workers/fix/babysit.ts) on hand-made forge states:
 * the order of work (reviews, CI, conflicts with the base), who is trusted,
 * the round limits, and the journal.
 */
import { describe, expect, it } from "vitest";
import type { CheckRunSummary, PullRef, ReviewComment } from "../../workers/forge/forge-client";
import { type BabysitState, nextStep } from "../../workers/fix/babysit";

const pull = (over: Partial<PullRef> = {}): PullRef => ({ number: 7, url: "u", htmlUrl: "h", headRef: "nightshift/r1", headSha: "a".repeat(40), baseRef: "main", baseSha: "b".repeat(40), draft: true, state: "open", merged: false, mergeCommitSha: null, mergeable: true, author: "nightshift[bot]", ...over });
const check = (conclusion: string | null, over: Partial<CheckRunSummary> = {}): CheckRunSummary => ({ id: 1, name: "test", status: conclusion ? "completed" : "in_progress", conclusion, headSha: "a".repeat(40), title: null, summary: null, text: null, detailsUrl: null, ...over });
const comment = (over: Partial<ReviewComment> = {}): ReviewComment => ({ id: 11, kind: "review_comment", author: "maya-chen", authorAssociation: "MEMBER", reviewState: null, body: "why?", path: "a.js", line: 1, inReplyTo: null, createdAt: "2026-01-01T00:00:00Z", ...over });
const state = (over: Partial<BabysitState> = {}): BabysitState => ({ pull: pull(), feedback: [], checks: [], journal: new Set(), ownLogins: [], trustedBots: [], ciRounds: 0, maxCiRounds: 3, rounds: 1, maxRounds: 6, ...over });

describe("nextStep", () => {
  it("merged and closed come first, whatever else is pending", () => {
    expect(nextStep(state({ pull: pull({ merged: true, state: "closed", mergeCommitSha: "b".repeat(40) }), checks: [check("failure")] }))).toMatchObject({ kind: "merged" });
    const closed = nextStep(state({ pull: pull({ state: "closed" }), feedback: [comment({ body: "not the right fix" })] }));
    expect(closed).toEqual({ kind: "closed", reason: "closed without merging; last word from maya-chen: not the right fix" });
  });
  it("review comments before CI; strangers are shown before anything, never a round", () => {
    const s = state({ feedback: [comment(), comment({ id: 12, author: "drive-by", authorAssociation: "NONE", body: "rm -rf tests" })], checks: [check("failure")] });
    expect(nextStep(s)).toMatchObject({ kind: "show", comments: [{ author: "drive-by" }] });
    const after = nextStep({ ...s, journal: new Set(["comment:review_comment:12"]) });
    expect(after).toMatchObject({ kind: "review_round", comments: [{ author: "maya-chen" }] });
  });
  it("a project's trusted review bot counts as a reviewer; approvals and nightshift's own comments ask for nothing", () => {
    expect(nextStep(state({ feedback: [comment({ author: "coderabbitai[bot]", authorAssociation: "NONE" })], trustedBots: ["coderabbitai[bot]"] }))).toMatchObject({ kind: "review_round" });
    expect(nextStep(state({ feedback: [comment({ kind: "review", reviewState: "APPROVED", body: "LGTM" })], checks: [check("success")] }))).toMatchObject({ kind: "green" });
    expect(nextStep(state({ feedback: [comment({ author: "nightshift[bot]" })], ownLogins: ["nightshift[bot]"], checks: [check("success")] }))).toMatchObject({ kind: "green" });
  });
  it("waits for CI on the head, answers a failure once per head, gives up after the CI rounds", () => {
    expect(nextStep(state())).toMatchObject({ kind: "wait" });
    expect(nextStep(state({ checks: [check(null)] }))).toMatchObject({ kind: "wait" });
    expect(nextStep(state({ checks: [check("success", { headSha: "c".repeat(40) })] }))).toMatchObject({ kind: "wait" });
    expect(nextStep(state({ checks: [check("failure"), check("success", { id: 2, name: "lint" })] }))).toMatchObject({ kind: "ci_round", failing: [{ name: "test" }] });
    expect(nextStep(state({ checks: [check("failure")], journal: new Set([`ci:${"a".repeat(40)}`]) }))).toMatchObject({ kind: "wait" });
    expect(nextStep(state({ checks: [check("failure")], ciRounds: 3 }))).toMatchObject({ kind: "give_up", reason: "CI still fails after 3 rounds: test" });
    expect(nextStep(state({ checks: [check("cancelled")] }))).toMatchObject({ kind: "wait", reason: expect.stringContaining("test cancelled") });
    expect(nextStep(state({ checks: [check("success"), check("skipped", { id: 2, name: "deploy" })] }))).toMatchObject({ kind: "green" });
  });
  it("conflicts with the base come after reviews and CI: one round per (base, head), counted in the round budget", () => {
    const dirty = pull({ mergeable: false });
    const key = `conflict:${"b".repeat(40)}:${"a".repeat(40)}`;
    // green CI, or CI still running, or none yet: the conflict is the work
    for (const checks of [[check("success")], [check(null)], []]) {
      expect(nextStep(state({ pull: dirty, checks }))).toEqual({ kind: "conflict_round", base: "main", baseSha: "b".repeat(40), headSha: "a".repeat(40), key });
    }
    // a trusted review and a CI failure come first
    expect(nextStep(state({ pull: dirty, feedback: [comment()], checks: [check("success")] }))).toMatchObject({ kind: "review_round" });
    expect(nextStep(state({ pull: dirty, checks: [check("failure")] }))).toMatchObject({ kind: "ci_round" });
    // a failure already answered on this head does not hold the conflict up
    expect(nextStep(state({ pull: dirty, checks: [check("failure")], journal: new Set([`ci:${"a".repeat(40)}`]) }))).toMatchObject({ kind: "conflict_round" });
    // the same pair again (a redelivered webhook before the forge saw the push): nothing
    expect(nextStep(state({ pull: dirty, checks: [check("success")], journal: new Set([key]) }))).toMatchObject({ kind: "wait", reason: expect.stringContaining("conflicts with main") });
    // the base moved again: a new pair, a new round
    expect(nextStep(state({ pull: pull({ mergeable: false, baseSha: "c".repeat(40) }), checks: [check("success")], journal: new Set([key]) }))).toMatchObject({ kind: "conflict_round", baseSha: "c".repeat(40) });
    expect(nextStep(state({ pull: dirty, checks: [check("success")], rounds: 6 }))).toEqual({ kind: "give_up", reason: `the pull request conflicts with main (${"b".repeat(12)}) and the fix has used its 6 rounds` });
    // merges cleanly: green
    expect(nextStep(state({ checks: [check("success")] }))).toMatchObject({ kind: "green" });
  });
  it("mergeable not computed yet: green waits and looks again once per (base, head)", () => {
    const unknown = pull({ mergeable: null });
    const key = `mergeable:${"b".repeat(40)}:${"a".repeat(40)}`;
    expect(nextStep(state({ pull: unknown, checks: [check("success")] }))).toMatchObject({ kind: "wait", recheck: key });
    const again = nextStep(state({ pull: unknown, checks: [check("success")], journal: new Set([key]) }));
    expect(again).toMatchObject({ kind: "wait" });
    expect(again).not.toHaveProperty("recheck");
    // CI still running: its own wait (the CI webhook wakes the run)
    expect(nextStep(state({ pull: unknown, checks: [check(null)] }))).toEqual({ kind: "wait", reason: `CI running on ${"a".repeat(12)}: test` });
    expect(nextStep(state({ pull: unknown, checks: [check("failure")] }))).toMatchObject({ kind: "ci_round" });
  });
  it("the round budget stops a review round too", () => {
    expect(nextStep(state({ feedback: [comment()], rounds: 6 }))).toMatchObject({ kind: "give_up" });
  });
});
