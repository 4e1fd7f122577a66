/**
 * What a Cloudflare Sandbox container may reach, and how credentials get
 * there without ever entering it: the container has no token in its
 * environment or on disk; its requests to the repository host pass through
 * the Worker's outbound handler (`outboundByHost` of NightshiftSandbox),
 * which removes any credential the container sent and adds the deployment's
 * own. Package registries are reached without credentials; every other host
 * is refused with a machine-readable reason.
 *
 * Credentials (Worker secrets): GITHUB_TOKEN — a token with read access to
 * the connected repositories (the fix loop will mint GitHub App installation
 * tokens here instead).
 */
export interface EgressEnv {
  GITHUB_TOKEN?: string;
}

/** the repository host: credentials added by the Worker */
export const GITHUB_HOSTS = ["github.com", "api.github.com", "codeload.github.com", "objects.githubusercontent.com"] as const;

/** package registries the project's toolchain installs from: reached as they are, no credentials */
export const PACKAGE_HOSTS = ["registry.npmjs.org", "registry.yarnpkg.com", "pypi.org", "files.pythonhosted.org", "proxy.golang.org", "sum.golang.org", "rubygems.org", "index.crates.io", "static.crates.io"] as const;

type Upstream = (req: Request) => Promise<Response>;

/** the request as the container made it, without any credential of its own */
function withoutCredentials(req: Request): Headers {
  const headers = new Headers(req.headers);
  headers.delete("authorization");
  headers.delete("proxy-authorization");
  headers.delete("cookie");
  return headers;
}

/** git over HTTPS and the REST API on GitHub: the deployment's token, never the container's */
export function githubWithCredential(req: Request, env: EgressEnv, upstream: Upstream = fetch): Promise<Response> {
  const headers = withoutCredentials(req);
  const token = env.GITHUB_TOKEN?.trim();
  if (token) {
    const host = new URL(req.url).hostname;
    headers.set("authorization", host === "api.github.com" ? `Bearer ${token}` : `Basic ${btoa(`x-access-token:${token}`)}`);
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
export function outboundByHost(upstream?: Upstream): Record<string, (req: Request, env: EgressEnv) => Promise<Response>> {
  const table: Record<string, (req: Request, env: EgressEnv) => Promise<Response>> = {};
  for (const h of GITHUB_HOSTS) table[h] = (req, env) => githubWithCredential(req, env, upstream);
  for (const h of PACKAGE_HOSTS) table[h] = (req, env) => packageRegistry(req, env, upstream);
  return table;
}
