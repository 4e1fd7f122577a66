/**
 * What a Cloudflare Sandbox container may reach, and how credentials get
 * there without ever entering it: the container has no token in its
 * environment or on disk; its requests to the repository host pass through
 * the Worker's outbound handler (`outboundByHost` of NightshiftSandbox),
 * which removes any credential the container sent and adds the deployment's
 * own. Package registries are reached without credentials; every other host
 * is refused with a machine-readable reason.
 *
 * Credentials (Worker secrets), per request (`githubCredential`):
 * - with a GitHub App (GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY, see
 *   forge/github-app.ts): an installation token the App mints for the
 *   request's repository (parsed from the git or API path), narrowed to that
 *   repository and SANDBOX_PERMISSIONS, cached while fresh. A repository the
 *   App is not installed on (a public dependency, say), or a path naming no
 *   repository, gets GITHUB_TOKEN if set, else no credential. Any other App
 *   failure (bad key, minting refused, GitHub down) answers the container 502
 *   `{ reason: "github_credential_unavailable", cause }` — no token, no secret.
 * - without an App: GITHUB_TOKEN, a token with read access to the connected
 *   repositories, on every GitHub request (as before).
 */
import { ForgeError } from "../forge/forge-client";
import { GitHubApp, githubAppConfigured, type GitHubAppEnv } from "../forge/github-app";

export interface EgressEnv extends GitHubAppEnv {
  GITHUB_TOKEN?: string;
}

/** what an App-minted sandbox token may do: clone and push the one repository (metadata: read is implied) */
export const SANDBOX_PERMISSIONS = { contents: "write" } as const;

/** the repository host: credentials added by the Worker */
export const GITHUB_HOSTS = ["github.com", "api.github.com", "codeload.github.com", "objects.githubusercontent.com"] as const;

/** package registries the project's toolchain installs from: reached as they are, no credentials */
export const PACKAGE_HOSTS = ["registry.npmjs.org", "registry.yarnpkg.com", "pypi.org", "files.pythonhosted.org", "proxy.golang.org", "sum.golang.org", "rubygems.org", "index.crates.io", "static.crates.io"] as const;

type Upstream = (req: Request) => Promise<Response>;

export interface GitHubCredential {
  token: string;
  /** "app": an installation token minted for the repository; "token": the static GITHUB_TOKEN */
  source: "app" | "token";
}

export interface CredentialDeps {
  /** the fetch the GitHub App uses to reach GitHub's API (tests: a fake); default global fetch */
  appFetch?: typeof fetch;
}

/**
 * The repository a request to a GitHub host is about, or null: git over HTTPS
 * and archives (`github.com/{owner}/{repo}(.git)/info/refs|git-upload-pack|
 * git-receive-pack|…`, `codeload.github.com/{owner}/{repo}/…`) and the REST
 * API (`api.github.com/repos/{owner}/{repo}/…`). Names are checked, not trusted.
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
  // linear: single character classes, anchored
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/.test(owner) || !/^[A-Za-z0-9._-]{1,100}$/.test(repo) || repo === "." || repo === "..") return null;
  return { owner, repo };
}

let appMemo: { key: string; fetch: typeof fetch | undefined; app: GitHubApp } | null = null;

/** one GitHubApp per configuration (its token and installation caches outlive a request) */
function appFor(env: EgressEnv, appFetch: typeof fetch | undefined): GitHubApp {
  const key = `${env.GITHUB_APP_ID}\u0000${env.GITHUB_API_URL ?? ""}\u0000${env.GITHUB_APP_PRIVATE_KEY}`;
  if (!appMemo || appMemo.key !== key || appMemo.fetch !== appFetch) appMemo = { key, fetch: appFetch, app: GitHubApp.fromEnv(env, { fetch: appFetch }) };
  return appMemo.app;
}

