/**
 * One sandbox: a host directory that is its /workspace, its sessions, and how
 * a command line is built for it (bubblewrap or, without it, the host).
 * The command's environment is built from scratch — nothing of the service's
 * own environment (keys, tokens) reaches a command.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SandboxHttpError } from "./errors";
import { bwrapArgv, type Isolation } from "./isolation";
import { CONTAINER_WORKSPACE, WorkspacePaths } from "./paths";
import { SessionStore } from "./sessions";

const SHELL = existsSync("/bin/bash") ? "/bin/bash" : "/bin/sh";
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export class SandboxDir {
  readonly paths: WorkspacePaths;
  readonly sessions = new SessionStore();
  /** HOME for unisolated commands (bubblewrap's is its fresh /tmp) */
  private readonly hostHome: string;

  constructor(
    readonly id: string,
    hostRoot: string,
    hostHome: string,
    private readonly isolation: Isolation,
  ) {
    mkdirSync(hostRoot, { recursive: true });
    mkdirSync(hostHome, { recursive: true });
    this.paths = new WorkspacePaths(hostRoot);
    this.hostHome = hostHome;
  }

  /** argv, host cwd and env for `command` run in container directory `cwd`. */
  commandLine(command: string, cwd: string, env: Record<string, string>): { argv: string[]; hostCwd: string; env: Record<string, string> } {
    const { host } = this.paths.hostPath(cwd);
    let isDir = false;
    try {
      isDir = statSync(host).isDirectory();
    } catch {
      // absent
    }
    if (!isDir) throw new SandboxHttpError("FILE_NOT_FOUND", "cwd_not_found", `working directory ${cwd} does not exist`, { path: cwd });
    const isolated = this.isolation.mode === "bwrap";
    const base: Record<string, string> = {
      PATH,
      HOME: isolated ? "/tmp" : this.hostHome,
      LANG: "C.UTF-8",
      TERM: "dumb",
      SANDBOX_WORKSPACE: isolated ? CONTAINER_WORKSPACE : this.paths.hostRoot,
    };
    const fullEnv = { ...base, ...env };
    const shell = [SHELL, "-c", command];
    if (this.isolation.mode === "bwrap") {
      return { argv: bwrapArgv(this.isolation.bwrap, this.paths.hostRoot, this.paths.containerPath(cwd), shell), hostCwd: this.paths.hostRoot, env: fullEnv };
    }
    return { argv: shell, hostCwd: host, env: fullEnv };
  }
}

export function sandboxHome(stateDir: string, id: string): string {
  return join(stateDir, "home", id);
}
