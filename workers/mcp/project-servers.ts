/**
 * A project's external MCP servers as D1 keeps them (`projects.mcp_servers`,
 * a JSON array): `{name, url, token}` where token is sealed with the secret
 * box (context `projects/<id>/mcp_servers/<name>`) or null. Written by
 * PATCH /v1/project; read here, tokens opened, for the research run
 * (workers/mcp/external-tools.ts).
 */
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { open, secretContext, type SecretsEnv } from "../admin/secret-box";
import { projects } from "../db/schema";

export const MAX_MCP_SERVERS = 10;
export const MCP_SERVER_NAME = /^[a-z0-9_-]{1,32}$/;

export interface StoredMcpServer {
  name: string;
  url: string;
  /** sealed token, or null */
  token: string | null;
}

export interface McpServerConfig {
  name: string;
  url: string;
  /** the plaintext token, sent only to this server as `Authorization: Bearer` */
  token: string | null;
}

export function mcpTokenContext(project: string, name: string): string {
  return secretContext(project, `mcp_servers/${name}`);
}

/** The stored list (tolerant: a null or unreadable column is no servers). */
export function storedMcpServers(column: string | null): StoredMcpServer[] {
  if (!column) return [];
  try {
    const list = JSON.parse(column) as unknown;
    if (!Array.isArray(list)) return [];
    return list.filter(
      (s): s is StoredMcpServer => typeof s === "object" && s !== null && typeof s.name === "string" && typeof s.url === "string" && (s.token === null || typeof s.token === "string"),
    );
  } catch {
    return [];
  }
}

/** The project's servers as stored (tokens sealed). */
export async function storedProjectMcpServers(env: { DB: D1Database }, projectId: string): Promise<StoredMcpServer[]> {
  const row = await drizzle(env.DB).select({ mcpServers: projects.mcpServers }).from(projects).where(eq(projects.id, projectId)).get();
  return storedMcpServers(row?.mcpServers ?? null);
}

/** One server with its token opened; throws SecretsKeyMissing / SecretUnreadable when the token cannot be. */
export async function openMcpServer(env: SecretsEnv, projectId: string, s: StoredMcpServer): Promise<McpServerConfig> {
  return { name: s.name, url: s.url, token: s.token === null ? null : await open(env, s.token, mcpTokenContext(projectId, s.name)) };
}

/** The project's servers with their tokens opened; throws like openMcpServer. */
export async function projectMcpServers(env: SecretsEnv & { DB: D1Database }, projectId: string): Promise<McpServerConfig[]> {
  return Promise.all((await storedProjectMcpServers(env, projectId)).map((s) => openMcpServer(env, projectId, s)));
}
