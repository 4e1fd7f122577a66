/**
 * Research: what a promoted report is about, with its evidence.
 * Offline: `EvidenceResearcher` (deterministic summary of the signals).
 * Production: an agent in a Cloudflare Sandbox with the codebase, our MCP
 * server and external MCPs, adding git blame / CODEOWNERS for the reviewer;
 * it implements this same interface and returns the same `Evidence`.
 */

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
