/**
 * The Workspace seam: where the research agent and the fix loop run commands
 * and touch files of a checked-out repository. Paths are container paths:
 * absolute under /workspace, or relative to it.
 *
 * Faces (chosen in from-env.ts):
 *  - cloudflare: a Cloudflare Sandbox container (`getSandbox(env.Sandbox, id)`)
 *  - local: the SDK's own `SandboxClient` against the local sandbox service
 *    (scripts/local/sandbox-service.ts: bubblewrap, no network)
 * Both go through @cloudflare/sandbox's client code and the same
 * container HTTP API; sdk-workspace.ts maps either to this interface.
 */
export const WORKSPACE_ROOT = "/workspace";

export interface ExecOptions {
  /** container directory (default /workspace) */
  cwd?: string;
  /** the command and everything it started are killed past this */
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** some output was dropped (the service's cap, or the Workspace's own) */
  truncated: boolean;
  /** killed at its deadline (exitCode 124) */
  timedOut: boolean;
}

export interface FileEntry {
  /** absolute container path */
  path: string;
  name: string;
  type: "file" | "directory" | "symlink" | "other";
  size: number;
}

/**
 * A saved copy of one directory (`Workspace.backup`), plain JSON: a run keeps
 * it in its row and hands it back to `restore`, perhaps in another isolate.
 * On the Cloudflare face it is the SDK's DirectoryBackup (id, dir, localBucket).
 */
export interface WorkspaceBackup {
  readonly face: "local" | "cloudflare";
  readonly id: string;
  /** absolute container path the backup restores into */
  readonly dir: string;
  readonly localBucket?: boolean;
}

export interface Workspace {
  /** which face this is, for logs and run records */
  readonly face: "local" | "cloudflare";
  readonly id: string;
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  list(path: string, opts?: { recursive?: boolean; includeHidden?: boolean }): Promise<FileEntry[]>;
  mkdir(path: string, opts?: { recursive?: boolean }): Promise<void>;
  /** a file, or with `recursive` a directory and everything in it */
  remove(path: string, opts?: { recursive?: boolean }): Promise<void>;
  /**
   * clone `url` at `branch` into `dir` (which must be absent or empty); on the
   * Cloudflare face `url`'s GitHub repository first becomes the sandbox's
   * egress scope, read only (egress-scope.ts)
   */
  gitCheckout(url: string, branch: string | undefined, dir: string): Promise<{ branch: string; dir: string }>;
  /**
   * Push the local branch `branch` of the checkout in `dir` to `remoteUrl`
   * (same branch name there). `token` is the forge credential: the local face
   * hands it to the service's host-side push, the Cloudflare face ignores it
   * (the Worker's outbound handler adds the credential for the forge's host,
   * the sandbox's scope raised to write for this push only).
   * Hooks never run. Returns the pushed commit.
   */
  pushBranch(dir: string, branch: string, remoteUrl: string, opts?: { token?: string; force?: boolean }): Promise<{ sha: string }>;
  /**
   * Directory backups, where the deployment configured them (Cloudflare face:
   * the BACKUP_BUCKET R2 binding). A copy of `dir` as it is now, kept
   * `ttlSeconds` (default 3 days); null where this Workspace keeps no backups.
   * Absent on Workspaces that never do.
   */
  backup?(dir: string, opts?: { name?: string; ttlSeconds?: number }): Promise<WorkspaceBackup | null>;
  /**
   * `backup`'s directory as it was saved (replacing what is there). `repoUrl`
   * becomes the sandbox's egress scope, read only, as for gitCheckout: the
   * restored checkout is about to fetch from it. Throws WorkspaceError
   * (backup_not_found, backup_expired, backup_restore_failed, backups_unavailable, …).
   */
  restore?(backup: WorkspaceBackup, repoUrl: string): Promise<void>;
}

/**
 * A Workspace operation refused or failed: `reason` is machine-readable
 * (not_found, path_outside_workspace, git_branch_not_found, …), `status` the
 * HTTP status the sandbox answered with (0 when it was never reached).
 */
export class WorkspaceError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = "WorkspaceError";
  }
}
