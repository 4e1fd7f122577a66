/**
 * Research: what a promoted report is about, with its evidence.
 * Offline: `EvidenceResearcher` (deterministic summary of the signals).
 * Production: an agent in a Cloudflare Sandbox with the codebase, our MCP
 * server and external MCPs, adding git blame / CODEOWNERS for the reviewer;
 * it implements this same interface and returns the same `Evidence`.
 */
import type { OutcomeNote } from "../reports/outcome-notes";

export interface EvidenceSignal {
  id: string;
  source_product: string;
  source_type: string;
  content: string;
  weight: number;
  received_at: number;
}

export interface ResearchInput {
  reportId: string;
  project: string;
  weight: number;
  signals: EvidenceSignal[];
  /** what became of earlier fixes and what people decided (workers/reports/outcome-notes.ts), oldest first */
  notes?: OutcomeNote[];
}

export interface Count {
  value: string;
  count: number;
}

export type Priority = "p1" | "p2" | "p3";

export interface Evidence {
  title: string;
  summary: string;
  priority: Priority;
  signal_count: number;
  total_weight: number;
  counts_by_source: Record<string, number>;
  error_types: Count[];
  top_frames: Count[];
  top_files: Count[];
  routes: Count[];
  first_seen: number;
  last_seen: number;
  /** git blame / CODEOWNERS in production; null offline */
  suggested_reviewer: string | null;
  researcher: string;
}

export interface Researcher {
  readonly name: string;
  research(input: ResearchInput): Promise<Evidence>;
}

/**
 * The repository a report's research reads: checked out in a Workspace at
 * `dir` (a container path under /workspace), at commit `head` of `branch`.
 */
export interface RepoCheckout {
  workspace: import("../workspace/workspace").Workspace;
  dir: string;
  url: string;
  branch: string;
  head: string;
  /** the project's test command, when it gave one */
  testCommand: string | null;
}

export interface CodeResearchInput {
  report: ResearchInput;
  /** the deterministic summary of the signals (always computed first) */
  evidence: Evidence;
  /** null when the project has connected no repository */
  repo: RepoCheckout | null;
  /** nightshift's own MCP tools for this run, then the project's external MCP servers' tools */
  tools: import("../agent/tool").AgentTool[];
}

export interface CodeResearchResult {
  output: import("./output").ResearchOutput;
  run: import("../agent/run-record").RunRecord;
}

/**
 * Research with the code (issue 8): the offline code researcher and the agent
 * implement this; the research run Durable Object calls it after the
 * evidence summary.
 */
export interface CodeResearcher {
  readonly name: string;
  /** the MCP tools it calls, which the run connects: nightshift's own, or those and the project's external servers' (none when unset) */
  readonly tools?: "own" | "all";
  research(input: CodeResearchInput, signal?: AbortSignal): Promise<CodeResearchResult>;
}
