/**
 * What a research run hands back to its report: the evidence summary, the
 * bucket (with the rule and reason that decided it), the research output,
 * and a summary of the recorded run (the whole record stays with the research
 * run: `GET /v1/reports/:id/research-run`).
 */
import type { ActionabilityDecision } from "../actionability/actionability";
import type { RunRecord, RunStopReason } from "../agent/run-record";
import type { ResearchOutput } from "./output";
import type { Evidence } from "./research";

export interface RunSummary {
  /** the research run's key (`report:revision`) */
  key: string;
  agent: string;
  model: string | null;
  stop_reason: RunStopReason;
  tool_calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  duration_ms: number;
  steps: number;
}

export interface ResearchResult {
  evidence: Evidence;
  decision: ActionabilityDecision;
  /** null from runs made before research read the code */
  research: ResearchOutput | null;
  run: RunSummary | null;
}

export function runSummary(r: RunRecord, key: string): RunSummary {
  return {
    key,
    agent: r.agent,
    model: r.model,
    stop_reason: r.stop_reason,
    tool_calls: r.tool_calls,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    cost_usd: r.cost_usd,
    duration_ms: r.duration_ms,
    steps: r.steps.length,
  };
}
