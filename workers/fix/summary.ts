/**
 * What a report and its inbox entry show of the fix loop: where the fix run
 * is, why it stopped (in words), the pull request once there is one, the
 * tests before and after, pushes, and the agent run's cost. The fix run
 * Durable Object (durable-objects/fix-run.ts) writes it; the report keeps
 * the latest one (`GET /v1/reports/:id` → `fix`), the whole run record stays
 * with the fix run (`GET /v1/reports/:id/fix-run`).
 *
 * Status:
 *   queued, running     — on its way
 *   needs_llm_key       — no fixer configured: the report waits for a person (or a key)
 *   no_forge            — the repository is not on a forge nightshift can open pull requests on
 *   stopped             — the run ended without a pull request; `outcome` and `reason` say why
 *   pr_open             — a draft pull request is open, waiting for CI (babysitting)
 *   green               — CI passed on the head and no trusted review comment waits: ready for a person
 *   merged, closed      — a person merged it, or closed it without merging (`reason` quotes them)
 *   regressed           — merged, and the problem's signals came back within the soak window
 *   verified            — merged, and nothing came back within the soak window
 *   failed              — errors after every attempt; `reason` has the last one
 *   stale               — the report was no longer ready when the run started
 */
import type { RunSummary } from "../research/result";
import type { FixOutcome } from "./write-fix";

export const FIX_STATUSES = ["queued", "running", "needs_llm_key", "no_forge", "stopped", "pr_open", "green", "merged", "closed", "regressed", "verified", "failed", "stale"] as const;
export type FixStatus = (typeof FIX_STATUSES)[number];

export interface TestTally {
  exit_code: number | null;
  passed: number | null;
  failed: number | null;
}

export interface FixSummary {
  status: FixStatus;
  reason: string;
  /** the fix procedure's outcome, when one ran */
  outcome: FixOutcome | null;
  branch: string | null;
  pull: { number: number; url: string; html_url: string; head_sha: string; draft: boolean } | null;
  pushes: number;
  tests: { baseline: TestTally | null; after: TestTally | null };
  /** the latest agent run */
  run: RunSummary | null;
  /** every agent run of this fix summed: rounds (first fix, then each answer to CI or a review), tokens, cost */
  cost: { rounds: number; ci_rounds: number; tool_calls: number; input_tokens: number; output_tokens: number; cost_usd: number };
  /** review comments from people the project does not trust: shown, never acted on */
  ignored_comments: { author: string; association: string; excerpt: string }[];
  attempts: number;
  updated_at: number;
}
