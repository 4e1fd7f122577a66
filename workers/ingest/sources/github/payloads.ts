/**
 * The parts of GitHub webhook payloads nightshift reads, validated with zod.
 * Only the fields used are declared; everything else is ignored. Field names
 * follow https://docs.github.com/webhooks/webhook-events-and-payloads.
 */
import { z } from "zod";

const str = z.string();
const optStr = z.string().nullish();
const user = z.object({ login: str, type: optStr }).nullish();
const repository = z.object({ full_name: str, html_url: optStr }).nullish();
const prRefs = z.array(z.object({ number: z.number().int() })).nullish();

export const IssuesPayload = z.object({
  action: str,
  issue: z.object({
    id: z.number().int(),
    number: z.number().int(),
    title: str,
    body: optStr,
    html_url: optStr,
    state: optStr,
    created_at: optStr,
    updated_at: optStr,
    user,
    labels: z.array(z.union([z.object({ name: str }), str])).nullish(),
  }),
  repository,
  sender: user,
});
export type IssuesPayload = z.infer<typeof IssuesPayload>;

export const CheckRunPayload = z.object({
  action: str,
  check_run: z.object({
    name: str,
    head_sha: str,
    status: optStr,
    conclusion: optStr,
    html_url: optStr,
    details_url: optStr,
    completed_at: optStr,
    output: z.object({ title: optStr, summary: optStr }).nullish(),
    app: z.object({ slug: optStr }).nullish(),
    check_suite: z.object({ head_branch: optStr }).nullish(),
    pull_requests: prRefs,
  }),
  repository,
  sender: user,
});

export const CheckSuitePayload = z.object({
  action: str,
  check_suite: z.object({
    head_sha: str,
    head_branch: optStr,
    status: optStr,
    conclusion: optStr,
    url: optStr,
    app: z.object({ slug: optStr }).nullish(),
    pull_requests: prRefs,
  }),
  repository,
  sender: user,
});

export const WorkflowRunPayload = z.object({
  action: str,
  workflow_run: z.object({
    name: optStr,
    head_sha: str,
    head_branch: optStr,
    status: optStr,
    conclusion: optStr,
    html_url: optStr,
    run_attempt: z.number().int().nullish(),
    event: optStr,
    pull_requests: prRefs,
  }),
  workflow: z.object({ name: optStr, path: optStr }).nullish(),
  repository,
  sender: user,
});

const pullRequest = z.object({
  number: z.number().int(),
  title: optStr,
  html_url: optStr,
  head: z.object({ sha: optStr, ref: optStr }).nullish(),
});

export const PullRequestReviewPayload = z.object({
  action: str,
  review: z.object({
    id: z.number().int().nullish(),
    state: str,
    body: optStr,
    html_url: optStr,
    commit_id: optStr,
    user,
  }),
  pull_request: pullRequest,
  repository,
  sender: user,
});

export const PullRequestReviewCommentPayload = z.object({
  action: str,
  comment: z.object({
    body: optStr,
    path: optStr,
    line: z.number().int().nullish(),
    html_url: optStr,
    commit_id: optStr,
    user,
  }),
  pull_request: pullRequest,
  repository,
  sender: user,
});

export const IssueCommentPayload = z.object({
  action: str,
  issue: z.object({
    number: z.number().int(),
    title: optStr,
    html_url: optStr,
    /** present only when the issue is a pull request */
    pull_request: z.object({ html_url: optStr }).nullish(),
  }),
  comment: z.object({ body: optStr, html_url: optStr, user }),
  repository,
  sender: user,
});

export const PingPayload = z.object({ zen: optStr, hook_id: z.number().int().nullish() });
