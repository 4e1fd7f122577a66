/**
 * The local forge's git server: the embedded default's stand-in for GitHub's
 * git hosting. A node:http server that runs `git http-backend` as CGI for
 * smart-HTTP clone, fetch and push of the bare repositories under
 * `<root>/<owner>/<name>.git` (see ./repos.ts).
 *
 *   npx tsx scripts/local/forge/git-server.ts --root DIR [--port 8791]
 *   env: LOCAL_FORGE_TOKEN (push needs `x-access-token:<token>` when set)
 *
 * Answers only
 *   GET  /<owner>/<name>.git/info/refs?service=git-upload-pack|git-receive-pack
 *   POST /<owner>/<name>.git/git-upload-pack | git-receive-pack
 * Bad owner/name → 400, unknown repository or other path → 404, dumb HTTP →
 * 403, request body over `maxBodyBytes` → 413. With a `token`, pushing needs
 * HTTP Basic `x-access-token:<token>` (else 401 + WWW-Authenticate); fetching
 * too when `tokenForFetch`. The token is never logged.
 *
 * After a successful receive-pack, one `push` event per changed ref
 * ({owner, repo, ref, before, after}; the zero id for created/deleted refs),
 * from comparing `git for-each-ref` before and after; pushes to one
 * repository are serialized so the comparison is exact. Delivered to
 * `onPush` and to `events.on("push")` before the push's response ends, so a
 * client whose push succeeded knows its events were already delivered.
 *
 * `mounts` hand other path prefixes to other handlers on the same port (the
 * local forge's REST API under `/api/v3/`, see ./local-forge.ts); `events`
 * lets the caller supply the emitter the push events go to.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { tokenMatches } from "./basic-auth";
import { CgiResponseParser } from "./cgi-response";
import { parseRepoPath } from "./repo-path";
import { createRepo, gitEnv, readRefs, repoDir, repoExists } from "./repos";
import { arg, isMain } from "../cli";

export const ZERO_ID = "0000000000000000000000000000000000000000";

export interface PushEvent {
  owner: string;
  repo: string;
  ref: string;
  before: string;
  after: string;
}

export interface GitServerOptions {
  root: string;
  port?: number;
  host?: string;
  /** when set, pushing needs Basic `x-access-token:<token>` */
  token?: string;
  /** also require the token to clone and fetch */
  tokenForFetch?: boolean;
  /** cap on one request's body as sent (compressed), default 256 MiB */
  maxBodyBytes?: number;
  onPush?: (event: PushEvent) => void;
  /** the emitter `push` events go to (default: a new one) */
  events?: EventEmitter;
  /** requests whose path starts with `prefix` go to `handle` instead (first match wins) */
  mounts?: Mount[];
}

