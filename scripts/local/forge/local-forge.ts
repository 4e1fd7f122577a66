/**
 * The local forge: the embedded default's stand-in for GitHub, on ONE port —
 * git smart HTTP (./git-server.ts) at `/<owner>/<name>.git/…` and the REST
 * subset (./rest/handler.ts) at `/api/v3/…`, sharing one in-memory store
 * (./rest/store.ts) and one event emitter.
 *
 *   npx tsx scripts/local/forge/local-forge.ts --root DIR [--port 8791]
 *   env: LOCAL_FORGE_TOKEN (pushes and every API call need it when set),
 *        LOCAL_FORGE_ROOT / LOCAL_FORGE_PORT
 *
 * Contract: `startLocalForge({root, port?, host?, token?, tokenForFetch?,
 * botLogin?, maxBodyBytes?, maxApiBodyBytes?, clock?})` → `{ url, apiUrl,
 * port, root, repoUrl(o, r), createRepo(o, r, fromDir?), store, events,
 * stop }`. `events` carries the git server's `push` events and the store's
 * webhook-shaped events (`pull_request`, `check_run`, …, and `webhook`
 * `{name, payload}` for each). A push reaches the store first, so when a
 * client's `git push` returns, open pull requests on that branch already
 * show the new head sha. The token is never logged.
 */
import { EventEmitter } from "node:events";
import { resolve } from "node:path";
import { startGitServer, type PushEvent } from "./git-server";
import { API_PREFIX, LOG_PREFIX, restHandler } from "./rest/handler";
import { LocalForgeStore } from "./rest/store";
import { arg, isMain } from "../cli";

export interface LocalForgeOptions {
  root: string;
  port?: number;
  host?: string;
  token?: string;
  tokenForFetch?: boolean;
  /** the login the token acts as on the API (default nightshift[bot]) */
  botLogin?: string;
  /** git request bodies (default 256 MiB) */
  maxBodyBytes?: number;
  /** API request bodies (default 1 MiB) */
  maxApiBodyBytes?: number;
  clock?: () => Date;
}

export interface LocalForge {
  url: string;
  /** octokit's baseUrl: <url>/api/v3 */
  apiUrl: string;
  port: number;
  root: string;
  store: LocalForgeStore;
  events: EventEmitter;
  repoUrl(owner: string, name: string): string;
  createRepo(owner: string, name: string, fromDir?: string): string;
  stop(): Promise<void>;
}

export async function startLocalForge(options: LocalForgeOptions): Promise<LocalForge> {
  const root = resolve(options.root);
  const events = new EventEmitter();
  const store = new LocalForgeStore({ root, events, botLogin: options.botLogin, clock: options.clock });
  // first listener: the store sees a push before anyone else (a local CI, a webhook sender)
  events.on("push", (e: PushEvent) => store.onPush(e));
  const api = restHandler({ store, token: options.token, maxBodyBytes: options.maxApiBodyBytes });
  const git = await startGitServer({
    root,
    port: options.port,
    host: options.host,
    token: options.token,
    tokenForFetch: options.tokenForFetch,
    maxBodyBytes: options.maxBodyBytes,
    events,
    mounts: [
      { prefix: API_PREFIX + "/", handle: api },
      { prefix: LOG_PREFIX, handle: api },
    ],
  });
  store.baseUrl = git.url;
  return {
    url: git.url,
    apiUrl: git.url + API_PREFIX,
    port: git.port,
    root: git.root,
    store,
    events,
    repoUrl: git.repoUrl,
    createRepo: git.createRepo,
    stop: git.stop,
  };
}


if (isMain(import.meta.url)) {
  const root = arg("--root") ?? process.env.LOCAL_FORGE_ROOT;
  if (!root) {
    console.error("usage: npx tsx scripts/local/forge/local-forge.ts --root DIR [--port N]   (env LOCAL_FORGE_TOKEN gates pushes and the API)");
    process.exit(2);
  }
  const port = Number(arg("--port") ?? process.env.LOCAL_FORGE_PORT ?? 8791);
  const forge = await startLocalForge({ root, port, token: process.env.LOCAL_FORGE_TOKEN || undefined });
  forge.events.on("push", (e: PushEvent) => console.log(`push ${e.owner}/${e.repo} ${e.ref} ${e.before.slice(0, 12)} -> ${e.after.slice(0, 12)}`));
  forge.events.on("webhook", (w: { name: string; payload: { action?: string; repository?: { full_name?: string } } }) =>
    console.log(`event ${w.name}.${w.payload.action ?? ""} ${w.payload.repository?.full_name ?? ""}`),
  );
  console.log(`local forge on ${forge.url}: git at ${forge.url}/<owner>/<name>.git, REST at ${forge.apiUrl} (repositories under ${forge.root}; ${process.env.LOCAL_FORGE_TOKEN ? "token required" : "no token"})`);
  const stop = () => void forge.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
