/**
 * Which pull request a GitHub webhook is about, for waking the fix run that
 * babysits it: CI that finished (check_run, check_suite, workflow_run
 * `completed`, any conclusion — green matters as much as red), the pull
 * request itself (closed, reopened, synchronize, edited), reviews, review
 * comments, comments on a pull request's conversation, and a push to a
 * branch other than a fix branch (`baseBranch`: it may be the base of open
 * fix pull requests, which may no longer merge — GitHub sends no
 * pull_request event when the base moves). The fix run then
 * reads the forge's current state itself; the webhook only says "look now",
 * so a lost, late or redelivered webhook changes nothing but timing.
 *
 * Returns the repository (owner/name), the pull request numbers named, and
 * the head branch when the payload carries one (a fix branch is
 * `nightshift/<report>`), or null for anything else. Only the fields read are
 * checked; the rest of the payload is left alone.
 */
import { z } from "zod";

export interface PullWake {
  event: string;
  action: string | null;
  repository: string;
  pulls: number[];
  branch: string | null;
  /** a push moved this branch (not a fix branch): pull requests based on it are named by nothing else */
  baseBranch?: string;
}

const Repo = z.object({ full_name: z.string().min(3).max(200) });
const PrRef = z.object({ number: z.number().int().positive(), head: z.object({ ref: z.string().max(300) }).partial().optional() });
const Head = { head: z.object({ ref: z.string().max(300) }) };

const CheckRun = z.object({ action: z.string(), repository: Repo, check_run: z.object({ pull_requests: z.array(PrRef).max(100).optional(), check_suite: z.object({ head_branch: z.string().max(300).nullable().optional() }).optional() }) });
const CheckSuite = z.object({ action: z.string(), repository: Repo, check_suite: z.object({ head_branch: z.string().max(300).nullable().optional(), pull_requests: z.array(PrRef).max(100).optional() }) });
const WorkflowRun = z.object({ action: z.string(), repository: Repo, workflow_run: z.object({ head_branch: z.string().max(300).nullable().optional(), pull_requests: z.array(PrRef).max(100).optional() }) });
const PullEvent = z.object({ action: z.string(), repository: Repo, pull_request: z.object({ number: z.number().int().positive(), ...Head }) });
const IssueComment = z.object({ action: z.string(), repository: Repo, issue: z.object({ number: z.number().int().positive(), pull_request: z.object({}).passthrough().optional() }) });

const Push = z.object({ ref: z.string().max(300), deleted: z.boolean().optional(), repository: Repo });

const PULL_ACTIONS = new Set(["closed", "reopened", "synchronize", "edited", "ready_for_review", "converted_to_draft"]);

export function pullWakeOf(event: string, payload: unknown): PullWake | null {
  switch (event) {
    case "check_run": {
      const p = CheckRun.safeParse(payload);
      if (!p.success || p.data.action !== "completed") return null;
      const prs = p.data.check_run.pull_requests ?? [];
      return { event, action: p.data.action, repository: p.data.repository.full_name, pulls: prs.map((x) => x.number), branch: p.data.check_run.check_suite?.head_branch ?? prs[0]?.head?.ref ?? null };
    }
    case "check_suite": {
      const p = CheckSuite.safeParse(payload);
      if (!p.success || p.data.action !== "completed") return null;
      return { event, action: p.data.action, repository: p.data.repository.full_name, pulls: (p.data.check_suite.pull_requests ?? []).map((x) => x.number), branch: p.data.check_suite.head_branch ?? null };
    }
    case "workflow_run": {
      const p = WorkflowRun.safeParse(payload);
      if (!p.success || p.data.action !== "completed") return null;
      return { event, action: p.data.action, repository: p.data.repository.full_name, pulls: (p.data.workflow_run.pull_requests ?? []).map((x) => x.number), branch: p.data.workflow_run.head_branch ?? null };
    }
    case "pull_request":
    case "pull_request_review":
    case "pull_request_review_comment": {
      const p = PullEvent.safeParse(payload);
      if (!p.success) return null;
      if (event === "pull_request" && !PULL_ACTIONS.has(p.data.action)) return null;
      if (event !== "pull_request" && p.data.action === "deleted") return null;
      return { event, action: p.data.action, repository: p.data.repository.full_name, pulls: [p.data.pull_request.number], branch: p.data.pull_request.head.ref };
    }
    case "push": {
      const p = Push.safeParse(payload);
      if (!p.success || p.data.deleted === true || !p.data.ref.startsWith("refs/heads/")) return null;
      const branch = p.data.ref.slice("refs/heads/".length);
      // a fix branch's own push: its pull request's synchronize wakes its run
      if (!branch || branch.startsWith(FIX_BRANCH_PREFIX)) return null;
      return { event, action: null, repository: p.data.repository.full_name, pulls: [], branch: null, baseBranch: branch };
    }
    case "issue_comment": {
      const p = IssueComment.safeParse(payload);
      if (!p.success || !p.data.issue.pull_request || p.data.action !== "created") return null;
      return { event, action: p.data.action, repository: p.data.repository.full_name, pulls: [p.data.issue.number], branch: null };
    }
  }
  return null;
}

export const FIX_BRANCH_PREFIX = "nightshift/";

/** the report a fix branch belongs to (`nightshift/<report>`), or null */
export function reportOfBranch(branch: string | null): string | null {
  if (!branch || !branch.startsWith(FIX_BRANCH_PREFIX)) return null;
  const id = branch.slice(FIX_BRANCH_PREFIX.length);
  return /^[A-Za-z0-9_-]{1,100}$/.test(id) ? id : null;
}
