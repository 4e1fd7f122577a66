/**
 * `/mcp`: nightshift's MCP server over Streamable HTTP (createMcpHandler from
 * agents, stateless: each request gets a fresh server). Authenticated first:
 * without a valid project API key or run token the answer is a 401 problem
 * with a machine-readable `code`, and no MCP code runs.
 */
import { createMcpHandler } from "agents/mcp/server";
import { Hono } from "hono";
import type { AppEnv } from "../ingest/auth";
import { problem } from "../ingest/problem";
import { authenticateMcp } from "./principal";
import { buildMcpServer } from "./server";

export const MCP_PATH = "/mcp";

export function mcpRoute() {
  const app = new Hono<AppEnv>();
  app.all(MCP_PATH, async (c) => {
    const auth = await authenticateMcp(c.env, c.req.header("authorization"));
    if (!auth.ok) {
      const challenge = auth.status === 401 ? { "www-authenticate": `Bearer realm="nightshift", error="invalid_token"` } : undefined;
      return problem(c, auth.status, auth.code, auth.detail, undefined, challenge);
    }
    const handler = createMcpHandler(() => buildMcpServer(c.env, auth.principal), {
      route: MCP_PATH,
      corsOptions: false,
      onerror: (err) => console.error("mcp", err),
    });
    return handler.fetch(c.req.raw);
  });
  return app;
}
