/**
 * GitHub events the fix loop needs, turned into `forge_events` rows: CI that
 * failed (check_run, check_suite, workflow_run completed with failure,
 * timed_out or startup_failure) and feedback on pull requests (reviews that
 * request changes or comment, review comments, comments on a PR's
 * conversation). These are not signals. A row keeps a small summary (names,
 * URLs, conclusion, reviewer, comment body cut to 2000 characters), never
 * the whole payload. Comment bodies are untrusted text: whoever reads them
 * into a prompt must fence them as data.
 */
import type { z } from "zod";
import { clip, clipBlock } from "../logs/text";
import {
  CheckRunPayload,
  CheckSuitePayload,
  IssueCommentPayload,
  PullRequestReviewCommentPayload,
  PullRequestReviewPayload,
  WorkflowRunPayload,
} from "./payloads";

/** Events this module knows; anything else is not a forge event. */
export const FORGE_EVENT_NAMES = [
  "check_run",
  "check_suite",
  "workflow_run",
  "pull_request_review",
  "pull_request_review_comment",
  "issue_comment",
] as const;

/** CI conclusions worth a fix. `cancelled` is left out: it is usually a person or a newer push. */
export const FAILED_CONCLUSIONS = ["failure", "timed_out", "startup_failure"] as const;
/** Review states that ask something of the PR's author. */
export const FEEDBACK_REVIEW_STATES = ["changes_requested", "commented"] as const;

const BODY_CHARS = 2000;
const TEXT_CHARS = 500;

export interface ForgeEventRecord {
  event: string;
  action: string | null;
  repository: string | null;
  pullRequest: number | null;
  headSha: string | null;
  outcome: string | null;
  summary: Record<string, unknown>;
}

export type ForgeDecision =
  | { kind: "record"; record: ForgeEventRecord }
  | { kind: "ignore"; reason: string }
  | { kind: "invalid"; detail: string };

export function isForgeEvent(event: string): boolean {
  return (FORGE_EVENT_NAMES as readonly string[]).includes(event);
}

function parse<S extends z.ZodType>(schema: S, payload: unknown): { ok: true; value: z.infer<S> } | { ok: false; detail: string } {
  const r = schema.safeParse(payload);
  if (r.success) return { ok: true, value: r.data };
  const i = r.error.issues[0];
  return { ok: false, detail: `${i.path.join(".") || "payload"}: ${i.message}` };
}

/** Drops null, undefined and empty-string fields so the stored summary stays small. */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0)));
}

const failed = (conclusion: string | null | undefined) => !!conclusion && (FAILED_CONCLUSIONS as readonly string[]).includes(conclusion);

