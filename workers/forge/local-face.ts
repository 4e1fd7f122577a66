/**
 * The local face of the forge: an OctokitForge against the local forge
 * (scripts/local/forge/local-forge.ts) with its one token, used both for the
 * REST API (`Authorization: token <t>`) and for pushes (`x-access-token`).
 *
 * Contract: `localForgeClient({ url, token?, fetch? })` where `url` is the
 * forge's base (`http://127.0.0.1:<port>`): REST at `<url>/api/v3`, clones at
 * `<url>/<owner>/<repo>.git`. Without a token the forge must run without one
 * (pushToken then resolves to ""). Runs in workerd.
 */
import { ForgeOctokit, OctokitForge } from "./github-rest";

export interface LocalForgeClientOptions {
  url: string;
  token?: string;
  /** the fetch octokit uses (a Worker passes its own when the forge sits behind a binding) */
  fetch?: typeof fetch;
}

export function localForgeClient(options: LocalForgeClientOptions): OctokitForge {
  const base = options.url.replace(/\/+$/, "");
  const octokit = new ForgeOctokit({
    baseUrl: `${base}/api/v3`,
    ...(options.token ? { auth: options.token } : {}),
    userAgent: "nightshift-forge",
    request: options.fetch ? { fetch: options.fetch } : {},
  });
  const token = options.token ?? "";
  return new OctokitForge({ face: "local", octokit, cloneBase: base, pushToken: async () => token });
}