export interface Mount {
  /** e.g. "/api/v3/" */
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface GitServer {
  url: string;
  port: number;
  root: string;
  events: EventEmitter;
  repoUrl(owner: string, name: string): string;
  createRepo(owner: string, name: string, fromDir?: string): string;
  stop(): Promise<void>;
}

const SERVICES = new Set(["git-upload-pack", "git-receive-pack"]);

/** Kills a backend and the git processes it started (its process group), and closes our pipe ends. */
function killBackend(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    else child.kill("SIGKILL");
  } catch {
    child.kill("SIGKILL"); // the group is gone already, or was never made
  }
  child.stdin?.destroy();
}

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const root = resolve(options.root);
  mkdirSync(root, { recursive: true });
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024 * 1024;
  const events = options.events ?? new EventEmitter();
  const mounts = options.mounts ?? [];
  const children = new Set<ChildProcess>();
  const pushLocks = new Map<string, Promise<void>>();

  function deny(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
    if (res.headersSent) return void res.destroy();
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
    res.end(message + "\n");
  }

  function emitPush(event: PushEvent): void {
    try {
      options.onPush?.(event);
    } catch {
      // a listener's failure must not fail the push that already happened
    }
    try {
      if (events.listenerCount("push") > 0) events.emit("push", event);
    } catch {
      // nor must a throwing `push` listener (it would also hide the push's later refs)
    }
  }

  /** Runs the next receive-pack on one repository after the previous one. */
  async function withPushLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = pushLocks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = previous.then(() => mine);
    pushLocks.set(key, chained);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (pushLocks.get(key) === chained) pushLocks.delete(key);
    }
  }

  /**
   * Streams one request through `git http-backend`. `beforeEnd` runs after a
   * successful backend run and before the response ends, so a client that
   * sees its push succeed knows the push events were already delivered.
   */
  function runBackend(
    req: IncomingMessage,
    res: ServerResponse,
    pathInfo: string,
    query: string,
    authed: boolean,
    beforeEnd?: () => Promise<void>,
  ): Promise<void> {
    return new Promise((done) => {
      const env = gitEnv({
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: pathInfo,
        QUERY_STRING: query,
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        REMOTE_USER: authed ? "x-access-token" : "anonymous",
        REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
        GATEWAY_INTERFACE: "CGI/1.1",
      });
      const length = req.headers["content-length"];
      if (length && /^[0-9]{1,15}$/.test(length)) env.CONTENT_LENGTH = length;
      const encoding = req.headers["content-encoding"];
      if (encoding) env.HTTP_CONTENT_ENCODING = encoding;
      const protocol = req.headers["git-protocol"];
      if (typeof protocol === "string" && protocol.length <= 256 && /^[\x20-\x7e]*$/.test(protocol)) env.HTTP_GIT_PROTOCOL = protocol;

      // its own process group: http-backend runs git-receive-pack / git-upload-pack as children that
      // share its pipes, and killing only http-backend would leave them holding stdout open (no
      // "close", the push lock held) while they wait for a request body that never ends
      const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"], detached: true });
      children.add(child);
      const parser = new CgiResponseParser();
      let headed = false;
      let failed = false;
      let received = 0;
      const fail = (status: number, message: string) => {
        if (failed) return;
        failed = true;
        killBackend(child);
        deny(res, status, message);
      };

      req.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBodyBytes) {
          req.unpipe(child.stdin!);
          fail(413, "request body too large");
        }
      });
      req.pipe(child.stdin!);
      // a client that goes away (or the server's request timeout) ends the backend, and with it a held push lock
      // (it may have gone already, while the push waited for the lock or read the refs)
      const gone = () => {
        if (!res.writableFinished && child.exitCode === null) killBackend(child);
      };
      if (res.destroyed || req.socket.destroyed) gone();
      else res.on("close", gone);
      child.stdin!.on("error", () => {}); // the backend may stop reading early; its output says why
      child.stderr!.on("data", () => {}); // drained, not logged: it can echo request data

      child.stdout!.on("data", (chunk: Buffer) => {
        if (failed) return;
        if (headed) return void res.write(chunk);
        let head;
        try {
          head = parser.push(chunk);
        } catch {
          return fail(502, "bad response from git http-backend");
        }
        if (!head) return;
        headed = true;
        res.statusCode = head.status;
        for (const [k, v] of head.headers) res.setHeader(k, v);
        if (head.body.length) res.write(head.body);
      });
      child.on("close", (code) => {
        children.delete(child);
        if (failed) return done();
        if (!headed) {
          deny(res, 502, "git http-backend gave no response");
          return done();
        }
        const ok = code === 0 && res.statusCode < 400;
        const hook = ok && beforeEnd ? beforeEnd() : Promise.resolve();
        hook.catch(() => {}).finally(() => {
          res.end();
          done();
        });
      });
      child.on("error", () => fail(500, "cannot run git http-backend"));
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://forge.local");
    const parsed = parseRepoPath(url.pathname);
    if ("error" in parsed) return deny(res, parsed.error, parsed.message);
    const { owner, name, rest } = parsed;

    let service: string;
    if (req.method === "GET" && rest === "/info/refs") {
      const s = url.searchParams.get("service");
      if (!s || !SERVICES.has(s)) return deny(res, 403, "only smart HTTP is served (service=git-upload-pack or git-receive-pack)");
      service = s;
    } else if (req.method === "POST" && (rest === "/git-upload-pack" || rest === "/git-receive-pack")) {
      service = rest.slice(1);
    } else return deny(res, 404, "not found");

    if (!repoExists(root, owner, name)) return deny(res, 404, "repository not found");

    const needsToken = options.token !== undefined && (service === "git-receive-pack" || options.tokenForFetch === true);
    const authed = options.token !== undefined && tokenMatches(req.headers.authorization, options.token);
    if (needsToken && !authed) {
      return deny(res, 401, "authentication required", { "www-authenticate": 'Basic realm="nightshift local forge"' });
    }

    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBodyBytes) return deny(res, 413, "request body too large");

    const pathInfo = `/${owner}/${name}.git${rest}`;
    if (req.method === "POST" && service === "git-receive-pack") {
      const dir = repoDir(root, owner, name);
      await withPushLock(dir, async () => {
        const before = await readRefs(dir);
        await runBackend(req, res, pathInfo, url.search.slice(1), authed, async () => {
          const after = await readRefs(dir);
          const refs = new Set([...before.keys(), ...after.keys()]);
          for (const ref of [...refs].sort()) {
            const b = before.get(ref) ?? ZERO_ID;
            const a = after.get(ref) ?? ZERO_ID;
            if (a !== b) emitPush({ owner, repo: name, ref, before: b, after: a });
          }
        });
      });
      return;
    }
    await runBackend(req, res, pathInfo, url.search.slice(1), authed);
  }

  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    const mount = mounts.find((m) => path.startsWith(m.prefix));
    (mount ? mount.handle(req, res) : handle(req, res)).catch(() => deny(res, 500, "internal error"));
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    root,
    events,
    repoUrl: (owner, name) => `${url}/${owner}/${name}.git`,
    createRepo: (owner, name, fromDir) => createRepo(root, owner, name, fromDir),
    stop: () =>
      new Promise<void>((ok) => {
        for (const child of children) killBackend(child);
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}


if (isMain(import.meta.url)) {
  const root = arg("--root") ?? process.env.LOCAL_FORGE_ROOT;
  if (!root) {
    console.error("usage: npx tsx scripts/local/forge/git-server.ts --root DIR [--port N]   (env LOCAL_FORGE_TOKEN gates pushes)");
    process.exit(2);
  }
  const port = Number(arg("--port") ?? process.env.LOCAL_FORGE_PORT ?? 8791);
  const server = await startGitServer({
    root,
    port,
    token: process.env.LOCAL_FORGE_TOKEN || undefined,
    onPush: (e) => console.log(`push ${e.owner}/${e.repo} ${e.ref} ${e.before.slice(0, 12)} -> ${e.after.slice(0, 12)}`),
  });
  console.log(`local forge git server on ${server.url} (repositories under ${server.root}; push ${process.env.LOCAL_FORGE_TOKEN ? "needs the token" : "open"})`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
