/**
 * projectExternalTools in workerd: servers set with PATCH /v1/project, tokens
 * opened from D1 and sent as Bearer to their own server, a token that no
 * longer opens and a blocked host each failing only their server. The issue
 * tracker stand-in is an in-process @modelcontextprotocol/server handler
 * behind the transport's fetch.
 */
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { projectExternalTools } from "../../workers/mcp/external-tools";
import { api, createProject } from "./helpers";

function tracker() {
  const server = new McpServer({ name: "tracker-stand-in", version: "1.0.0" });
  server.registerTool("search_issues", { description: "Issues matching a query", inputSchema: z.object({ query: z.string() }) }, async ({ query }) => ({
    content: [{ type: "text", text: `ENG-7 Checkout totals crash (matched ${query})` }],
  }));
  return server;
}

describe("projectExternalTools", () => {
  it("connects the project's servers with their opened tokens; a server that fails leaves the others", async () => {
    const key = await createProject("ext-a");
    const res = await api(key, "/v1/project", {
      method: "PATCH",
      body: JSON.stringify({
        mcp_servers: [
          { name: "linear", url: "https://linear.stand-in/mcp", token: "lin_token_123" },
          { name: "notion", url: "https://notion.stand-in/mcp" },
          { name: "blocked", url: "https://blocked.example/mcp" },
          { name: "rekeyed", url: "https://linear.stand-in/mcp", token: "other_token" },
        ],
      }),
    });
    expect(res.status).toBe(200);
    // a token sealed under an earlier SECRETS_KEY: moved in from another field, it no longer opens
    const row = await env.DB.prepare("SELECT mcp_servers FROM projects WHERE id = 'ext-a'").first<{ mcp_servers: string }>();
    const list = JSON.parse(row!.mcp_servers) as { name: string; token: string | null }[];
    list[3].token = list[0].token;
    await env.DB.prepare("UPDATE projects SET mcp_servers = ? WHERE id = 'ext-a'").bind(JSON.stringify(list)).run();

    const seen: { host: string; auth: string | null }[] = [];
    const handler = createMcpHandler(tracker);
    const fetchStandIns = async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      const host = new URL(req.url).hostname;
      seen.push({ host, auth: req.headers.get("authorization") });
      if (!host.endsWith(".stand-in")) return new Response("blocked", { status: 599 });
      return handler.fetch(req);
    };
    const ext = await projectExternalTools(env, "ext-a", { fetch: fetchStandIns as typeof fetch, connectTimeoutMs: 10_000 });
    try {
      expect(ext.tools.map((t) => t.name).sort()).toEqual(["linear__search_issues", "notion__search_issues"]);
      expect(ext.failed.map((f) => f.server).sort()).toEqual(["blocked", "rekeyed"]);
      expect(ext.failed.find((f) => f.server === "rekeyed")!.reason).toMatch(/token does not open/);
      const out = await ext.tools.find((t) => t.name === "linear__search_issues")!.run({ query: "checkout" });
      expect(out).toEqual({ text: "ENG-7 Checkout totals crash (matched checkout)" });
    } finally {
      await ext.close();
    }
    expect(new Set(seen.filter((s) => s.host === "linear.stand-in").map((s) => s.auth))).toEqual(new Set(["Bearer lin_token_123"]));
    expect(new Set(seen.filter((s) => s.host !== "linear.stand-in").map((s) => s.auth))).toEqual(new Set([null]));
  });
});
