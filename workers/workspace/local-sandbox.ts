/**
 * The local face's transport: the Sandbox SDK's own `SandboxClient` — the
 * client the Sandbox Durable Object uses to talk to its container — pointed
 * at the local sandbox service (scripts/local/sandbox-service.ts) through a
 * ContainerStub whose containerFetch goes to LOCAL_SANDBOX_URL. No Sandbox
 * Durable Object is ever made here (it throws without containers).
 * Each Workspace id is its own sandbox (header x-sandbox-id: its own
 * /workspace directory) with one session, created on first use.
 */
import { SandboxClient } from "@cloudflare/sandbox";
import type { SandboxExecResult, SandboxFileInfo, SandboxOps } from "./sandbox-ops";

export interface LocalSandboxOptions {
  /** the service's base URL, e.g. http://127.0.0.1:8790 */
  url: string;
  /** default: the global fetch */
  fetch?: typeof fetch;
}

const SESSION_ID = "workspace";

export class LocalSandbox implements SandboxOps {
  readonly client: SandboxClient;
  private session: Promise<void> | null = null;
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(
    private readonly id: string,
    opts: LocalSandboxOptions,
  ) {
    let end = opts.url.length;
    while (end > 0 && opts.url.charCodeAt(end - 1) === 47) end--;
    const base = (this.base = opts.url.slice(0, end));
    const doFetch = (this.doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init)));
    const containerFetch = (url: string, init: RequestInit) => {
      const u = new URL(url);
      return doFetch(`${base}${u.pathname}${u.search}`, init);
    };
    this.client = new SandboxClient({
      stub: { containerFetch, fetch: (req: Request) => containerFetch(req.url, req) },
      defaultHeaders: { "x-sandbox-id": id },
      // the service never answers 503 "starting": fail fast if it is down
      retryTimeoutMs: 0,
    });
  }

  /** Creates the session once; a session left by an earlier isolate is reused. */
  private ensureSession(): Promise<void> {
    if (!this.session) {
      this.session = this.client.utils.createSession({ id: SESSION_ID, cwd: "/workspace" }).then(
        () => undefined,
        (e: { code?: string }) => {
          if (e?.code === "SESSION_ALREADY_EXISTS") return;
          this.session = null;
          throw e;
        },
      );
    }
    return this.session;
  }

  async exec(command: string, options: { cwd?: string; timeout?: number }): Promise<SandboxExecResult> {
    await this.ensureSession();
    const r = (await this.client.commands.execute(command, SESSION_ID, { cwd: options.cwd, timeoutMs: options.timeout })) as SandboxExecResult;
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, truncated: r.truncated, timedOut: r.timedOut };
  }

  async readFile(path: string, options: { encoding: "utf-8" }) {
    await this.ensureSession();
    return this.client.files.readFile(path, SESSION_ID, options);
  }

  async writeFile(path: string, content: string, options: { encoding: "utf-8" }) {
    await this.ensureSession();
    return this.client.files.writeFile(path, content, SESSION_ID, options);
  }

  async exists(path: string) {
    await this.ensureSession();
    return this.client.files.exists(path, SESSION_ID);
  }

  async listFiles(path: string, options: { recursive?: boolean; includeHidden?: boolean }): Promise<{ files: SandboxFileInfo[] }> {
    await this.ensureSession();
    return this.client.files.listFiles(path, SESSION_ID, options);
  }

  async mkdir(path: string, options: { recursive?: boolean }) {
    await this.ensureSession();
    return this.client.files.mkdir(path, SESSION_ID, options);
  }

  async deleteFile(path: string) {
    await this.ensureSession();
    return this.client.files.deleteFile(path, SESSION_ID);
  }

  async gitCheckout(repoUrl: string, options: { branch?: string; targetDir?: string; cloneTimeoutMs?: number }) {
    await this.ensureSession();
    return this.client.git.checkout(repoUrl, SESSION_ID, { branch: options.branch, targetDir: options.targetDir, timeoutMs: options.cloneTimeoutMs });
  }

  /**
   * The service's push extension (scripts/local/sandbox/git-push.ts): the
   * branch packed in `bundlePath` is pushed host-side; the credential rides in
   * a request header to the service and never reaches the sandbox.
   */
  async pushBundle(bundlePath: string, ref: string, remoteUrl: string, options: { credential?: string; force?: boolean; timeoutMs?: number }): Promise<{ sha: string }> {
    await this.ensureSession();
    const headers: Record<string, string> = { "content-type": "application/json", "x-sandbox-id": this.id };
    if (options.credential) headers["x-forge-credential"] = options.credential;
    const res = await this.doFetch(`${this.base}/api/git/push-bundle`, {
      method: "POST",
      headers,
      body: JSON.stringify({ bundlePath, ref, remoteUrl, force: options.force ?? false, sessionId: SESSION_ID, timeoutMs: options.timeoutMs }),
    });
    const body = (await res.json().catch(() => null)) as { sha?: string; message?: string; httpStatus?: number; context?: { reason?: string } } | null;
    if (!res.ok || typeof body?.sha !== "string") {
      throw Object.assign(new Error(body?.message ?? `push-bundle answered ${res.status}`), { httpStatus: res.status, context: { reason: body?.context?.reason ?? "push_failed" } });
    }
    return { sha: body.sha };
  }
}
