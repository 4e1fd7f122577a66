/**
 * What a Cloudflare Sandbox container may reach, and how credentials get
 * there without ever entering it: the container has no token in its
 * environment or on disk; its requests to GitHub pass through the Worker's
 * outbound handler (NightshiftSandbox's `outboundByHost` and
 * `outboundHandlers`), which removes any credential the container sent and
 * adds the deployment's own, for the sandbox's run only. Package registries
 * are reached without credentials; every other host is refused with a
 * machine-readable reason.
 *
 * Scope (egress-scope.ts): each sandbox belongs to one run, and the run to
 * one repository. The Workspace installs that repository as the sandbox's
 * per-instance scope (`ctx.params` of the GitHub handler) before it clones,
 * with `read` access, and raises it to `write` only around its own push.
 * - A request naming the scope's repository (git, archive or REST path, see
 *   github-request.ts) gets the credential, unless it writes (git-receive-pack,
 *   REST other than GET/HEAD) under `read`.
 * - Any other GitHub request (another repository, even one the App is
 *   installed on; a path naming no repository) goes out with NO credential:
 *   public repositories still clone anonymously, nothing private or writable
 *   is reachable through the Worker.
 * - A sandbox without a scope (or with params that are not one) is refused:
 *   403 `{ reason: "egress_scope_missing" }` on every GitHub host.
 *
 * Credentials (Worker secrets), for a covered request (`githubCredential`):
 * - with a GitHub App (GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY, see
 *   forge/github-app.ts): an installation token minted for the scope's
 *   repository, narrowed to it and to `contents: read` or `contents: write`
 *   as the scope's access says, cached while fresh. When GitHub will not
 *   narrow to that name, the answer is 502 (no installation-wide token). The
 *   App not installed on the repository: GITHUB_TOKEN if set, else nothing.
 *   Any other App failure (bad key, minting refused, GitHub down) answers the
 *   container 502 `{ reason: "github_credential_unavailable", cause }` — no
 *   token, no secret.
 * - without an App: GITHUB_TOKEN, a static token (it cannot be narrowed: the
 *   scope only limits which requests carry it; read scope keeps it off pushes
 *   and REST writes, not off Git LFS uploads).
 */
import { ForgeError } from "../forge/forge-client";
import { GitHubApp, githubAppConfigured, type GitHubAppEnv } from "../forge/github-app";
import { egressScopeOf, GITHUB_SCOPED_HANDLER, scopeCovers, type EgressScope } from "./egress-scope";
import { GITHUB_HOSTS } from "./github-request";

export { GITHUB_HOSTS, repoOfRequest } from "./github-request";

export interface EgressEnv extends GitHubAppEnv {
  GITHUB_TOKEN?: string;
}

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

let appMemo: { key: string; fetch: typeof fetch | undefined; app: GitHubApp } | null = null;

/** one GitHubApp per configuration (its token and installation caches outlive a request) */
function appFor(env: EgressEnv, appFetch: typeof fetch | undefined): GitHubApp {
  const key = `${env.GITHUB_APP_ID}\u0000${env.GITHUB_API_URL ?? ""}\u0000${env.GITHUB_APP_PRIVATE_KEY}`;
  if (!appMemo || appMemo.key !== key || appMemo.fetch !== appFetch) appMemo = { key, fetch: appFetch, app: GitHubApp.fromEnv(env, { fetch: appFetch }) };
  return appMemo.app;
}

/**
 * The credential the Worker adds to a container's request to a GitHub host
 * under `scope`: null unless the scope covers the request (its repository,
 * and no write under `read`); then the App's installation token for the
 * scope's repository, narrowed to it and to `contents: <access>`, when an
 * App is configured and installed there, else GITHUB_TOKEN, else null.
 * Throws ForgeError when the App is configured but cannot mint (see the header).
 */
export async function githubCredential(env: EgressEnv, req: Request, scope: EgressScope, deps: CredentialDeps = {}): Promise<GitHubCredential | null> {
  if (!scopeCovers(scope, req)) return null;
  const staticToken = env.GITHUB_TOKEN?.trim();
  const fallback: GitHubCredential | null = staticToken ? { token: staticToken, source: "token" } : null;
  if (!githubAppConfigured(env)) return fallback;
  const app = appFor(env, deps.appFetch);
  let installationId: number;
  try {
    installationId = await app.installationIdFor(scope.owner, scope.repo);
  } catch (err) {
    if (err instanceof ForgeError && err.reason === "not_installed") return fallback;
    throw err;
  }
  try {
    // the scope's repository only (GitHub refuses a name it cannot narrow to: 422, no wider token instead)
    const minted = await app.installationToken(installationId, { repositories: [scope.repo], permissions: { contents: scope.access } });
    return { token: minted.token, source: "app" };
  } catch (err) {
    if (err instanceof ForgeError && err.reason === "not_installed") {
      // uninstalled since the look-up was cached
      app.forgetInstallation(scope.owner, scope.repo);
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

/**
 * git over HTTPS and the REST API on GitHub under the sandbox's scope (null:
 * none installed, refused): the deployment's credential where the scope
 * covers the request (githubCredential), never the container's own.
 */
export async function githubWithCredential(req: Request, env: EgressEnv, scope: EgressScope | null, upstream: Upstream = fetch, deps: CredentialDeps = {}): Promise<Response> {
  if (!scope) {
    const detail = "this sandbox has no repository scope: the Workspace sets it when it checks a repository out";
    return Response.json({ reason: "egress_scope_missing", host: new URL(req.url).hostname, detail }, { status: 403 });
  }
  const headers = withoutCredentials(req);
  let credential: GitHubCredential | null;
  try {
    credential = await githubCredential(env, req, scope, deps);
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

/** an outbound handler as the containers library calls it: `ctx.params` is what the instance's override was set with */
export type EgressHandler = (req: Request, env: EgressEnv, ctx?: { params?: unknown }) => Promise<Response>;

/** GitHub under the scope in `ctx.params` (none: refused) */
function scopedGitHub(upstream: Upstream | undefined, deps: CredentialDeps): EgressHandler {
  return (req, env, ctx) => githubWithCredential(req, env, egressScopeOf(ctx?.params), upstream, deps);
}

/**
 * hostname → handler, for NightshiftSandbox's `outboundByHost`: the class-wide
 * default, without params, so a GitHub host there is refused until the
 * instance's scope overrides it (outboundHandlers)
 */
export function outboundByHost(upstream?: Upstream, deps: CredentialDeps = {}): Record<string, EgressHandler> {
  const table: Record<string, EgressHandler> = {};
  for (const h of GITHUB_HOSTS) table[h] = scopedGitHub(upstream, deps);
  for (const h of PACKAGE_HOSTS) table[h] = (req, env) => packageRegistry(req, env, upstream);
  return table;
}

/** the named handlers a per-instance override may point at (`setOutboundByHosts`; see egress-scope.ts) */
export function outboundHandlers(upstream?: Upstream, deps: CredentialDeps = {}): Record<typeof GITHUB_SCOPED_HANDLER, EgressHandler> {
  return { [GITHUB_SCOPED_HANDLER]: scopedGitHub(upstream, deps) };
}
