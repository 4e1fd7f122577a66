/**
 * Container paths ↔ host paths for one sandbox. Clients name files as in the
 * container: absolute under /workspace, or relative to the session's cwd.
 * Every path is resolved inside the sandbox's host directory: `..`, absolute
 * paths elsewhere and symlinks that lead out are refused (400,
 * reason path_outside_workspace), so no request reads or writes a host file
 * outside the workspace. (A command could swap a directory for a symlink
 * between the check and the use; commands run in bubblewrap, where such a
 * link points inside the sandbox's own view.)
 */
import { realpathSync } from "node:fs";

const realpath = realpathSync.native;
import { posix, sep } from "node:path";
import { SandboxHttpError } from "./errors";

/** Where the workspace sits in the container (and in the bubblewrap view). */
export const CONTAINER_WORKSPACE = "/workspace";
const MAX_PATH = 4096;
/** the symlink check costs one realpath per missing component: bounded */
const MAX_DEPTH = 256;

export class WorkspacePaths {
  /** the sandbox's host directory, symlinks resolved */
  readonly hostRoot: string;

  constructor(hostRoot: string) {
    this.hostRoot = realpath(hostRoot);
  }

  /** A client's path (absolute, or relative to `cwd`) as a normalized container path under /workspace. */
  containerPath(path: string, cwd = CONTAINER_WORKSPACE): string {
    if (typeof path !== "string" || path.length === 0) throw outside(path, "empty_path", "path is empty");
    if (path.length > MAX_PATH) throw outside(path.slice(0, 64), "path_too_long", `path longer than ${MAX_PATH}`);
    if (path.includes("\0")) throw outside(path.slice(0, 64), "invalid_path", "path holds a NUL byte");
    const resolved = posix.resolve(cwd, path);
    if (resolved !== CONTAINER_WORKSPACE && !resolved.startsWith(`${CONTAINER_WORKSPACE}/`)) {
      throw outside(path, "path_outside_workspace", `${path} resolves outside ${CONTAINER_WORKSPACE}`);
    }
    let depth = 0;
    for (let i = 0; i < resolved.length; i++) if (resolved.charCodeAt(i) === 47) depth++;
    if (depth > MAX_DEPTH) throw outside(path.slice(0, 64), "path_too_deep", `path deeper than ${MAX_DEPTH} directories`);
    return resolved;
  }

  /**
   * The host path for a client's path. The deepest part of it that exists is
   * resolved through symlinks and must still lie inside the root.
   */
  hostPath(path: string, cwd = CONTAINER_WORKSPACE): { container: string; host: string } {
    const container = this.containerPath(path, cwd);
    const rel = container.slice(CONTAINER_WORKSPACE.length);
    const host = this.hostRoot + (sep === "/" ? rel : rel.split("/").join(sep));
    this.assertInside(host, path);
    return { container, host };
  }

  /** The container path of a host path inside the root. */
  toContainer(host: string): string {
    if (host === this.hostRoot) return CONTAINER_WORKSPACE;
    return CONTAINER_WORKSPACE + host.slice(this.hostRoot.length).split(sep).join("/");
  }

  private assertInside(host: string, shown: string): void {
    let probe = host;
    // walk up to the deepest existing ancestor (each step drops one component)
    for (;;) {
      let real: string;
      try {
        real = realpath(probe);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") {
          const up = probe.slice(0, probe.lastIndexOf(sep));
          if (up.length < this.hostRoot.length) return;
          probe = up;
          continue;
        }
        if (code === "ELOOP") throw outside(shown, "symlink_loop", `${shown} is a symlink loop`);
        throw e;
      }
      if (real !== this.hostRoot && !real.startsWith(this.hostRoot + sep)) {
        throw outside(shown, "path_outside_workspace", `${shown} leads outside ${CONTAINER_WORKSPACE} through a symlink`);
      }
      return;
    }
  }
}

function outside(path: string, reason: string, message: string): SandboxHttpError {
  return new SandboxHttpError("VALIDATION_FAILED", reason, message, { path });
}
