/**
 * Who is calling /mcp: a project's full-scope API key (everything the project
 * may read) or a research run token (the project's signals, and one report).
 * Either way the tools see only the principal's project.
 */
import type { Env } from "../env";
import { bearerToken, projectById, projectByKey } from "../ingest/auth";
import { RUN_TOKEN_PREFIX, verifyRunToken } from "./run-token";

export interface McpPrincipal {
  project: string;
  /** set for a run token: the only report its report tools may open */
  report: string | null;
  kind: "api_key" | "run_token";
}

export type McpAuth =
  | { ok: true; principal: McpPrincipal }
  | { ok: false; status: 401 | 403; code: string; detail: string };

export async function authenticateMcp(env: Env, authorization: string | undefined): Promise<McpAuth> {
  const token = bearerToken(authorization);
  if (!token) return { ok: false, status: 401, code: "missing_api_key", detail: "send `Authorization: Bearer <project API key or run token>`" };
  if (token.startsWith(RUN_TOKEN_PREFIX)) {
    const check = await verifyRunToken(env.MCP_TOKEN_SECRET, token);
    if (!check.ok) return { ok: false, status: 401, code: check.code, detail: check.detail };
    // a token outlives nothing: its project must still exist
    if (!(await projectById(env, check.claims.project))) return { ok: false, status: 401, code: "invalid_run_token", detail: "the run token's project does not exist" };
    return { ok: true, principal: { project: check.claims.project, report: check.claims.report, kind: "run_token" } };
  }
  const project = await projectByKey(env, token);
  if (!project) return { ok: false, status: 401, code: "invalid_api_key", detail: "the API key is unknown or revoked" };
  if (project.scope !== "full") return { ok: false, status: 403, code: "insufficient_scope", detail: "this key may only send signals; MCP reads the project and needs a full key" };
  return { ok: true, principal: { project: project.id, report: null, kind: "api_key" } };
}
