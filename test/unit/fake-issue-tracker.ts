/**
 * A small MCP server standing in for an issue tracker (Linear-like), in Node,
 * built with @modelcontextprotocol/server's createMcpHandler over Streamable
 * HTTP on 127.0.0.1: tools `search_issues` and `get_issue`, an optional
 * required Bearer token, and a record of every Authorization header it saw.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";

export interface Issue {
  id: string;
  title: string;
  description: string;
  state: string;
}

export interface FakeTracker {
  url: string;
  /** the Authorization header of every HTTP request (null: none) */
  authorizations: (string | null)[];
  close(): Promise<void>;
}

function trackerServer(issues: Issue[]): McpServer {
  const server = new McpServer({ name: "fake-issue-tracker", version: "1.0.0" });
  server.registerTool(
    "search_issues",
    {
      description: "Issues whose title or description contains the query",
      inputSchema: z.object({ query: z.string().min(1), limit: z.number().int().min(1).max(50).default(10) }),
    },
    async ({ query, limit }) => {
      const q = query.toLowerCase();
      const found = issues.filter((i) => `${i.title}\n${i.description}`.toLowerCase().includes(q)).slice(0, limit);
      return { content: [{ type: "text", text: found.map((i) => `${i.id} [${i.state}] ${i.title}`).join("\n") || "no issues" }] };
    },
  );
  server.registerTool(
    "get_issue",
    { description: "One issue by id", inputSchema: z.object({ id: z.string() }) },
    async ({ id }) => {
      const issue = issues.find((i) => i.id === id);
      if (!issue) return { content: [{ type: "text", text: `no issue ${id}` }], isError: true };
      return { content: [{ type: "text", text: `${issue.id}: ${issue.title}\n\n${issue.description}` }] };
    },
  );
  return server;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakeTracker(issues: Issue[], opts: { token?: string } = {}): Promise<FakeTracker> {
  const handler = createMcpHandler(() => trackerServer(issues));
  const authorizations: (string | null)[] = [];
  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers.authorization ?? null;
    authorizations.push(auth);
    if (opts.token && auth !== `Bearer ${opts.token}`) {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"' });
      res.end(JSON.stringify({ error: "invalid_token" }));
      return;
    }
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readAll(req);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const response = await handler.fetch(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) for await (const chunk of response.body) res.write(chunk);
    res.end();
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
