/**
 * Bearer API key per project. Keys are stored as SHA-256 hashes (D1
 * `api_keys`); a request's key is hashed and looked up, so the key itself
 * never rests anywhere. Revoked keys do not authenticate.
 */
import { createMiddleware } from "hono/factory";
import { and, eq, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { apiKeys, projects } from "../db/schema";
import type { Env } from "../env";
import { sha256Hex } from "./hash";
import { problem } from "./problem";

export type KeyScope = "full" | "ingest";

export interface ProjectContext {
  id: string;
  name: string;
  promotionThreshold: number;
  /** what the presenting key may do */
  scope: KeyScope;
}

export type AppEnv = { Bindings: Env; Variables: { project: ProjectContext } };

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}

/**
 * Key → project lookups are cached per isolate for a short time, so a busy
 * source does not cost a D1 query per request. A revoked key keeps working
 * for at most KEY_CACHE_TTL_MS in isolates that saw it recently.
 */
const KEY_CACHE_TTL_MS = 30_000;
const KEY_CACHE_MAX = 1_000;
const keyCache = new Map<string, { project: ProjectContext | null; expires: number }>();

/** The project a (bearer, Sentry DSN or PostHog) API key belongs to, or null. */
export async function projectByKey(env: Env, key: string): Promise<ProjectContext | null> {
  const hash = await sha256Hex(key);
  const now = Date.now();
  const hit = keyCache.get(hash);
  if (hit && hit.expires > now && hit.project) return hit.project;
  const row = await drizzle(env.DB)
    .select({ id: projects.id, name: projects.name, promotionThreshold: projects.promotionThreshold, scope: apiKeys.scope })
    .from(apiKeys)
    .innerJoin(projects, eq(apiKeys.projectId, projects.id))
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
    .get();
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  // only known keys are cached: an unknown key is looked up again next time
  const project = row ? { ...row, scope: (row.scope === "ingest" ? "ingest" : "full") as KeyScope } : null;
  if (project) keyCache.set(hash, { project, expires: now + KEY_CACHE_TTL_MS });
  return project;
}

/** A project with its source settings (webhook secrets), for sources that sign instead of sending a key. */
export async function projectById(env: Env, id: string) {
  return (await drizzle(env.DB).select().from(projects).where(eq(projects.id, id)).get()) ?? null;
}

/** Any valid key of the project: ingest routes. */
export const requireProject = createMiddleware<AppEnv>(async (c, next) => {
  // authenticated already by another router's middleware on the same path: one key lookup a request
  if (c.get("project")) return next();
  const token = bearerToken(c.req.header("authorization"));
  const challenge = { "www-authenticate": 'Bearer realm="nightshift"' };
  if (!token) return problem(c, 401, "missing_api_key", "send `Authorization: Bearer <project API key>`", undefined, challenge);
  const project = await projectByKey(c.env, token);
  if (!project) return problem(c, 401, "invalid_api_key", "the API key is unknown or revoked", undefined, challenge);
  c.set("project", project);
  await next();
});

/** A full-scope key: routes that read the project or change its settings. */
export const requireFullKey = createMiddleware<AppEnv>(async (c, next) =>
  requireProject(c, async () => {
    if (c.get("project").scope !== "full") {
      c.res = problem(c, 403, "insufficient_scope", "this key may only send signals; reading and settings need a full key");
      return;
    }
    await next();
  }),
);