/** What to do with a forge event: record it, ignore it (with why), or reject its payload. */
export function forgeEvent(event: string, payload: unknown): ForgeDecision {
  switch (event) {
    case "check_run": {
      const p = parse(CheckRunPayload, payload);
      if (!p.ok) return { kind: "invalid", detail: p.detail };
      const { action, check_run: run, repository, sender } = p.value;
      if (action !== "completed" || !failed(run.conclusion)) {
        return { kind: "ignore", reason: `check_run ${action} with conclusion ${run.conclusion ?? "none"} is not a CI failure` };
      }
      const prs = (run.pull_requests ?? []).map((pr) => pr.number);
      return {
        kind: "record",
        record: {
          event,
          action,
          repository: repository?.full_name ?? null,
          pullRequest: prs[0] ?? null,
          headSha: run.head_sha,
          outcome: run.conclusion ?? null,
          summary: compact({
            name: run.name,
            conclusion: run.conclusion,
            url: run.html_url,
            details_url: run.details_url,
            app: run.app?.slug,
            head_branch: run.check_suite?.head_branch,
            pull_requests: prs,
            output_title: run.output?.title ? clip(run.output.title, TEXT_CHARS) : null,
            output_summary: run.output?.summary ? clipBlock(run.output.summary, TEXT_CHARS) : null,
            sender: sender?.login,
          }),
        },
      };
    }
    case "check_suite": {
      const p = parse(CheckSuitePayload, payload);
      if (!p.ok) return { kind: "invalid", detail: p.detail };
      const { action, check_suite: suite, repository, sender } = p.value;
      if (action !== "completed" || !failed(suite.conclusion)) {
        return { kind: "ignore", reason: `check_suite ${action} with conclusion ${suite.conclusion ?? "none"} is not a CI failure` };
      }
      const prs = (suite.pull_requests ?? []).map((pr) => pr.number);
      return {
        kind: "record",
        record: {
          event,
          action,
          repository: repository?.full_name ?? null,
          pullRequest: prs[0] ?? null,
          headSha: suite.head_sha,
          outcome: suite.conclusion ?? null,
          summary: compact({
            app: suite.app?.slug,
            conclusion: suite.conclusion,
            url: suite.url,
            head_branch: suite.head_branch,
            pull_requests: prs,
            sender: sender?.login,
          }),
        },
      };
    }
    case "workflow_run": {
      const p = parse(WorkflowRunPayload, payload);
      if (!p.ok) return { kind: "invalid", detail: p.detail };
      const { action, workflow_run: run, workflow, repository, sender } = p.value;
      if (action !== "completed" || !failed(run.conclusion)) {
        return { kind: "ignore", reason: `workflow_run ${action} with conclusion ${run.conclusion ?? "none"} is not a CI failure` };
      }
      const prs = (run.pull_requests ?? []).map((pr) => pr.number);
      return {
        kind: "record",
        record: {
          event,
          action,
          repository: repository?.full_name ?? null,
          pullRequest: prs[0] ?? null,
          headSha: run.head_sha,
          outcome: run.conclusion ?? null,
          summary: compact({
            name: run.name || workflow?.name,
            workflow_path: workflow?.path,
            conclusion: run.conclusion,
            url: run.html_url,
            run_attempt: run.run_attempt,
            head_branch: run.head_branch,
            trigger: run.event,
            pull_requests: prs,
            sender: sender?.login,
          }),
        },
      };
    }
    case "pull_request_review": {
      const p = parse(PullRequestReviewPayload, payload);
      if (!p.ok) return { kind: "invalid", detail: p.detail };
      const { action, review, pull_request: pr, repository } = p.value;
      const state = review.state.toLowerCase();
      if (!["submitted", "edited"].includes(action) || !(FEEDBACK_REVIEW_STATES as readonly string[]).includes(state)) {
        return { kind: "ignore", reason: `pull_request_review ${action} in state ${state} asks for nothing` };
      }
      return {
        kind: "record",
        record: {
          event,
          action,
          repository: repository?.full_name ?? null,
          pullRequest: pr.number,
          headSha: review.commit_id ?? pr.head?.sha ?? null,
          outcome: state,
          summary: compact({
            reviewer: review.user?.login,
            reviewer_type: review.user?.type,
            state,
            body: review.body ? clipBlock(review.body, BODY_CHARS) : null,
            url: review.html_url,
            pr_title: pr.title ? clip(pr.title, TEXT_CHARS) : null,
            pr_url: pr.html_url,
          }),
        },
      };
    }
    case "pull_request_review_comment": {
      const p = parse(PullRequestReviewCommentPayload, payload);
      if (!p.ok) return { kind: "invalid", detail: p.detail };
      const { action, comment, pull_request: pr, repository } = p.value;
      if (action !== "created") return { kind: "ignore", reason: `pull_request_review_comment ${action} is not new feedback` };
      return {
        kind: "record",
        record: {
          event,
          action,
          repository: repository?.full_name ?? null,
          pullRequest: pr.number,
          headSha: comment.commit_id ?? pr.head?.sha ?? null,
          outcome: "commented",
          summary: compact({
            author: comment.user?.login,
            author_type: comment.user?.type,
            path: comment.path,
            line: comment.line,
            body: comment.body ? clipBlock(comment.body, BODY_CHARS) : null,
            url: comment.html_url,
            pr_title: pr.title ? clip(pr.title, TEXT_CHARS) : null,
          }),
        },
      };
    }
    case "issue_comment": {
      const p = parse(IssueCommentPayload, payload);
      if (!p.ok) return { kind: "invalid", detail: p.detail };
      const { action, issue, comment, repository } = p.value;
      if (!issue.pull_request) return { kind: "ignore", reason: "issue_comment on an issue, not a pull request" };
      if (action !== "created") return { kind: "ignore", reason: `issue_comment ${action} is not new feedback` };
      return {
        kind: "record",
        record: {
          event,
          action,
          repository: repository?.full_name ?? null,
          pullRequest: issue.number,
          headSha: null,
          outcome: "commented",
          summary: compact({
            author: comment.user?.login,
            author_type: comment.user?.type,
            body: comment.body ? clipBlock(comment.body, BODY_CHARS) : null,
            url: comment.html_url,
            pr_title: issue.title ? clip(issue.title, TEXT_CHARS) : null,
            pr_url: issue.pull_request.html_url ?? issue.html_url,
          }),
        },
      };
    }
    default:
      return { kind: "ignore", reason: `${event} is not an event nightshift uses` };
  }
}
