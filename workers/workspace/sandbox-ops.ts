/**
 * The part of the Sandbox SDK's API the Workspace uses, shaped like the SDK's
 * `ISandbox` (what `getSandbox()` returns). The cloudflare face passes the
 * Sandbox stub through; the local face adapts the SDK's `SandboxClient`.
 */
import type { BackupOptions, DirectoryBackup } from "@cloudflare/sandbox";
import type { EgressScope } from "./egress-scope";

export interface SandboxExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** the local sandbox service says when it dropped output or killed the command */
  truncated?: boolean;
  timedOut?: boolean;
}

export interface SandboxFileInfo {
  name: string;
  absolutePath: string;
  type: "file" | "directory" | "symlink" | "other";
  size: number;
}

export interface SandboxOps {
  exec(command: string, options: { cwd?: string; timeout?: number }): Promise<SandboxExecResult>;
  readFile(path: string, options: { encoding: "utf-8" }): Promise<{ content: string }>;
  writeFile(path: string, content: string, options: { encoding: "utf-8" }): Promise<unknown>;
  exists(path: string): Promise<{ exists: boolean }>;
  listFiles(path: string, options: { recursive?: boolean; includeHidden?: boolean }): Promise<{ files: SandboxFileInfo[] }>;
  mkdir(path: string, options: { recursive?: boolean }): Promise<unknown>;
  deleteFile(path: string): Promise<unknown>;
  gitCheckout(repoUrl: string, options: { branch?: string; targetDir?: string; cloneTimeoutMs?: number }): Promise<{ branch: string; targetDir: string }>;
  /**
   * Local face only (the service's push extension): push the branch packed in
   * a bundle, host-side, with a credential that never enters the sandbox. A
   * Cloudflare container pushes itself; the Worker's outbound handler adds the
   * credential there.
   */
  pushBundle?(bundlePath: string, ref: string, remoteUrl: string, options: { credential?: string; force?: boolean; timeoutMs?: number }): Promise<{ sha: string }>;
  /**
   * Cloudflare face only: the repository (and access) the Worker's outbound
   * handler adds credentials for, on this sandbox's GitHub requests; null
   * removes it (GitHub refused). See egress-scope.ts. The local sandbox has
   * no network; its pushes carry their credential host-side (pushBundle).
   */
  scopeEgress?(scope: EgressScope | null): Promise<void>;
  /**
   * Cloudflare face with the BACKUP_BUCKET R2 binding only: the SDK's
   * `createBackup` / `restoreBackup` (BackupOptions, DirectoryBackup).
   */
  createBackup?(options: BackupOptions): Promise<DirectoryBackup>;
  restoreBackup?(backup: DirectoryBackup): Promise<{ success: boolean; dir: string; id: string }>;
}
