/**
 * The local sandbox service: the embedded default behind the Workspace seam.
 * A small node:http server that answers the subset of the Cloudflare Sandbox
 * container's HTTP API that the SDK's `SandboxClient` (@cloudflare/sandbox
 * 0.12.10) calls — sessions, execute and execute/stream (SSE), files
 * read/write/exists/list/mkdir/delete, git checkout, ping — so the Worker's
 * local face runs the SDK's own client code against it. One extension:
 * /api/git/push-bundle (sandbox/git-push.ts) pushes a branch the sandbox
 * packed as a bundle, with a per-request credential kept outside the sandbox.
 *
 * Each sandbox (header `x-sandbox-id`, default "default") is a directory under
 * the service's root, seen by its commands as /workspace. Commands run under
 * bubblewrap (scripts/local/sandbox/isolation.ts) when it works here, else
 * unisolated with a loud warning and `isolation.mode: "none"` on /api/ping.
 *
 *   npx tsx scripts/local/sandbox-service.ts [--port 8790] [--root DIR]
 *   env: LOCAL_SANDBOX_PORT, LOCAL_SANDBOX_ROOT, LOCAL_SANDBOX_ISOLATION=none
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envField, positiveIntField, readJsonBody, stringField } from "./sandbox/body";
import { SandboxHttpError, errorBody } from "./sandbox/errors";
import { executeOp, executeStreamOp, type ExecLimits } from "./sandbox/exec";
import { deleteOp, existsOp, listFilesOp, mkdirOp, readFileOp, writeFileOp, type FileLimits } from "./sandbox/files";
import { gitCheckoutOp } from "./sandbox/git";
import { CREDENTIAL_HEADER, gitPushBundleOp } from "./sandbox/git-push";
import { detectIsolation, isolationWarning, type Isolation } from "./sandbox/isolation";
import { CONTAINER_WORKSPACE } from "./sandbox/paths";
import { SandboxDir } from "./sandbox/sandbox-dir";
import { arg, isMain } from "./cli";

export interface SandboxServiceOptions {
  port?: number;
  /** where sandboxes' directories live (default: a fresh temp dir, removed on stop) */
  root?: string;
  defaultTimeoutMs?: number;
  maxTimeoutMs?: number;
  /** per stream (stdout, stderr) of one command */
  maxOutputBytes?: number;
  maxFileBytes?: number;
  maxBodyBytes?: number;
  maxListEntries?: number;
  /** print the isolation warning (default true) */
  warn?: boolean;
  /** "none": run commands unisolated on purpose (default: bubblewrap when it works here) */
  isolation?: "auto" | "none";
}

export interface SandboxService {
  url: string;
  port: number;
  root: string;
  isolation: Isolation;
  /** the host directory of a sandbox (its /workspace) */
  sandboxDir(id?: string): string;
  stop(): Promise<void>;
}

const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const MAX_SANDBOXES = 1000;
export const SANDBOX_ID_HEADER = "x-sandbox-id";
/** the container version this service answers for */
export const COMPATIBLE_SDK_VERSION = "0.12.10";

