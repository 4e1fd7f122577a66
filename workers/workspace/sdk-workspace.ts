/**
 * Workspace over the Sandbox SDK's API (sandbox-ops.ts), the same for both
 * faces: paths kept inside /workspace (WorkspaceError path_outside_workspace,
 * before anything is sent), output capped per stream, SDK errors mapped to
 * reasons, a default deadline on every command. Where the sandbox has an
 * egress scope (the Cloudflare face), the repository a checkout or push names
 * becomes the sandbox's scope first: read for a checkout, write only around
 * the push (egress-scope.ts). Directory backups where the sandbox has them
 * (the Cloudflare face with BACKUP_BUCKET): the SDK's createBackup /
 * restoreBackup in its `localBucket` mode — the Sandbox Durable Object moves
 * the archive between the container and its R2 binding, so the container
 * needs no egress to R2 and no R2 API keys, and a restore is a plain
 * extraction (not an overlay mount lost when the container sleeps).
 */
import { shellQuote } from "./shell-quote";
import { posix } from "node:path";
import { capUtf8 } from "./output-cap";
import type { SandboxOps } from "./sandbox-ops";
import { egressScopeFor, type EgressAccess } from "./egress-scope";
import { toWorkspaceError } from "./sdk-error";
import { WORKSPACE_ROOT, WorkspaceError, type ExecOptions, type ExecResult, type FileEntry, type Workspace, type WorkspaceBackup } from "./workspace";

export interface SdkWorkspaceOptions {
  /** per command, when the caller names none (default 120 s) */
  defaultTimeoutMs?: number;
  /** kept of each of stdout and stderr (default 256 KiB) */
  maxOutputBytes?: number;
}

const TIMEOUT_EXIT_CODE = 124;
const MAX_PATH = 4096;

/** A path as a normalized absolute container path inside /workspace. */
export function workspacePath(path: string): string {
  if (typeof path !== "string" || path.length === 0 || path.length > MAX_PATH || path.includes("\0")) {
    throw new WorkspaceError("invalid_path", "a path must be 1 to 4096 characters without NUL", 400);
  }
  const resolved = posix.resolve(WORKSPACE_ROOT, path);
  if (resolved !== WORKSPACE_ROOT && !resolved.startsWith(`${WORKSPACE_ROOT}/`)) {
    throw new WorkspaceError("path_outside_workspace", `${path.slice(0, 200)} resolves outside ${WORKSPACE_ROOT}`, 400);
  }
  return resolved;
}

export class SdkWorkspace implements Workspace {
  private readonly defaultTimeoutMs: number;
  private readonly maxOutputBytes: number;

  constructor(
    readonly face: "local" | "cloudflare",
    readonly id: string,
    private readonly sandbox: SandboxOps,
    opts: SdkWorkspaceOptions = {},
  ) {
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 120_000;
    this.maxOutputBytes = opts.maxOutputBytes ?? 256 * 1024;
  }

