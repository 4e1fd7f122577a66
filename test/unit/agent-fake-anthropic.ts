/**
 * A scripted transcript of the Messages API with tool use, for the agent
 * loop's tests: a `fetch` (over llm-fake-anthropic.ts) that answers request k
 * with turn k's reply after checking the request — its body against a zod
 * schema of a tool-use request (strict; every tool_use answered by a
 * tool_result in the next user turn, as the API demands), and turn k's own
 * `check`, which asserts the tool results the loop sent back for turn k-1, so
 * a loop that skipped or garbled a tool cannot pass. A failed check (or an
 * unexpected extra request) is kept in `failures` and answered with HTTP 400,
 * which ends the run; tests assert `failures` is empty.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { fakeAnthropic, messageWith, type FakeReply, type RecordedRequest } from "./llm-fake-anthropic";

const TextBlock = z.object({ type: z.literal("text"), text: z.string() }).strict();
const ToolUseBlock = z.object({ type: z.literal("tool_use"), id: z.string().min(1), name: z.string(), input: z.record(z.string(), z.unknown()) }).strict();
const ToolResultBlock = z.object({ type: z.literal("tool_result"), tool_use_id: z.string().min(1), content: z.string(), is_error: z.boolean().optional() }).strict();
const ToolParam = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
    description: z.string().min(1),
    input_schema: z.object({ type: z.literal("object") }).catchall(z.unknown()),
  })
  .strict();
const UserMessage = z.object({ role: z.literal("user"), content: z.union([z.string(), z.array(z.union([TextBlock, ToolResultBlock])).min(1)]) }).strict();
const AssistantMessage = z.object({ role: z.literal("assistant"), content: z.array(z.union([TextBlock, ToolUseBlock])).min(1) }).strict();

/** A tool-use request as the loop may send it: non-streaming, text, tool calls and tool results only. */
export const AgentMessagesRequest = z
  .object({
    model: z.string().min(1),
    max_tokens: z.number().int().positive(),
    system: z.string().min(1),
    tools: z.array(ToolParam).min(1),
    messages: z.array(z.discriminatedUnion("role", [UserMessage, AssistantMessage])).min(1),
    stream: z.literal(false).optional(),
  })
  .strict()
  .superRefine((req, ctx) => {
    req.messages.forEach((m, i) => {
      const want = i % 2 === 0 ? "user" : "assistant";
      if (m.role !== want) ctx.addIssue({ code: "custom", message: `message ${i} should be ${want}` });
      if (m.role !== "assistant") return;
      const ids = m.content.flatMap((b) => (b.type === "tool_use" ? [b.id] : []));
      if (ids.length === 0) return;
      const next = req.messages[i + 1];
      const answered = next && typeof next.content !== "string" ? next.content.flatMap((b) => (b.type === "tool_result" ? [b.tool_use_id] : [])) : [];
      if (JSON.stringify(answered) !== JSON.stringify(ids)) ctx.addIssue({ code: "custom", message: `message ${i}'s tool calls ${ids.join(",")} answered by ${answered.join(",")}` });
    });
    if (req.messages[req.messages.length - 1].role !== "user") ctx.addIssue({ code: "custom", message: "the last message must be the user's" });
  });
export type AgentMessagesRequest = z.infer<typeof AgentMessagesRequest>;
export type ToolResult = z.infer<typeof ToolResultBlock>;

type Assignable<T, U> = [T] extends [U] ? true : false;
export const AGENT_REQUEST_SCHEMA_MATCHES_SDK: Assignable<AgentMessagesRequest, Anthropic.MessageCreateParamsNonStreaming> = true;

export interface Turn {
  /** asserts on the request (e.g. the tool results of the previous turn); throw to fail */
  check?: (req: AgentMessagesRequest) => void;
  reply: FakeReply;
}

/** The tool_result blocks of the request's last user turn. */
export function toolResults(req: AgentMessagesRequest): ToolResult[] {
  const last = req.messages[req.messages.length - 1];
  return typeof last.content === "string" ? [] : last.content.filter((b): b is ToolResult => b.type === "tool_result");
}

export function scripted(turns: Turn[]) {
  const failures: string[] = [];
  const parsed: AgentMessagesRequest[] = [];
  const fail = (i: number, why: string): FakeReply => {
    failures.push(`request ${i}: ${why}`);
    return { status: 400, error: { type: "invalid_request_error", message: `scripted fake: ${why.slice(0, 200)}` } };
  };
  const fake = fakeAnthropic((req: RecordedRequest, i: number) => {
    const body = AgentMessagesRequest.safeParse(req.body);
    if (!body.success) return fail(i, `malformed request: ${body.error.message}`);
    parsed.push(body.data);
    const turn = turns[i];
    if (!turn) return fail(i, "no turn scripted for this request");
    try {
      turn.check?.(body.data);
    } catch (e) {
      return fail(i, e instanceof Error ? e.message : String(e));
    }
    return turn.reply;
  });
  return { fetch: fake.fetch, requests: fake.requests, parsed, failures };
}

export interface Use {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** A model turn: optional text, then tool calls. */
export function modelTurn(text: string, uses: Use[] = [], usage = { input_tokens: 1000, output_tokens: 100 }): FakeReply {
  const base = messageWith(text);
  const content: Anthropic.ContentBlock[] = [
    ...(text ? base.content : []),
    ...uses.map((u) => ({ type: "tool_use" as const, id: u.id, name: u.name, input: u.input, caller: { type: "direct" as const } })),
  ];
  return {
    status: 200,
    message: { ...base, model: "claude-sonnet-4-6", content, stop_reason: uses.length ? "tool_use" : "end_turn", usage: { ...base.usage, ...usage } },
  };
}

export const use = (id: string, name: string, input: Record<string, unknown>): Use => ({ id, name, input });
