/**
 * Replaying a recorded agent run offline (issue 8, item 8): the recorded
 * model turns are played back by a fake Messages API (a `fetch` given to the
 * real SDK client, so the loop runs exactly as it did), while the tools run
 * again against today's workspace. Each tool result is compared with the
 * recording (fence boundaries aside: every run draws its own); the first one
 * that differs fails the replay and names its step index in the recorded
 * run. Budgets are those the recording implies (a run stopped by its
 * tool-call or token budget stops there again); when the recorded turns run
 * out the playback answers an API error, so a run recorded as `model_error`
 * ends the same way.
 *
 * A replay checks that the tools still say what they said; it does not call
 * a model and needs no key.
 */
import Anthropic from "@anthropic-ai/sdk";
import { withoutBoundary } from "./fence-output";
import { LOOP_RULES, runAgent, type AgentRun, type FinalTool } from "./loop";
import type { RunRecord, RunStep } from "./run-record";
import type { AgentTool } from "./tool";

export interface ReplayOptions<T> {
  tools: AgentTool[];
  finalTool: FinalTool<T>;
  /** default: a clock that never moves, so no time budget stops the replay */
  clock?: () => number;
}

export type ReplayResult<T> =
  | { ok: true; run: AgentRun<T> }
  | {
      ok: false;
      /** index in the recorded run's steps of the first tool result that differs (or is missing) */
      step: number;
      reason: string;
      expected: string | null;
      actual: string | null;
      run: AgentRun<T>;
    };

type ToolUse = { type: "tool_use"; id: string; name: string; input: unknown; caller: { type: "direct" } };

/** The recorded assistant turns as Messages API responses, in order. */
export function recordedTurns(record: RunRecord): Anthropic.Message[] {
  const turns: Anthropic.Message[] = [];
  let current: { step: Extract<RunStep, { kind: "model" }>; uses: ToolUse[] } | null = null;
  const flush = () => {
    if (!current) return;
    const { step, uses } = current;
    const content: Anthropic.ContentBlock[] = [];
    if (step.text !== "") content.push({ type: "text", text: step.text, citations: null });
    content.push(...uses);
    turns.push({
      id: `msg_replay_${turns.length}`,
      type: "message",
      role: "assistant",
      model: record.model ?? "replay",
      container: null,
      diagnostics: null,
      content,
      stop_details: null,
      stop_reason: (step.stop_reason as Anthropic.StopReason | null) ?? (uses.length ? "tool_use" : "end_turn"),
      stop_sequence: null,
      usage: {
        cache_creation: null,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        inference_geo: null,
        input_tokens: step.input_tokens,
        output_tokens: step.output_tokens,
        output_tokens_details: null,
        server_tool_use: null,
        service_tier: "standard",
        speed: null,
      },
    });
  };
  for (const s of record.steps) {
    if (s.kind === "model") {
      flush();
      current = { step: s, uses: [] };
    } else if (s.kind === "tool_call" && current) {
      current.uses.push({ type: "tool_use", id: s.id, name: s.name, input: s.input, caller: { type: "direct" } });
    }
  }
  flush();
  return turns;
}

/** A `fetch` that answers the Messages API with the recorded turns, then with an API error. */
export function playbackFetch(turns: Anthropic.Message[]): typeof fetch {
  let next = 0;
  return (async () => {
    if (next < turns.length) {
      const body = JSON.stringify(turns[next++]);
      return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
    }
    const error = { type: "error", error: { type: "api_error", message: "the recording has no further model turn" } };
    return new Response(JSON.stringify(error), { status: 500, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
}

export async function replayRun<T>(record: RunRecord, opts: ReplayOptions<T>): Promise<ReplayResult<T>> {
  if (record.model === null || record.system === null || record.prompt === null) throw new Error("only a model run can be replayed (this record has no model, system or prompt)");
  const client = new Anthropic({ apiKey: "replay", baseURL: "http://replay.invalid", fetch: playbackFetch(recordedTurns(record)), maxRetries: 0 });
  const system = stripLoopRules(record.system, opts.finalTool.name);
  const run = await runAgent({
    client,
    model: record.model,
    system,
    prompt: record.prompt,
    tools: opts.tools,
    finalTool: opts.finalTool,
    budgets: {
      maxToolCalls: record.stop_reason === "budget_tool_calls" ? record.tool_calls : Number.MAX_SAFE_INTEGER,
      maxTokens: record.stop_reason === "budget_tokens" ? record.input_tokens + record.output_tokens : Number.MAX_SAFE_INTEGER,
      maxMs: Number.MAX_SAFE_INTEGER,
    },
    clock: opts.clock ?? (() => record.started_at),
    purpose: record.purpose,
    agent: record.agent,
  });
  const want = record.steps.flatMap((s, i) => (s.kind === "tool_result" ? [{ i, s }] : []));
  const got = run.record.steps.filter((s): s is Extract<RunStep, { kind: "tool_result" }> => s.kind === "tool_result");
  for (let k = 0; k < want.length; k++) {
    const { i, s } = want[k];
    const g = got[k];
    if (!g) return { ok: false, step: i, reason: `the replay stopped (${run.record.stop_reason}) before this tool result`, expected: s.output, actual: null, run };
    const expected = withoutBoundary(s.output);
    const actual = withoutBoundary(g.output);
    if (g.id !== s.id || g.name !== s.name || g.is_error !== s.is_error || expected !== actual) {
      return { ok: false, step: i, reason: `${s.name} (${s.id}) answered differently`, expected: s.output, actual: g.output, run };
    }
  }
  return { ok: true, run };
}

/** The loop appends its rules to the caller's system prompt; a replay gives the caller's part back. */
function stripLoopRules(system: string, finalName: string): string {
  const tail = `\n\n${LOOP_RULES}\nThe answer tool is ${finalName}.`;
  return system.endsWith(tail) ? system.slice(0, system.length - tail.length) : system;
}
