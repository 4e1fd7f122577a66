/**
 * The fixer seam (issue 9, item 1): whoever writes the change in the
 * checkout. Given the report (its research and a few signals), the checkout
 * on the fix branch and the baseline test run, it edits files and answers
 * with `FixAnswer`; the fix procedure (write-fix.ts) — not the fixer — runs
 * the tests again, reads the diff, applies the diff guard and commits.
 *
 * Faces (fix/from-env.ts): `anthropic` (agent-fixer.ts, the shared agent loop
 * with write tools). Offline there is no fixer: the run stops in the inbox
 * with "needs an LLM key"; a recorded agent run can be replayed through the
 * anthropic face against a playback of its model turns.
 */
import { z } from "zod";
import type { RunRecord, RunStopReason } from "../agent/run-record";
import type { EvidenceSignal } from "../research/research";
import type { ResearchOutput } from "../research/output";
import type { Workspace } from "../workspace/workspace";
import type { TestRun } from "./pr-body";

export const FixAnswer = z.object({
  /** what changed and why, for the pull request (≤ 2000 characters) */
  summary: z.string().min(1).max(2000),
  /** the cause in the code, in a sentence or two */
  root_cause: z.string().min(1).max(1000),
  /** repository-relative paths of the tests that cover the report's failure (added or changed, or existing ones now passing) */
  tests: z.array(z.string().min(1).max(500)).min(1).max(20),
  /** the commit's subject line */
  commit_message: z.string().min(1).max(72),
});
export type FixAnswer = z.infer<typeof FixAnswer>;

/**
 * A review comment, a CI failure, or a conflict left by merging the base
 * branch in (one item per conflicted file: its conflict markers) that the
 * next round must answer (babysitting).
 */
export interface FixFeedback {
  kind: "ci_failure" | "review_comment" | "conflict";
  /** who wrote it (review comments), the check's name, or the merge (`merge of <base>`) */
  from: string;
  /** untrusted text: fenced by the fixer before it reaches a prompt */
  text: string;
  path?: string | null;
  line?: number | null;
}

export interface FixInput {
  reportId: string;
  research: ResearchOutput;
  /** a few of the report's signals (untrusted) */
  signals: EvidenceSignal[];
  workspace: Workspace;
  /** the checkout, on the fix branch */
  dir: string;
  testCommand: string | null;
  /** the tests on the base commit, before any change */
  baseline: TestRun | null;
  /** set on later rounds: what CI or a trusted reviewer asked for */
  feedback?: FixFeedback[];
  /**
   * earlier attempts at this report a person rejected (a pull request closed
   * without merging) and why, so the next attempt does not repeat them;
   * the reasons are people's words, fenced with the rest
   */
  rejected?: { pull: number; reason: string }[];
}

export interface FixResult {
  answer: FixAnswer;
  run: RunRecord;
}

export interface Fixer {
  /** the face's name for records (anthropic:claude-…) */
  readonly name: string;
  fix(input: FixInput, signal?: AbortSignal): Promise<FixResult>;
}

/** The fixer ended without an answer (budget, loop, invalid answers, the API failing); its run is kept. */
export class FixerStopped extends Error {
  constructor(
    readonly stopReason: RunStopReason,
    message: string,
    readonly run: RunRecord,
  ) {
    super(message);
    this.name = "FixerStopped";
  }
  /** only an API failure may go better on a later attempt */
  get retryable(): boolean {
    return this.stopReason === "model_error";
  }
}
