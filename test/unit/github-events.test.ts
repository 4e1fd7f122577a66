/** Which GitHub events become signals, forge-event rows, or nothing — on real example payloads. */
import { describe, expect, it } from "vitest";
import { FAILED_CONCLUSIONS, forgeEvent } from "../../workers/ingest/sources/github/forge-events";
import { issueSignal } from "../../workers/ingest/sources/github/issues";
import { IssuesPayload } from "../../workers/ingest/sources/github/payloads";
import { MAX_CONTENT_BYTES } from "../../workers/ingest/schema";
import checkRunFailure from "../fixtures/github/check_run.completed.failure.json";
import issueComment from "../fixtures/github/issue_comment.created.json";
import issuesOpened from "../fixtures/github/issues.opened.json";
import reviewCommented from "../fixtures/github/pull_request_review.submitted.commented.json";
import reviewComment from "../fixtures/github/pull_request_review_comment.created.json";

const clone = <T>(x: T): T => structuredClone(x);

describe("issues → signals", () => {
  it("writes title, body, repository, labels and URL, one per line", () => {
    const s = issueSignal(IssuesPayload.parse(issuesOpened), "d-1")!;
    expect(s.content).toBe(
      [
        "Title: Spelling error in the README file",
        "Body: It looks like you accidently spelled 'commit' with two 't's.",
        "Repository: Codertocat/Hello-World",
        "Labels: bug",
        `URL: ${issuesOpened.issue.html_url}`,
      ].join("\n"),
    );
    expect(s).toMatchObject({ id: `github:issue:${issuesOpened.issue.id}`, source_product: "github", source_type: "issue" });
    expect(s.id).toMatch(/^[A-Za-z0-9._:@-]{1,128}$/);
  });

  it("cuts a huge body to the content limit", () => {
    const big = clone(issuesOpened);
    big.issue.body = "é".repeat(MAX_CONTENT_BYTES);
    const s = issueSignal(IssuesPayload.parse(big), "d-1")!;
    expect(new TextEncoder().encode(s.content).byteLength).toBeLessThanOrEqual(MAX_CONTENT_BYTES);
    expect(s.content.startsWith("Title: Spelling error")).toBe(true);
    expect(s.content).not.toContain("\uFFFD");
  });

  it("marks an empty body and skips actions that are not signals", () => {
    const empty = clone(issuesOpened);
    (empty.issue as { body: string | null }).body = null;
    expect(issueSignal(IssuesPayload.parse(empty), "d")!.content).toContain("Body: (empty)");
    for (const action of ["closed", "labeled", "assigned", "deleted"]) {
      expect(issueSignal(IssuesPayload.parse({ ...issuesOpened, action }), "d")).toBeNull();
    }
  });
});

describe("forge events", () => {
  it("records each failed conclusion and ignores the rest", () => {
    const outcome = (conclusion: string | null) => {
      const p = clone(checkRunFailure);
      (p.check_run as { conclusion: string | null }).conclusion = conclusion;
      return forgeEvent("check_run", p).kind;
    };
    for (const c of FAILED_CONCLUSIONS) expect([c, outcome(c)]).toEqual([c, "record"]);
    for (const c of ["success", "neutral", "skipped", "cancelled", "action_required", "stale", null]) expect([c, outcome(c)]).toEqual([c, "ignore"]);
    expect(forgeEvent("check_run", { ...checkRunFailure, action: "created" }).kind).toBe("ignore");
  });

  it("records reviews that request changes or comment, not approvals or dismissals", () => {
    const kind = (state: string, action = "submitted") => {
      const p = clone(reviewCommented);
      p.review.state = state;
      return forgeEvent("pull_request_review", { ...p, action }).kind;
    };
    expect([kind("changes_requested"), kind("CHANGES_REQUESTED"), kind("commented")]).toEqual(["record", "record", "record"]);
    expect([kind("approved"), kind("dismissed"), kind("changes_requested", "dismissed")]).toEqual(["ignore", "ignore", "ignore"]);
  });

  it("keeps comment bodies short in the summary", () => {
    const p = clone(reviewComment);
    p.comment.body = "x".repeat(10_000);
    const d = forgeEvent("pull_request_review_comment", p);
    if (d.kind !== "record") throw new Error(d.kind);
    expect((d.record.summary.body as string).length).toBe(2000);
    expect(JSON.stringify(d.record.summary).length).toBeLessThan(3000);
    expect(forgeEvent("pull_request_review_comment", { ...reviewComment, action: "edited" }).kind).toBe("ignore");
  });

  it("records comments only on pull requests, and names the PR", () => {
    expect(forgeEvent("issue_comment", issueComment).kind).toBe("ignore");
    const onPr = { ...issueComment, issue: { ...issueComment.issue, pull_request: { html_url: "https://github.com/o/r/pull/1" } } };
    const d = forgeEvent("issue_comment", onPr);
    expect(d).toMatchObject({ kind: "record", record: { event: "issue_comment", pullRequest: 1, outcome: "commented", headSha: null } });
  });

  it("rejects a payload missing the fields it needs", () => {
    expect(forgeEvent("workflow_run", { action: "completed" })).toMatchObject({ kind: "invalid", detail: expect.stringContaining("workflow_run") });
  });
});
