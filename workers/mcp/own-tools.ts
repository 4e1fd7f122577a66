/**
 * nightshift's own MCP tools (server.ts: search_signals, get_report,
 * related_signals, report_timeline) as AgentTools for one research run.
 *
 * The calls go through the same server code users' MCP clients reach at /mcp:
 * `buildMcpServer(env, principal)` with the principal a run token would carry
 * (the report's project; its report tools open that one report only), joined
 * to an MCP client by the SDK's public in-memory transport pair — no HTTP, no
 * token minting, same validation and results. Tool names are the server's
 * own (no prefix: external tools always hold `__`, these never do), all
 * `untrusted`. The caller closes with `close()` when the run ends.
 */
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import type { AgentTool } from "../agent/tool";
import type { Env } from "../env";
import { clientTools, listAllTools, type SkippedTool } from "./client-tools";
import type { McpPrincipal } from "./principal";
import { buildMcpServer } from "./server";

export interface RunScope {
  project: string;
  /** the report the run researches: the only one its report tools open */
  report: string;
}

export interface OwnTools {
  tools: AgentTool[];
  skipped: SkippedTool[];
  close(): Promise<void>;
}

export async function ownMcpTools(env: Env, scope: RunScope, opts: { maxOutputChars?: number; callTimeoutMs?: number } = {}): Promise<OwnTools> {
  if (!scope.project || !scope.report) throw new Error("own MCP tools are scoped to one project and one report");
  const principal: McpPrincipal = { project: scope.project, report: scope.report, kind: "run_token" };
  const server = buildMcpServer(env, principal);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "nightshift-research", version: "0.1.0" });
  try {
    await client.connect(clientSide);
    const listed = await listAllTools(client, 30_000);
    const { tools, skipped } = clientTools(client, listed, {
      prefix: "",
      label: "[nightshift]",
      maxOutputChars: opts.maxOutputChars,
      callTimeoutMs: opts.callTimeoutMs,
    });
    return {
      tools,
      skipped,
      async close() {
        await client.close().catch(() => {});
        await server.close().catch(() => {});
      },
    };
  } catch (err) {
    await client.close().catch(() => {});
    await server.close().catch(() => {});
    throw err;
  }
}
