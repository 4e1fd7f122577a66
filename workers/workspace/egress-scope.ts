/**
 * A sandbox's egress scope: the one GitHub repository its run works on, and
 * how (`read` for a research run, and for a fix run outside its push;
 * `write` while the Worker pushes the fix run's branch). The Worker's
 * outbound handler (egress.ts) adds a credential only to requests that name
 * that repository and that the access allows; every other GitHub request
 * goes out without one, and a sandbox with no scope is refused.
 *
 * The scope lives in the sandbox's own Durable Object: the Cloudflare face
 * (cloudflare-sandbox.ts) installs it with the containers library's public
 * `setOutboundByHosts` as a per-instance override of the GitHub hosts, whose
 * `params` the named handler GITHUB_SCOPED_HANDLER receives as `ctx.params`
 * (the library persists it with the instance). The container cannot reach
 * it: only the Worker calls the Durable Object. The Workspace sets it from
 * the URLs the Worker's own code passes to gitCheckout and pushBranch
 * (sdk-workspace.ts), never from anything the container says.
 */
import { GITHUB_HOSTS, isWriteRequest, repoOfRequest, validRepoName } from "./github-request";

export type EgressAccess = "read" | "write";

export interface EgressScope {
  owner: string;
  repo: string;
  access: EgressAccess;
}

/** the name under which NightshiftSandbox registers the scoped GitHub handler (`outboundHandlers`) */
export const GITHUB_SCOPED_HANDLER = "githubScoped";

/** the scope in a handler's `ctx.params`, or null when there is none or it is not exactly a scope */
export function egressScopeOf(params: unknown): EgressScope | null {
  if (typeof params !== "object" || params === null || Array.isArray(params)) return null;
  const { owner, repo, access } = params as Record<string, unknown>;
  if (typeof owner !== "string" || typeof repo !== "string" || (access !== "read" && access !== "write")) return null;
  if (!validRepoName(owner, repo)) return null;
  return { owner, repo, access };
}

/**
 * The scope for a clone or push URL the Worker chose: `https://github.com/{owner}/{repo}(.git)`
 * (nothing after the repository, no credentials in it), else null (not a GitHub repository).
 */
export function egressScopeFor(repoUrl: string, access: EgressAccess): EgressScope | null {
  let url: URL;
  try {
    url = new URL(repoUrl);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.hostname !== "github.com" || url.port || url.username || url.password || url.search || url.hash) return null;
  if (url.pathname.split("/").filter(Boolean).length !== 2) return null;
  const named = repoOfRequest(url);
  return named ? { ...named, access } : null;
}

/** the per-instance overrides that install `scope` (for `setOutboundByHosts`): every GitHub host to the scoped handler */
export function scopeOverrides(scope: EgressScope): Record<string, { method: string; params: EgressScope }> {
  const params: EgressScope = { owner: scope.owner, repo: scope.repo, access: scope.access };
  return Object.fromEntries(GITHUB_HOSTS.map((host) => [host, { method: GITHUB_SCOPED_HANDLER, params }]));
}

/** whether the scope lets the Worker add its credential to this request: the scope's repository (any case), and no write under `read` */
export function scopeCovers(scope: EgressScope, req: Request): boolean {
  const named = repoOfRequest(new URL(req.url));
  if (!named) return false;
  if (named.owner.toLowerCase() !== scope.owner.toLowerCase() || named.repo.toLowerCase() !== scope.repo.toLowerCase()) return false;
  return scope.access === "write" || !isWriteRequest(req);
}
