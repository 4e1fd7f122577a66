/**
 * Every agent run is data (issue 8, item 8): what the model was asked, each
 * turn, each tool call with its input and output, tokens, cost and time.
 * Recorded by the loop, stored with the research run (and later the fix run),
 * shown on the report, and replayable offline (a recorded run's model turns
 * are played back while the tools run again; a tool result that differs from
 * the recording is a replay failure).
 *
 * The offline researcher records a run too (steps are its tool calls, no
 * tokens), so a report always shows how its research was reached.
 */
export type RunStopReason =
  | "done" // the agent submitted its answer
  | "budget_tool_calls"
  | "budget_tokens"
  | "budget_time"
  | "loop" // the same call and output repeated
  | "invalid_output" // the answer failed validation too many times
  | "model_error"; // the Messages API failed after the SDK's retries

export type RunStep =
  | { kind: "model"; at: number; text: string; input_tokens: number; output_tokens: number; stop_reason: string | null }
  | { kind: "tool_call"; at: number; id: string; name: string; input: unknown }
  | { kind: "tool_result"; at: number; id: string; name: string; output: string; is_error: boolean; truncated: boolean; ms: number };

export interface RunRecord {
  v: 1;
  /** research | fix */
  purpose: "research" | "fix";
  /** the researcher or agent face (offline-code-v1, anthropic:claude-…) */
  agent: string;
  model: string | null;
  started_at: number;
  finished_at: number;
  duration_ms: number;
  stop_reason: RunStopReason;
  tool_calls: number;
  input_tokens: number;
  output_tokens: number;
  /** USD, from the model's list price; 0 offline */
  cost_usd: number;
  /** the system prompt and first user turn, as sent (the first user turn fences untrusted text) */
  system: string | null;
  prompt: string | null;
  steps: RunStep[];
}
