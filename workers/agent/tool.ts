/**
 * A tool an agent may call (issue 8, item 5): the loop in workers/agent/
 * offers these to the model; research and the fix loop build their own sets
 * (workspace tools: bash, read, edit, search; nightshift's MCP tools; a
 * project's external MCP servers' tools).
 *
 * `untrusted`: the tool's output may hold text someone outside the team wrote
 * (signals, issue trackers, repository files, command output) — the loop
 * fences it as data before the model sees it. Every tool in practice is
 * untrusted except pure computations.
 */
export interface ToolOutput {
  text: string;
  /** the call failed; the model sees the text as an error result */
  isError?: boolean;
}

export interface AgentTool {
  /** ^[a-zA-Z0-9_-]{1,64}$ (the Messages API's rule) */
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the input object */
  readonly inputSchema: { type: "object"; properties?: Record<string, unknown>; required?: string[]; [k: string]: unknown };
  readonly untrusted: boolean;
  run(input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolOutput>;
}
