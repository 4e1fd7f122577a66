/**
 * How a command is confined. With bubblewrap (`bwrap`) each command sees the
 * host's system directories read-only (/usr, /etc, /opt, /var and the
 * /bin, /lib… links), a fresh /tmp, its own /proc and /dev, and the sandbox's
 * directory read-write at /workspace — and nothing else of the host (no /home,
 * /root, /work). It has no network (--unshare-net), its own PID namespace
 * (--unshare-pid: it cannot see or signal host processes), no capabilities,
 * and dies with the service (--die-with-parent).
 *
 * Where bwrap is missing or cannot create namespaces (a container without
 * user namespaces, an AppArmor rule), commands run unisolated, in the
 * sandbox's directory on the host; `detectIsolation` says why, and the
 * service prints a warning and reports it on /api/ping and /api/health.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { CONTAINER_WORKSPACE } from "./paths";

export type Isolation = { mode: "bwrap"; bwrap: string } | { mode: "none"; reason: string };

const SYSTEM_DIRS = ["/usr", "/etc", "/opt", "/var", "/nix"];
const SYSTEM_LINKS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

/** bwrap's arguments that put the host's system directories in the sandbox's view. */
function rootArgs(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) if (existsSync(dir)) args.push("--ro-bind", dir, dir);
  for (const link of SYSTEM_LINKS) {
    let st;
    try {
      st = lstatSync(link);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push("--symlink", readlinkSync(link), link);
    else if (st.isDirectory()) args.push("--ro-bind", link, link);
  }
  return args;
}

/** The bwrap command line that runs `argv` with `hostWorkspace` at /workspace and `cwd` (a container path). */
export function bwrapArgv(bwrap: string, hostWorkspace: string, cwd: string, argv: string[]): string[] {
  const args = [
    bwrap,
    ...rootArgs(),
    "--dev", "/dev",
    "--proc", "/proc",
    "--tmpfs", "/tmp",
    "--bind", hostWorkspace, CONTAINER_WORKSPACE,
    "--chdir", cwd,
    "--unshare-net",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--hostname", "sandbox",
    "--die-with-parent",
    "--new-session",
  ];
  // root keeps its capabilities in the sandbox unless told otherwise
  if (process.getuid?.() === 0) args.push("--cap-drop", "ALL");
  return [...args, ...argv];
}

function findBwrap(): string | null {
  const fromEnv = process.env.LOCAL_SANDBOX_BWRAP;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    if (dir && existsSync(`${dir}/bwrap`)) return `${dir}/bwrap`;
  }
  return null;
}

/**
 * Whether commands can be confined here: bwrap must exist and actually run a
 * command with every namespace the service asks for (probed once, in `probeDir`).
 * LOCAL_SANDBOX_ISOLATION=none turns it off on purpose.
 */
export function detectIsolation(probeDir: string): Isolation {
  if (process.env.LOCAL_SANDBOX_ISOLATION === "none") return { mode: "none", reason: "LOCAL_SANDBOX_ISOLATION=none" };
  const bwrap = findBwrap();
  if (!bwrap) return { mode: "none", reason: "bwrap not found (apt-get install -y bubblewrap)" };
  const argv = bwrapArgv(bwrap, probeDir, CONTAINER_WORKSPACE, ["/bin/sh", "-c", "true"]);
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 20_000 });
  if (r.status === 0) return { mode: "bwrap", bwrap };
  const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split("\n")[0].slice(0, 300);
  return { mode: "none", reason: `bwrap cannot create its namespaces here: ${why}` };
}

export function isolationWarning(isolation: Isolation): string | null {
  if (isolation.mode === "bwrap") return null;
  return [
    "",
    "!!! WARNING: local sandbox runs commands UNISOLATED !!!",
    `!!! ${isolation.reason}`,
    "!!! commands can read and write the host's files and reach the network.",
    "",
  ].join("\n");
}
