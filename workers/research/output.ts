/**
 * What research says about a report (issue 8, item 5): the one output both
 * research faces return — the offline code researcher (rules over the
 * signals, the checkout, git blame and CODEOWNERS) and the agent (Anthropic
 * tool use in a Workspace) — validated with this schema before the report
 * takes it. The fix loop reads it: findings name the files, lines and commits
 * to start from; reviewers are requested on the pull request.
 *
 * Tie-breaks, which the agent is told (agent-researcher.ts): between
 * actionable and needs_human choose actionable; between needs_human and
 * not_actionable choose not_actionable. The offline rules decide in a fixed
 * order and never hesitate.
 */
import { z } from "zod";

export const PRIORITIES = ["P0", "P1", "P2", "P3", "P4"] as const;
export type ResearchPriority = (typeof PRIORITIES)[number];

/** A place in the checked-out repository (repo-relative path, 1-based line). */
export const CodeLocation = z.object({
  path: z.string().min(1).max(500),
  line: z.number().int().positive().nullable(),
  /** the line as it reads at the researched commit (trimmed, ≤ 300 chars) */
  snippet: z.string().max(300).nullable(),
});
export type CodeLocation = z.infer<typeof CodeLocation>;

/** A commit that touched a location (from git blame or git log). */
export const RelevantCommit = z.object({
  sha: z.string().regex(/^[0-9a-f]{7,64}$/),
  author: z.string().min(1).max(200),
  email: z.string().max(320).nullable(),
  /** ISO 8601 author date */
  date: z.string().max(40),
  subject: z.string().max(300),
});
export type RelevantCommit = z.infer<typeof RelevantCommit>;

/** What the signals (one or more) show, where in the code, and which commits brought it. */
export const Finding = z.object({
  signal_ids: z.array(z.string().min(1).max(200)).min(1).max(200),
  what: z.string().min(1).max(1000),
  locations: z.array(CodeLocation).max(10),
  /** 1–5 relevant commits when the code was found; empty otherwise */
  commits: z.array(RelevantCommit).max(5),
});
export type Finding = z.infer<typeof Finding>;

/** Someone who should review a fix: commit authors (bots left out) and CODEOWNERS (last matching rule). */
export const Reviewer = z.object({
  /** a GitHub login or team (`@org/team`) when known, else the commit author's name */
  handle: z.string().min(1).max(200),
  email: z.string().max(320).nullable(),
  sources: z.array(z.enum(["blame", "codeowners"])).min(1),
  reason: z.string().max(300),
});
export type Reviewer = z.infer<typeof Reviewer>;

export const Actionability = z.discriminatedUnion("bucket", [
  z.object({ bucket: z.literal("actionable"), rule: z.string().min(1).max(80), reason: z.string().min(1).max(1000) }),
  z.object({
    bucket: z.literal("needs_human"),
    rule: z.string().min(1).max(80),
    reason: z.string().min(1).max(1000),
    /** the one question a person must answer before anyone changes code */
    question: z.string().min(1).max(500),
  }),
  z.object({ bucket: z.literal("not_actionable"), rule: z.string().min(1).max(80), reason: z.string().min(1).max(1000) }),
]);
export type Actionability = z.infer<typeof Actionability>;

export const ResearchOutput = z.object({
  title: z.string().min(1).max(70),
  summary: z.string().min(1).max(4000),
  findings: z.array(Finding).max(50),
  reviewers: z.array(Reviewer).max(10),
  /** set when actionable; null otherwise */
  priority: z.enum(PRIORITIES).nullable(),
  confidence: z.number().min(0).max(1),
  actionability: Actionability,
  /** a commit after the signals' first sighting touched the code they point at */
  already_addressed: z.object({ commit: RelevantCommit, reason: z.string().max(500) }).nullable(),
});
export type ResearchOutput = z.infer<typeof ResearchOutput>;

export type Bucket = Actionability["bucket"];
