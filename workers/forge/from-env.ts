/**
 * The forge a deployment opens pull requests on, chosen in this one place:
 *
 *   FORGE               github | local | none (default: github when GITHUB_APP_ID is set, else
 *                       local when LOCAL_FORGE_URL is set, else none — fix runs then stop with
 *                       "no forge is configured")
 *   GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_API_URL
 *                       the GitHub App (forge/github-app.ts; docs/notes/github-app.md)
 *   LOCAL_FORGE_URL     the local forge's origin, e.g. http://127.0.0.1:8791
 *                       (scripts/local/forge/local-forge.ts; its REST API at /api/v3)
 *   LOCAL_FORGE_TOKEN   the local forge's token (API calls and pushes)
 */
import { AppForge } from "./app-face";
import type { ForgeClient } from "./forge-client";
import { GitHubApp, githubAppConfigured, type GitHubAppEnv } from "./github-app";
import { localForgeClient } from "./local-face";

export interface ForgeEnv extends GitHubAppEnv {
  FORGE?: string;
  LOCAL_FORGE_URL?: string;
  LOCAL_FORGE_TOKEN?: string;
}

export class ForgeConfigError extends Error {}

export function forgeFromEnv(env: ForgeEnv, opts: { fetch?: typeof fetch } = {}): ForgeClient | null {
  const face = env.FORGE?.trim() || (githubAppConfigured(env) ? "github" : env.LOCAL_FORGE_URL?.trim() ? "local" : "none");
  if (face === "none") return null;
  if (face === "github") return new AppForge(GitHubApp.fromEnv(env, { fetch: opts.fetch }));
  if (face !== "local") throw new ForgeConfigError(`FORGE must be github, local or none, not '${face}'`);
  const url = env.LOCAL_FORGE_URL?.trim();
  if (!url || !/^https?:\/\/[^\s/]+\/?$/.test(url)) throw new ForgeConfigError(`FORGE=local needs LOCAL_FORGE_URL, an http(s) origin, not '${url ?? ""}'`);
  return localForgeClient({ url, token: env.LOCAL_FORGE_TOKEN?.trim() || undefined, fetch: opts.fetch });
}
