/**
 * The tools of one connected MCP client as AgentTools (workers/agent/tool.ts),
 * shared by a project's external servers (external-tools.ts) and nightshift's
 * own server (own-tools.ts).
 *
 * Contract: every tool is `untrusted` (the agent loop fences its output). A
 * call's text is the result's text blocks (other blocks named, not inlined;
 * structured content as JSON when there is no text), cut to `maxOutputChars`
 * with the cut said. A tool-level error (`isError`) and any thrown error (the
 * server down, a timeout, a protocol error) come back as `{isError: true,
 * text}` naming the tool and the reason; run() never throws.
 * Tools whose name cannot be an AgentTool name (^[a-zA-Z0-9_-]{1,64}$ after
 * the prefix) or whose input schema is oversized are skipped with a reason.
 */
import type { Client } from "@modelcontextprotocol/client";
import type { AgentTool, ToolOutput } from "../agent/tool";

export const DEFAULT_MAX_OUTPUT_CHARS = 16_000;
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const MAX_DESCRIPTION_CHARS = 1_000;
const MAX_SCHEMA_CHARS = 16_000;
const MAX_REASON_CHARS = 500;
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_LIST_PAGES = 10;

export interface ClientToolOptions {
  /** prefix of every tool name, e.g. `linear__`; "" for none */
  prefix: string;
  /** what the description starts with, e.g. `[linear MCP server]` */
  label: string;
  maxOutputChars?: number;
  callTimeoutMs?: number;
}

export interface SkippedTool {
  tool: string;
  reason: string;
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}

export function reasonOf(err: unknown): string {
  const message = err instanceof Error ? `${err.name === "Error" ? "" : `${err.name}: `}${err.message}` : String(err);
  return clip(message || "unknown error", MAX_REASON_CHARS);
}

interface ContentBlock {
  type: string;
  text?: unknown;
  resource?: { uri?: unknown; text?: unknown };
  uri?: unknown;
}

/** The text a model sees for a tool result. */
export function resultText(result: { content?: unknown; structuredContent?: unknown }): string {
  const parts: string[] = [];
  const content = Array.isArray(result.content) ? (result.content as ContentBlock[]) : [];
  for (const block of content) {
    if (block?.type === "text" && typeof block.text === "string") parts.push(block.text);
    else if (block?.type === "resource" && typeof block.resource?.text === "string") parts.push(block.resource.text);
    else if (block?.type === "resource_link" && typeof block.uri === "string") parts.push(`[resource link: ${block.uri}]`);
    else parts.push(`[${String(block?.type ?? "unknown")} content left out]`);
  }
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  return parts.join("\n");
}

/** All tools the client's server lists (a few pages at most). */
export async function listAllTools(client: Client, timeoutMs: number) {
  const tools: Awaited<ReturnType<Client["listTools"]>>["tools"] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const res = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
    tools.push(...res.tools);
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

export function clientTools(
  client: Client,
  listed: Awaited<ReturnType<Client["listTools"]>>["tools"],
  opts: ClientToolOptions,
): { tools: AgentTool[]; skipped: SkippedTool[] } {
  const maxOutput = opts.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
  const timeout = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const tools: AgentTool[] = [];
  const skipped: SkippedTool[] = [];
  const names = new Set<string>();
  for (const t of listed) {
    const name = `${opts.prefix}${t.name}`;
    if (!TOOL_NAME.test(name)) {
      skipped.push({ tool: clip(t.name, 100), reason: `${clip(name, 100)} is not a tool name the model accepts (^[a-zA-Z0-9_-]{1,64}$)` });
      continue;
    }
    if (names.has(name)) {
      skipped.push({ tool: t.name, reason: "listed twice" });
      continue;
    }
    const schema = (t.inputSchema ?? { type: "object" }) as AgentTool["inputSchema"];
    if (schema.type !== "object" || JSON.stringify(schema).length > MAX_SCHEMA_CHARS) {
      skipped.push({ tool: t.name, reason: `its input schema is not an object schema of at most ${MAX_SCHEMA_CHARS} characters` });
      continue;
    }
    names.add(name);
    const toolName = t.name;
    tools.push({
      name,
      description: clip(`${opts.label} ${t.description ?? t.title ?? toolName}`, MAX_DESCRIPTION_CHARS),
      inputSchema: schema,
      untrusted: true,
      async run(input, signal): Promise<ToolOutput> {
        try {
          const result = await client.callTool({ name: toolName, arguments: input }, { timeout, signal });
          const text = clip(resultText(result), maxOutput);
          return result.isError ? { isError: true, text: `${name} reported an error: ${text}` } : { text };
        } catch (err) {
          return { isError: true, text: `${name} failed: ${reasonOf(err)}` };
        }
      },
    });
  }
  return { tools, skipped };
}