export async function startSandboxService(opts: SandboxServiceOptions = {}): Promise<SandboxService> {
  const root = realpathSync(opts.root ? (mkdirSync(opts.root, { recursive: true }), opts.root) : mkdtempSync(join(tmpdir(), "nightshift-sandbox-")));
  const state = join(root, ".service");
  mkdirSync(join(state, "probe"), { recursive: true });
  const isolation: Isolation =
    opts.isolation === "none" ? { mode: "none", reason: "unisolated on request (isolation: none)" } : detectIsolation(join(state, "probe"));
  const warning = isolationWarning(isolation);
  if (warning && opts.warn !== false) console.warn(warning);
  const execLimits: ExecLimits = {
    defaultTimeoutMs: opts.defaultTimeoutMs ?? 10 * 60_000,
    maxTimeoutMs: opts.maxTimeoutMs ?? 30 * 60_000,
    maxOutputBytes: opts.maxOutputBytes ?? 1024 * 1024,
    maxCommandBytes: 256 * 1024,
  };
  const fileLimits: FileLimits = { maxFileBytes: opts.maxFileBytes ?? 32 * 1024 * 1024, maxListEntries: opts.maxListEntries ?? 10_000 };
  const maxBodyBytes = opts.maxBodyBytes ?? Math.ceil(fileLimits.maxFileBytes * 1.4) + 64 * 1024;
  const startedAt = Date.now();
  const sandboxes = new Map<string, SandboxDir>();

  const sandboxOf = (id: string): SandboxDir => {
    let sb = sandboxes.get(id);
    if (!sb) {
      if (sandboxes.size >= MAX_SANDBOXES) {
        throw new SandboxHttpError("VALIDATION_FAILED", "too_many_sandboxes", `at most ${MAX_SANDBOXES} sandboxes per service`, {}, 429);
      }
      sb = new SandboxDir(id, join(root, "sandboxes", id), join(state, "home", id), isolation);
      sandboxes.set(id, sb);
    }
    return sb;
  };

  const isolationInfo = () => (isolation.mode === "bwrap" ? { mode: "bwrap" as const } : { mode: "none" as const, reason: isolation.reason });

  async function route(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<unknown> {
    const path = (req.url ?? "/").split("?")[0];
    const rawId = req.headers[SANDBOX_ID_HEADER];
    const id = typeof rawId === "string" ? rawId : "default";
    if (!SANDBOX_ID.test(id)) throw new SandboxHttpError("VALIDATION_FAILED", "invalid_sandbox_id", `${SANDBOX_ID_HEADER} must match ${SANDBOX_ID}`);
    if (req.method === "GET") {
      switch (path) {
        case "/api/ping":
          return { success: true, message: "pong", uptime: Math.round((Date.now() - startedAt) / 1000), timestamp: new Date().toISOString(), isolation: isolationInfo() };
        case "/api/health":
          return { success: true, status: "healthy", timestamp: new Date().toISOString(), isolation: isolationInfo() };
        case "/api/version":
          return { success: true, version: `local-${COMPATIBLE_SDK_VERSION}`, timestamp: new Date().toISOString() };
        case "/api/commands":
          return { success: true, availableCommands: [], count: 0, timestamp: new Date().toISOString() };
      }
    }
    if (req.method !== "POST") throw new SandboxHttpError("UNKNOWN_ERROR", "unknown_endpoint", `no ${req.method} ${path.slice(0, 200)}`);
    const body = await readJsonBody(req, maxBodyBytes);
    const sb = sandboxOf(id);
    switch (path) {
      case "/api/session/create": {
        const sid = stringField(body, "id") ?? `session_${Date.now()}`;
        const cwd = sb.paths.containerPath(stringField(body, "cwd") ?? CONTAINER_WORKSPACE);
        mkdirSync(sb.paths.hostPath(cwd).host, { recursive: true });
        const s = sb.sessions.create({ id: sid, cwd, env: envField(body, "env") ?? {}, commandTimeoutMs: positiveIntField(body, "commandTimeoutMs") });
        return { success: true, id: s.id, message: `session ${s.id} created`, containerPlacementId: null, timestamp: new Date().toISOString() };
      }
      case "/api/session/delete": {
        const sid = stringField(body, "sessionId", true);
        sb.sessions.delete(sid);
        return { success: true, sessionId: sid, timestamp: new Date().toISOString() };
      }
      case "/api/execute":
        return executeOp(sb, body, execLimits, signal);
      case "/api/execute/stream":
        await executeStreamOp(sb, body, execLimits, res, signal);
        return undefined;
      case "/api/read":
        return readFileOp(sb, body, fileLimits);
      case "/api/write":
        return writeFileOp(sb, body, fileLimits);
      case "/api/exists":
        return existsOp(sb, body);
      case "/api/list-files":
        return listFilesOp(sb, body, fileLimits);
      case "/api/mkdir":
        return mkdirOp(sb, body);
      case "/api/delete":
        return deleteOp(sb, body);
      case "/api/git/checkout":
        return gitCheckoutOp(sb, body, { maxTimeoutMs: execLimits.maxTimeoutMs, gitTimeoutMs: 5 * 60_000 });
      case "/api/git/push-bundle": {
        const credential = req.headers[CREDENTIAL_HEADER];
        return gitPushBundleOp(sb, body, typeof credential === "string" && credential ? credential : undefined, { maxTimeoutMs: execLimits.maxTimeoutMs, gitTimeoutMs: 5 * 60_000 });
      }
    }
    throw new SandboxHttpError("UNKNOWN_ERROR", "unknown_endpoint", `no POST ${path.slice(0, 200)}`);
  }

  const server: Server = createServer((req, res) => {
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    route(req, res, abort.signal).then(
      (result) => {
        if (result === undefined || res.headersSent) return;
        const json = JSON.stringify(result);
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
        res.end(json);
      },
      (err) => {
        const e = err instanceof SandboxHttpError ? err : new SandboxHttpError("INTERNAL_ERROR", "internal_error", (err as Error)?.message ?? String(err));
        if (!(err instanceof SandboxHttpError)) console.error("[sandbox-service]", err);
        if (res.headersSent) {
          res.end();
          return;
        }
        const json = JSON.stringify(errorBody(e));
        res.writeHead(e.status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
        res.end(json);
      },
    );
  });
  // a command may run for many minutes: only the request's own arrival is timed
  server.requestTimeout = 120_000;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    root,
    isolation,
    sandboxDir: (id = "default") => sandboxOf(id).paths.hostRoot,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (!opts.root) rmSync(root, { recursive: true, force: true });
    },
  };
}


if (isMain(import.meta.url)) {
  const port = Number(arg("--port") ?? process.env.LOCAL_SANDBOX_PORT ?? 0);
  const service = await startSandboxService({ port, root: arg("--root") ?? process.env.LOCAL_SANDBOX_ROOT });
  console.log(`local sandbox service listening on ${service.url} (isolation: ${service.isolation.mode}; root ${service.root})`);
  const stop = () => service.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