/**
 * The credential the Worker adds to a container's request to a GitHub host:
 * the App's installation token for the request's repository when an App is
 * configured and installed there, else GITHUB_TOKEN, else null. Throws
 * ForgeError when the App is configured but cannot mint (see the header).
 */
export async function githubCredential(env: EgressEnv, req: Request, deps: CredentialDeps = {}): Promise<GitHubCredential | null> {
  const staticToken = env.GITHUB_TOKEN?.trim();
  const fallback: GitHubCredential | null = staticToken ? { token: staticToken, source: "token" } : null;
  if (!githubAppConfigured(env)) return fallback;
  const target = repoOfRequest(new URL(req.url));
  if (!target) return fallback;
  const app = appFor(env, deps.appFetch);
  let installationId: number;
  try {
    installationId = await app.installationIdFor(target.owner, target.repo);
  } catch (err) {
    if (err instanceof ForgeError && (err.reason === "not_installed" || err.reason === "invalid_repo")) return fallback;
    throw err;
  }
  const mint = (repositories?: string[]) => app.installationToken(installationId, { repositories, permissions: { ...SANDBOX_PERMISSIONS } });
  try {
    let minted;
    try {
      minted = await mint([target.repo]);
    } catch (err) {
      // the name as the URL spells it may not be one GitHub narrows by: the installation's token, same permissions
      if (!(err instanceof ForgeError && err.reason === "validation_failed")) throw err;
      minted = await mint();
    }
    return { token: minted.token, source: "app" };
  } catch (err) {
    if (err instanceof ForgeError && err.reason === "not_installed") {
      // uninstalled since the look-up was cached
      app.forgetInstallation(target.owner, target.repo);
      return fallback;
    }
    throw err;
  }
}

/** the request as the container made it, without any credential of its own */
function withoutCredentials(req: Request): Headers {
  const headers = new Headers(req.headers);
  headers.delete("authorization");
  headers.delete("proxy-authorization");
  headers.delete("cookie");
  return headers;
}

/** git over HTTPS and the REST API on GitHub: the deployment's credential (githubCredential), never the container's */
export async function githubWithCredential(req: Request, env: EgressEnv, upstream: Upstream = fetch, deps: CredentialDeps = {}): Promise<Response> {
  const headers = withoutCredentials(req);
  let credential: GitHubCredential | null;
  try {
    credential = await githubCredential(env, req, deps);
  } catch (err) {
    const cause = err instanceof ForgeError ? err.reason : "error";
    const detail = err instanceof ForgeError ? err.message : "the GitHub App credential could not be made";
    return Response.json({ reason: "github_credential_unavailable", cause, detail }, { status: 502 });
  }
  if (credential) {
    const host = new URL(req.url).hostname;
    headers.set("authorization", host === "api.github.com" ? `Bearer ${credential.token}` : `Basic ${btoa(`x-access-token:${credential.token}`)}`);
  }
  return upstream(new Request(req, { headers }));
}

/** a package registry: forwarded without credentials */
export function packageRegistry(req: Request, _env: EgressEnv, upstream: Upstream = fetch): Promise<Response> {
  return upstream(new Request(req, { headers: withoutCredentials(req) }));
}

/** any other host: refused, saying why */
export function refuseEgress(req: Request): Response {
  const host = new URL(req.url).hostname;
  return Response.json({ reason: "host_not_allowed", host, detail: `the sandbox may reach ${GITHUB_HOSTS[0]} and package registries only` }, { status: 403 });
}

/** hostname → handler, for `static outboundByHost` */
export function outboundByHost(upstream?: Upstream, deps: CredentialDeps = {}): Record<string, (req: Request, env: EgressEnv) => Promise<Response>> {
  const table: Record<string, (req: Request, env: EgressEnv) => Promise<Response>> = {};
  for (const h of GITHUB_HOSTS) table[h] = (req, env) => githubWithCredential(req, env, upstream, deps);
  for (const h of PACKAGE_HOSTS) table[h] = (req, env) => packageRegistry(req, env, upstream);
  return table;
}
