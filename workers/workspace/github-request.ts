/**
 * What a container's request to a GitHub host is about, read from the
 * request alone (the Worker's outbound handler decides from this which
 * credential, if any, it adds; see egress.ts and egress-scope.ts):
 * - `repoOfRequest`: the repository the path names, or null;
 * - `isWriteRequest`: whether it would change the repository (a git push, or
 *   a REST call other than GET/HEAD).
 * Names are checked, not trusted; every check is linear in the input.
 */

/** the repository host: credentials added by the Worker, per the sandbox's scope */
export const GITHUB_HOSTS = ["github.com", "api.github.com", "codeload.github.com", "objects.githubusercontent.com"] as const;

// linear: single character classes, anchored
const OWNER = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** a GitHub owner and repository name as GitHub allows them (the repository without `.git`) */
export function validRepoName(owner: string, repo: string): boolean {
  return OWNER.test(owner) && REPO.test(repo) && repo !== "." && repo !== ".." && !repo.endsWith(".git");
}

/**
 * The repository a request to a GitHub host is about, or null: git over HTTPS
 * and archives (`github.com/{owner}/{repo}(.git)/info/refs|git-upload-pack|
 * git-receive-pack|…`, `codeload.github.com/{owner}/{repo}/…`) and the REST
 * API (`api.github.com/repos/{owner}/{repo}/…`). Anything else (other API
 * paths, objects.githubusercontent.com's signed downloads) names none.
 */
export function repoOfRequest(url: URL): { owner: string; repo: string } | null {
  if (url.pathname.length > 2048) return null;
  const segments = url.pathname.split("/").filter(Boolean);
  let owner: string | undefined;
  let repo: string | undefined;
  if (url.hostname === "github.com" || url.hostname === "codeload.github.com") [owner, repo] = segments;
  else if (url.hostname === "api.github.com" && segments[0] === "repos") [, owner, repo] = segments;
  if (!owner || !repo) return null;
  if (repo.endsWith(".git")) repo = repo.slice(0, -4);
  if (!validRepoName(owner, repo)) return null;
  return { owner, repo };
}

/**
 * Whether the request would write: git's push (`git-receive-pack`, as the
 * path's last segment or the `service` of `info/refs`) or a REST call that is
 * not GET/HEAD. git's fetch (`git-upload-pack`, a POST) and archives read.
 */
export function isWriteRequest(req: Request): boolean {
  const url = new URL(req.url);
  if (url.hostname === "api.github.com") return req.method !== "GET" && req.method !== "HEAD";
  if (url.searchParams.get("service") === "git-receive-pack") return true;
  return url.pathname.endsWith("/git-receive-pack");
}
