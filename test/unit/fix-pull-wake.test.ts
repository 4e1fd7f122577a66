/**
 * Which webhooks wake a fix run (workers/forge/pull-wake.ts), for the base
 * branch moving: GitHub sends no pull_request event then, only the push.
 */
import { describe, expect, it } from "vitest";
import { pullWakeOf, reportOfBranch } from "../../workers/forge/pull-wake";

const repository = { full_name: "shop/sample-app" };

describe("pullWakeOf: a push", () => {
  it("to a branch other than a fix branch names it as a possible base", () => {
    expect(pullWakeOf("push", { ref: "refs/heads/main", before: "a", after: "b", repository })).toEqual({ event: "push", action: null, repository: "shop/sample-app", pulls: [], branch: null, baseBranch: "main" });
    expect(pullWakeOf("push", { ref: "refs/heads/release/4.3", repository })).toMatchObject({ baseBranch: "release/4.3" });
  });
  it("to a fix branch, a tag, a deleted branch, or a malformed payload wakes nothing", () => {
    expect(pullWakeOf("push", { ref: "refs/heads/nightshift/rep_1", repository })).toBeNull();
    expect(pullWakeOf("push", { ref: "refs/tags/v1", repository })).toBeNull();
    expect(pullWakeOf("push", { ref: "refs/heads/main", deleted: true, repository })).toBeNull();
    expect(pullWakeOf("push", { ref: "refs/heads/main" })).toBeNull();
    expect(pullWakeOf("push", "nope")).toBeNull();
  });
  it("pull request events still name the pull request and its branch", () => {
    const wake = pullWakeOf("pull_request", { action: "synchronize", repository, pull_request: { number: 3, head: { ref: "nightshift/rep_9" } } });
    expect(wake).toEqual({ event: "pull_request", action: "synchronize", repository: "shop/sample-app", pulls: [3], branch: "nightshift/rep_9" });
    expect(reportOfBranch(wake!.branch)).toBe("rep_9");
  });
});
