/**
 * A Workspace on the host, for Node: the evals (research on the sample app)
 * and unit tests. /workspace is a temp directory on disk, commands run with
 * `sh -c` in it through child_process — NO isolation, so only for our own
 * repositories (examples/sample-app) and test fixtures — with an environment
 * of PATH, HOME and no git config of the machine: no variable of the calling
 * process reaches a command. Every exec is logged (`execs`), so a test can
 * assert which commands ran and where. The Worker's faces (the Cloudflare
 * Sandbox, the local sandbox service under bubblewrap) are in
 * workers/workspace/; this is neither.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { WORKSPACE_ROOT, WorkspaceError, type ExecOptions, type ExecResult, type FileEntry, type Workspace } from "../workers/workspace/workspace";

export interface ExecLog {
  command: string;
  cwd: string;
  timeoutMs: number;
}

export class DiskWorkspace implements Workspace {
  readonly face = "local" as const;
  readonly root: string;
  readonly execs: ExecLog[] = [];

  constructor(readonly id = "test") {
    this.root = mkdtempSync(join(tmpdir(), "nightshift-agent-ws-"));
  }

  /** the host path of a container path under /workspace */
  host(path: string): string {
    const resolved = posix.resolve(WORKSPACE_ROOT, path);
    if (resolved !== WORKSPACE_ROOT && !resolved.startsWith(`${WORKSPACE_ROOT}/`)) throw new WorkspaceError("path_outside_workspace", `${path} resolves outside ${WORKSPACE_ROOT}`, 400);
    return join(this.root, resolved.slice(WORKSPACE_ROOT.length));
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const cwd = opts.cwd ?? WORKSPACE_ROOT;
    const timeoutMs = opts.timeoutMs ?? 60_000;
    this.execs.push({ command, cwd, timeoutMs });
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: this.root, LANG: "C.UTF-8", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
    return new Promise((resolve, reject) => {
      // its own process group, so a deadline kills everything the command started
      const child = spawn("sh", ["-c", command], { cwd: this.host(cwd), env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, timeoutMs);
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ exitCode: timedOut ? 124 : (code ?? 1), stdout, stderr, truncated: false, timedOut });
      });
    });
  }

  async readFile(path: string): Promise<string> {
    const p = this.host(path);
    if (!existsSync(p)) throw new WorkspaceError("not_found", `${path} does not exist`, 404);
    return readFileSync(p, "utf8");
  }

  async writeFile(path: string, content: string): Promise<void> {
    writeFileSync(this.host(path), content);
  }

  async exists(path: string): Promise<boolean> {
    return existsSync(this.host(path));
  }

  async list(path: string): Promise<FileEntry[]> {
    const dir = this.host(path);
    return readdirSync(dir).map((name) => {
      const st = statSync(join(dir, name));
      return { path: posix.join(posix.resolve(WORKSPACE_ROOT, path), name), name, type: st.isDirectory() ? "directory" : "file", size: st.size };
    });
  }

  async mkdir(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    mkdirSync(this.host(path), { recursive: opts.recursive });
  }

  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    rmSync(this.host(path), { recursive: opts.recursive, force: false });
  }

  async gitCheckout(url: string, branch: string | undefined, dir: string): Promise<{ branch: string; dir: string }> {
    const target = posix.resolve(WORKSPACE_ROOT, dir);
    const args = ["clone", "--quiet", ...(branch ? ["--branch", branch] : []), url, this.host(target)];
    await new Promise<void>((resolve, reject) => {
      const child = spawn("git", args, { stdio: "ignore", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } });
      child.on("close", (code) => (code === 0 ? resolve() : reject(new WorkspaceError("git_clone_failed", `git clone exited ${code}`))));
    });
    const head = await this.exec("git rev-parse --abbrev-ref HEAD", { cwd: target });
    return { branch: head.stdout.trim(), dir: target };
  }

  /** our own repositories only (see the header): a plain git push from the checkout, hooks off, the token as an extra header */
  async pushBranch(dir: string, branch: string, remoteUrl: string, opts: { token?: string; force?: boolean } = {}): Promise<{ sha: string }> {
    const cwd = this.host(posix.resolve(WORKSPACE_ROOT, dir));
    const ref = `refs/heads/${branch}`;
    const config = ["-c", "core.hooksPath=/dev/null", ...(opts.token ? ["-c", `http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${opts.token}`).toString("base64")}`] : [])];
    const args = [...config, "push", "--quiet", ...(opts.force ? ["--force"] : []), remoteUrl, `${ref}:${ref}`];
    await new Promise<void>((resolve, reject) => {
      const child = spawn("git", args, { cwd, stdio: "ignore", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" } });
      child.on("close", (code) => (code === 0 ? resolve() : reject(new WorkspaceError("push_failed", `git push exited ${code}`))));
    });
    const head = await this.exec(`git rev-parse ${ref}`, { cwd: posix.resolve(WORKSPACE_ROOT, dir) });
    return { sha: head.stdout.trim() };
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
