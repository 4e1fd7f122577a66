/**
 * The agent loop (issue 8, items 5 and 8): Anthropic tool use, shared by
 * research and the fix loop (it knows neither; callers bring the prompt, the
 * tools and the answer's schema).
 *
 * Contract of `runAgent`:
 *  - the model is offered `tools` plus `finalTool`; the run ends when it calls
 *    `finalTool` with an input that `finalTool.schema` accepts (stop `done`,
 *    `answer` is the parsed value). An input it rejects goes back as an error
 *    tool result naming the problems; after `maxAnswerTries` rejected answers
 *    (a turn without any tool call counts as one) the run stops
 *    `invalid_output`.
 *  - untrusted tools' output is capped head and tail, then fenced as data
 *    (fence-output.ts), and the system prompt says what fences mean.
 *  - budgets: at most `maxToolCalls` tool calls run (the one past it is not
 *    run: `budget_tool_calls`); no model call once input + output tokens
 *    reach `maxTokens` (`budget_tokens`); no model call or tool call once
 *    `maxMs` has passed on the injected clock (`budget_time`).
 *  - loop detection: the same call (name + canonical JSON input) answered with
 *    the same output `loopRepeats` times stops the run (`loop`).
 *  - a Messages API failure after the SDK's retries stops the run
 *    (`model_error`, `error` says what failed); the record is kept. Anything
 *    else thrown (a bug, an abort) is rethrown.
 *  - the loop runs only the tool calls the model made, in the order it made
 *    them, and nothing else.
 *  - every step is recorded (RunRecord): model text and usage, each call with
 *    its input, each result as the model saw it with its truncated flag and
 *    duration; tokens and cost (pricing.ts) add up over the run.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { z } from "zod";
import { describeApiError } from "../safety/anthropic-client";
import { FENCE_RULES, fenceToolOutput } from "./fence-output";
import { capHeadTail } from "./head-tail";
import { costUsd } from "./pricing";
import type { RunRecord, RunStep, RunStopReason } from "./run-record";
import type { AgentTool } from "./tool";

export interface AgentBudgets {
  maxToolCalls: number;
  /** input + output tokens summed over the run's model calls */
  maxTokens: number;
  /** wall time on the run's clock */
  maxMs: number;
}

/** The tool whose input is the run's answer. */
export interface FinalTool<T> {
  name: string;
  description: string;
  inputSchema: AgentTool["inputSchema"];
  schema: z.ZodType<T>;
}

export interface RunAgentOptions<T> {
  client: Anthropic;
  model: string;
  system: string;
  /** the first user turn, with any untrusted text already fenced */
  prompt: string;
  tools: AgentTool[];
  finalTool: FinalTool<T>;
  budgets: AgentBudgets;
  purpose: RunRecord["purpose"];
  /** the agent face's name for the record (anthropic:claude-…) */
  agent: string;
  /** milliseconds; default Date.now */
  clock?: () => number;
  /** max_tokens of one model turn (default 8192) */
  maxTokensPerTurn?: number;
  /** rejected answers before `invalid_output` (default 3) */
  maxAnswerTries?: number;
  /** same call, same output this many times → `loop` (default 3) */
  loopRepeats?: number;
  /** one tool result's cap, head and tail (default 16 KiB) */
  maxToolOutputBytes?: number;
  signal?: AbortSignal;
}

