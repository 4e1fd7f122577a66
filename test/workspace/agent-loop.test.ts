/**
 * The agent loop and its workspace tools in workerd, on the Workspace's local
 * face (the Sandbox SDK's client against the local sandbox service): a
 * scripted model searches, reads, runs git and edits a checked-out
 * repository, each turn asserting the previous tool results, and submits.
 * Shows the loop, the tools and the Anthropic SDK run where the Worker runs.
 */
import { describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { runAgent, type FinalTool } from "../../workers/agent/loop";
import { workspaceTools } from "../../workers/agent/workspace-tools";
import { anthropicClient } from "../../workers/safety/anthropic-client";
import { workspaceFromEnv } from "../../workers/workspace/from-env";
import { modelTurn, scripted, toolResults, use } from "../unit/agent-fake-anthropic";

const env = { WORKSPACE: "local", LOCAL_SANDBOX_URL: inject("sandboxUrl") };
const Done = z.object({ changed: z.string() }).strict();
const done: FinalTool<z.infer<typeof Done>> = { name: "done", description: "finish", inputSchema: { type: "object", properties: { changed: { type: "string" } }, required: ["changed"] }, schema: Done };

describe("agent loop on the local sandbox", () => {
  it("searches, reads, runs git and edits a checkout through the Workspace, then answers", async () => {
    const ws = workspaceFromEnv(env, `agent${Math.random().toString(36).slice(2, 10)}`);
    await ws.gitCheckout(inject("gitRepoUrl"), undefined, "/workspace/repo");
    const t = scripted([
      { reply: modelTurn("", [use("s", "search_code", { query: "() => 41" })]) },
      {
        check: (req) => expect(toolResults(req)[0].content).toContain("\n1 matching line\napp.js:1:export const answer = () => 41;\n</tool_output-"),
        reply: modelTurn("", [use("r", "read_file", { path: "app.js" }), use("g", "bash", { command: "git log --format=%s" }), use("x", "read_file", { path: "../../etc/passwd" })]),
      },
      {
        check: (req) => {
          const [read, log, escape] = toolResults(req);
          expect(read.content).toContain("\napp.js (lines 1-1 of 1)\n1\texport const answer = () => 41;\n");
          expect(log.content).toContain("\nexit code: 0\nstdout:\nfirst\n");
          expect(escape.is_error).toBe(true);
          expect(escape.content).toContain("Invalid input: path must not contain '..'");
        },
        reply: modelTurn("", [use("e", "edit_file", { path: "app.js", old_string: "41", new_string: "42" })]),
      },
      {
        check: (req) => expect(toolResults(req)[0].content).toContain("\nedited app.js at line 1\n"),
        reply: modelTurn("", [use("d", "done", { changed: "app.js" })]),
      },
    ]);
    const run = await runAgent({
      client: anthropicClient({ apiKey: "k", baseURL: "http://anthropic.fake", fetch: t.fetch, maxRetries: 0 }),
      model: "claude-haiku-4-5",
      system: "Change the answer.",
      prompt: "Make the answer 42.",
      tools: workspaceTools(ws, "/workspace/repo"),
      finalTool: done,
      budgets: { maxToolCalls: 10, maxTokens: 100_000, maxMs: 60_000 },
      purpose: "fix",
      agent: "anthropic:claude-haiku-4-5",
    });
    expect(t.failures).toEqual([]);
    expect(run.answer).toEqual({ changed: "app.js" });
    expect(run.record).toMatchObject({ stop_reason: "done", tool_calls: 5, purpose: "fix" });
    expect(await ws.readFile("repo/app.js")).toBe("export const answer = () => 42;\n");
  });
});