  private async call<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw toWorkspaceError(e);
    }
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (typeof command !== "string" || command.trim() === "") throw new WorkspaceError("empty_command", "command is empty", 400);
    const cwd = workspacePath(opts.cwd ?? WORKSPACE_ROOT);
    const timeout = opts.timeoutMs ?? this.defaultTimeoutMs;
    if (!(Number.isInteger(timeout) && timeout > 0)) throw new WorkspaceError("invalid_timeout", "timeoutMs must be a positive integer", 400);
    let r;
    try {
      r = await this.sandbox.exec(command, { cwd, timeout });
    } catch (e) {
      const err = toWorkspaceError(e);
      // a container that gives up on a command at its deadline answers with an error
      if (/timed? ?out/i.test(err.message.slice(0, 300))) {
        return { exitCode: TIMEOUT_EXIT_CODE, stdout: "", stderr: err.message, truncated: false, timedOut: true };
      }
      throw err;
    }
    const stdout = capUtf8(r.stdout ?? "", this.maxOutputBytes);
    const stderr = capUtf8(r.stderr ?? "", this.maxOutputBytes);
    return {
      exitCode: r.exitCode,
      stdout: stdout.text,
      stderr: stderr.text,
      truncated: r.truncated === true || stdout.truncated || stderr.truncated,
      timedOut: r.timedOut === true,
    };
  }

  async readFile(path: string): Promise<string> {
    const p = workspacePath(path);
    return (await this.call(() => this.sandbox.readFile(p, { encoding: "utf-8" }))).content;
  }

  async writeFile(path: string, content: string): Promise<void> {
    const p = workspacePath(path);
    await this.call(() => this.sandbox.writeFile(p, content, { encoding: "utf-8" }));
  }

  async exists(path: string): Promise<boolean> {
    const p = workspacePath(path);
    return (await this.call(() => this.sandbox.exists(p))).exists;
  }

  async list(path: string, opts: { recursive?: boolean; includeHidden?: boolean } = {}): Promise<FileEntry[]> {
    const p = workspacePath(path);
    const r = await this.call(() => this.sandbox.listFiles(p, { recursive: opts.recursive ?? false, includeHidden: opts.includeHidden ?? false }));
    return r.files.map((f) => ({ path: f.absolutePath, name: f.name, type: f.type, size: f.size }));
  }

  async mkdir(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const p = workspacePath(path);
    await this.call(() => this.sandbox.mkdir(p, { recursive: opts.recursive ?? false }));
  }

  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const p = workspacePath(path);
    if (p === WORKSPACE_ROOT) throw new WorkspaceError("workspace_root", "the workspace root cannot be removed", 400);
    if (!opts.recursive) {
      await this.call(() => this.sandbox.deleteFile(p));
      return;
    }
    // the file API deletes files only: a tree goes with rm, on both faces (named relative to
    // /workspace, so an unisolated local sandbox, whose /workspace is a host directory, agrees)
    const r = await this.exec(`rm -rf -- ${shellQuote(p.slice(WORKSPACE_ROOT.length + 1))}`, { cwd: WORKSPACE_ROOT, timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw new WorkspaceError("remove_failed", `rm -rf ${p} exited ${r.exitCode}: ${r.stderr.slice(0, 500)}`);
  }

  /** the sandbox's GitHub credentials to `url`'s repository with `access` (not a GitHub repository: none at all), where the face has a scope */
  private async scopeEgress(url: string, access: EgressAccess): Promise<void> {
    const scopeEgress = this.sandbox.scopeEgress?.bind(this.sandbox);
    if (scopeEgress) await this.call(() => scopeEgress(egressScopeFor(url, access)));
  }

  async gitCheckout(url: string, branch: string | undefined, dir: string): Promise<{ branch: string; dir: string }> {
    const targetDir = workspacePath(dir);
    await this.scopeEgress(url, "read");
    const r = await this.call(() => this.sandbox.gitCheckout(url, { branch, targetDir }));
    return { branch: r.branch, dir: r.targetDir };
  }

  async pushBranch(dir: string, branch: string, remoteUrl: string, opts: { token?: string; force?: boolean } = {}): Promise<{ sha: string }> {
    const cwd = workspacePath(dir);
    if (!/^[A-Za-z0-9._\/-]{1,200}$/.test(branch) || branch.startsWith("-") || branch.includes("..") || branch.endsWith("/") || branch.endsWith(".lock")) {
      throw new WorkspaceError("invalid_ref", "branch is not a plain branch name", 400);
    }
    if (!/^(https?:\/\/|file:\/\/\/)[^\s@]+$/i.test(remoteUrl) || remoteUrl.length > 2048) {
      throw new WorkspaceError("git_url_not_allowed", "remoteUrl must be an http(s) or file URL without credentials", 400);
    }
    const ref = `refs/heads/${branch}`;
    const pushBundle = this.sandbox.pushBundle?.bind(this.sandbox);
    if (pushBundle) {
      // local: the sandbox packs the branch; the service pushes it host-side, never running git in this checkout
      const bundle = `${WORKSPACE_ROOT}/.nightshift-push-${crypto.randomUUID()}.bundle`;
      const packed = await this.exec(`git bundle create --quiet ${shellQuote(bundle)} ${shellQuote(ref)}`, { cwd, timeoutMs: 120_000 });
      if (packed.exitCode !== 0) throw new WorkspaceError("bundle_failed", `git bundle exited ${packed.exitCode}: ${packed.stderr.slice(0, 500)}`);
      return this.call(() => pushBundle(bundle, ref, remoteUrl, { credential: opts.token, force: opts.force }));
    }
    // cloudflare: the container pushes; its request to the forge's host gets the credential in the Worker,
    // which may write only for this push: the scope goes back to read after it, pushed or not
    await this.scopeEgress(remoteUrl, "write");
    let pushed: ExecResult;
    try {
      pushed = await this.exec(
        `git -c core.hooksPath=/dev/null -c credential.helper= push --porcelain ${opts.force ? "--force " : ""}${shellQuote(remoteUrl)} ${shellQuote(`${ref}:${ref}`)}`,
        { cwd, timeoutMs: 300_000 },
      );
    } finally {
      await this.scopeEgress(remoteUrl, "read");
    }
    if (pushed.exitCode !== 0) {
      const out = `${pushed.stdout}\n${pushed.stderr}`;
      const reason = /\[rejected\]|non-fast-forward/.test(out) ? "push_rejected" : /\b40[13]\b|Authentication failed/i.test(out) ? "push_unauthorized" : "push_failed";
      throw new WorkspaceError(reason, `git push exited ${pushed.exitCode}: ${out.slice(-500)}`);
    }
    const head = await this.exec(`git rev-parse ${shellQuote(ref)}`, { cwd, timeoutMs: 30_000 });
    return { sha: head.stdout.trim() };
  }

  async backup(dir: string, opts: { name?: string; ttlSeconds?: number } = {}): Promise<WorkspaceBackup | null> {
    const createBackup = this.sandbox.createBackup?.bind(this.sandbox);
    if (!createBackup) return null;
    const p = workspacePath(dir);
    if (p === WORKSPACE_ROOT) throw new WorkspaceError("workspace_root", "back up a directory below the workspace root", 400);
    const b = await this.call(() => createBackup({ dir: p, name: opts.name, ttl: opts.ttlSeconds, localBucket: true }));
    return { face: this.face, id: b.id, dir: b.dir, localBucket: b.localBucket };
  }

  async restore(backup: WorkspaceBackup, repoUrl: string): Promise<void> {
    const restoreBackup = this.sandbox.restoreBackup?.bind(this.sandbox);
    if (!restoreBackup) throw new WorkspaceError("backups_unavailable", `this ${this.face} workspace keeps no backups (BACKUP_BUCKET is not bound)`);
    if (backup?.face !== this.face || typeof backup.id !== "string") throw new WorkspaceError("invalid_backup", `not a backup of a ${this.face} workspace`, 400);
    const dir = workspacePath(backup.dir);
    await this.scopeEgress(repoUrl, "read");
    const r = await this.call(() => restoreBackup({ id: backup.id, dir, localBucket: backup.localBucket }));
    if (!r.success) throw new WorkspaceError("backup_restore_failed", `backup ${backup.id} was not restored into ${dir}`);
  }
}