export interface AgentRun<T> {
  answer: T | null;
  record: RunRecord;
  /** why the run ended without an answer, in words (API error, validation, budget) */
  error: string | null;
  /** false when the model is not in the price table (cost_usd is then 0) */
  priced: boolean;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_VALIDATION_MESSAGE = 4000;

export const LOOP_RULES = [
  "You work by calling tools. When you have your answer, call the answer tool once with it; its input is checked, and if it is rejected you get the problems back and may call it again.",
  "Every tool call costs budget: do not repeat a call whose result you already have.",
  FENCE_RULES,
].join("\n");

export async function runAgent<T>(opts: RunAgentOptions<T>): Promise<AgentRun<T>> {
  const clock = opts.clock ?? Date.now;
  const maxAnswerTries = opts.maxAnswerTries ?? 3;
  const loopRepeats = opts.loopRepeats ?? 3;
  const maxOut = opts.maxToolOutputBytes ?? 16 * 1024;
  const byName = new Map<string, AgentTool>();
  for (const t of opts.tools) {
    if (!TOOL_NAME.test(t.name)) throw new Error(`tool name '${t.name.slice(0, 80)}' breaks the Messages API's rule`);
    if (byName.has(t.name) || t.name === opts.finalTool.name) throw new Error(`two tools are named ${t.name}`);
    byName.set(t.name, t);
  }
  if (!TOOL_NAME.test(opts.finalTool.name)) throw new Error(`final tool name '${opts.finalTool.name.slice(0, 80)}' breaks the Messages API's rule`);

  const system = `${opts.system}\n\n${LOOP_RULES}\nThe answer tool is ${opts.finalTool.name}.`;
  const toolParams: Anthropic.Tool[] = [
    ...opts.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema })),
    { name: opts.finalTool.name, description: opts.finalTool.description, input_schema: opts.finalTool.inputSchema },
  ];
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: opts.prompt }];
  const steps: RunStep[] = [];
  const started = clock();
  let toolCalls = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let answerTries = 0;
  const seen = new Map<string, number>();

  const finish = (stop: RunStopReason, answer: T | null, error: string | null): AgentRun<T> => {
    const finished = clock();
    const cost = costUsd(opts.model, inputTokens, outputTokens);
    return {
      answer,
      error,
      priced: cost.known,
      record: {
        v: 1,
        purpose: opts.purpose,
        agent: opts.agent,
        model: opts.model,
        started_at: started,
        finished_at: finished,
        duration_ms: Math.max(0, finished - started),
        stop_reason: stop,
        tool_calls: toolCalls,
        input_tokens: inputTokens,
        output_tokens: outputTokens,
        cost_usd: cost.usd,
        system,
        prompt: opts.prompt,
        steps,
      },
    };
  };
  const outOfTime = () => clock() - started >= opts.budgets.maxMs;

  for (;;) {
    if (outOfTime()) return finish("budget_time", null, `wall time budget of ${opts.budgets.maxMs} ms spent`);
    if (inputTokens + outputTokens >= opts.budgets.maxTokens) return finish("budget_tokens", null, `token budget of ${opts.budgets.maxTokens} spent`);
    let message: Anthropic.Message;
    try {
      message = await opts.client.messages.create(
        { model: opts.model, max_tokens: opts.maxTokensPerTurn ?? 8192, system, tools: toolParams, messages },
        { signal: opts.signal },
      );
    } catch (e) {
      const why = describeApiError(e);
      if (why === null || e instanceof Anthropic.APIUserAbortError) throw e;
      return finish("model_error", null, why);
    }
    inputTokens += message.usage.input_tokens;
    outputTokens += message.usage.output_tokens;
    const text = message.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");
    steps.push({ kind: "model", at: clock(), text, input_tokens: message.usage.input_tokens, output_tokens: message.usage.output_tokens, stop_reason: message.stop_reason });
    const uses = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
    messages.push({ role: "assistant", content: assistantContent(message.content) });

    if (uses.length === 0) {
      answerTries++;
      if (answerTries >= maxAnswerTries) return finish("invalid_output", null, `no answer after ${answerTries} tries (last turn ended ${message.stop_reason ?? "without a reason"})`);
      messages.push({ role: "user", content: `Continue with the tools, and call ${opts.finalTool.name} with your answer when you have it.` });
      continue;
    }

    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const use of uses) {
      steps.push({ kind: "tool_call", at: clock(), id: use.id, name: use.name, input: use.input });

      if (use.name === opts.finalTool.name) {
        const parsed = opts.finalTool.schema.safeParse(use.input);
        if (parsed.success) {
          steps.push({ kind: "tool_result", at: clock(), id: use.id, name: use.name, output: "accepted", is_error: false, truncated: false, ms: 0 });
          return finish("done", parsed.data, null);
        }
        answerTries++;
        const problems = validationMessage(parsed.error);
        const output = `The answer was rejected:\n${problems}\nFix these and call ${opts.finalTool.name} again.`;
        steps.push({ kind: "tool_result", at: clock(), id: use.id, name: use.name, output, is_error: true, truncated: false, ms: 0 });
        if (answerTries >= maxAnswerTries) return finish("invalid_output", null, `answer rejected ${answerTries} times: ${problems.slice(0, 500)}`);
        results.push({ type: "tool_result", tool_use_id: use.id, content: output, is_error: true });
        continue;
      }

      if (toolCalls >= opts.budgets.maxToolCalls) return finish("budget_tool_calls", null, `tool call budget of ${opts.budgets.maxToolCalls} spent`);
      if (outOfTime()) return finish("budget_time", null, `wall time budget of ${opts.budgets.maxMs} ms spent`);
      toolCalls++;
      const tool = byName.get(use.name);
      const t0 = clock();
      let raw: { text: string; isError: boolean; untrusted: boolean };
      if (!tool) {
        raw = { text: `There is no tool named ${use.name.slice(0, 80)}.`, isError: true, untrusted: false };
      } else {
        try {
          const out = await tool.run(isObject(use.input) ? use.input : {}, opts.signal);
          raw = { text: out.text, isError: out.isError === true, untrusted: tool.untrusted };
        } catch (e) {
          if (opts.signal?.aborted) throw e;
          raw = { text: `The tool failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(0, 2000), isError: true, untrusted: true };
        }
      }
      const t1 = clock();
      const capped = capHeadTail(raw.text, maxOut);
      const output = raw.untrusted ? fenceToolOutput(use.name, capped.text) : capped.text;
      steps.push({ kind: "tool_result", at: t1, id: use.id, name: use.name, output, is_error: raw.isError, truncated: capped.truncated, ms: Math.max(0, t1 - t0) });
      results.push({ type: "tool_result", tool_use_id: use.id, content: output, ...(raw.isError ? { is_error: true } : {}) });

      const key = `${use.name}\u0000${canonicalJson(use.input)}\u0000${raw.isError ? 1 : 0}\u0000${raw.text}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n >= loopRepeats) return finish("loop", null, `${use.name} was called ${n} times with the same input and got the same output`);
    }
    messages.push({ role: "user", content: results });
  }
}

/** The assistant turn sent back: its text and tool calls (nothing else is asked for). */
function assistantContent(blocks: Anthropic.ContentBlock[]): Anthropic.ContentBlockParam[] {
  const out: Anthropic.ContentBlockParam[] = [];
  for (const b of blocks) {
    if (b.type === "text") out.push({ type: "text", text: b.text });
    else if (b.type === "tool_use") out.push({ type: "tool_use", id: b.id, name: b.name, input: b.input });
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** JSON with object keys sorted at every level: the same input, the same text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** "path: message" a line, capped. */
function validationMessage(error: z.ZodError): string {
  const lines = error.issues.slice(0, 30).map((i) => `- ${i.path.length ? i.path.join(".") : "(answer)"}: ${i.message}`);
  if (error.issues.length > 30) lines.push(`- … and ${error.issues.length - 30} more`);
  return lines.join("\n").slice(0, MAX_VALIDATION_MESSAGE);
}
