/**
 * Runs a repository's tests at one commit, as the local CI's job step.
 *
 * `runTests({source, sha, command})`: clones `source` (a bare repository's
 * path or a clone URL) into a fresh temporary directory — git ignoring the
 * machine's global and system config, never prompting, no hardlinks into the
 * source's object store — checks out `sha` detached, and runs `command` with
 * `/bin/sh -c` there with a deadline (default 10 min), after which the
 * command's whole process group is killed. stdout and stderr are captured
 * together, in arrival order, kept within `maxOutputBytes` as head + tail.
 * The temporary directory is removed afterwards, whatever happened.
 *
 * Isolation: when bubblewrap works here (scripts/local/sandbox/isolation.ts,
 * probed once per process; LOCAL_SANDBOX_ISOLATION=none turns it off), the
 * command sees the checkout read-write at /workspace, the host's system
 * directories read-only and nothing else: no network, no host home, its own
 * PID namespace. Otherwise it runs plainly in the checkout on the host and the
 * result says so (`isolation: "none"`, `isolationNote`). Either way the
 * command gets a small fixed environment (PATH, HOME, CI=true, …), never the
 * caller's (which may hold tokens).
 *
 * Returns {exitCode (124 when timed out), timedOut, output, durationMs, …};
 * throws CheckoutError when the clone or checkout fails.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitEnv } from "../forge/repos";
import { CONTAINER_WORKSPACE } from "../sandbox/paths";
import { bwrapArgv, detectIsolation, type Isolation } from "../sandbox/isolation";
import { runCommand } from "../sandbox/run-command";
import { HeadTailOutput } from "./head-tail";

export interface RunTestsOptions {
  /** a bare repository's path, or a clone URL */
  source: string;
  /** the commit to test (full hex object id) */
  sha: string;
  /** run with /bin/sh -c in the checkout's root */
  command: string;
  /** the test command's deadline, default 10 minutes */
  timeoutMs?: number;
  /** the clone's and the checkout's deadline each, default 2 minutes */
  gitTimeoutMs?: number;
  /** combined output kept, half head half tail; default 256 KiB */
  maxOutputBytes?: number;
  /** where the temporary checkout is made, default the system temp dir */
  tmpRoot?: string;
  /** extra environment for the command (on top of the fixed one) */
  env?: Record<string, string>;
  /** aborting kills the test command (the result then says `aborted`) */
  signal?: AbortSignal;
}

export interface TestRunResult {
  exitCode: number;
  timedOut: boolean;
  /** stdout and stderr interleaved, head + tail within the cap */
  output: string;
  truncated: boolean;
  /** the caller's signal stopped the command */
  aborted: boolean;
  durationMs: number;
  isolation: "bwrap" | "none";
  /** why the command ran unisolated */
  isolationNote?: string;
}

export class CheckoutError extends Error {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
    this.name = "CheckoutError";
  }
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

let isolationCache: Isolation | undefined;

/** Whether bwrap confines commands here; probed once per process. */
export function ciIsolation(): Isolation {
  if (isolationCache) return isolationCache;
  const probe = mkdtempSync(join(tmpdir(), "local-ci-probe-"));
  try {
    isolationCache = detectIsolation(probe);
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
  return isolationCache;
}

function git(cwd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((ok, fail) => {
    const child = execFile(
      "git",
      args,
      { cwd, env: gitEnv({ GIT_ASKPASS: "", SSH_ASKPASS: "" }), timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 1 << 20 },
      (err, _stdout, stderr) => {
        if (!err) return ok();
        fail(new CheckoutError(`git ${args[0]} failed`, String(stderr).slice(0, 4000) || String(err.message).slice(0, 4000)));
      },
    );
    child.stdin?.end();
  });
}

export async function runTests(options: RunTestsOptions): Promise<TestRunResult> {
  if (!SHA.test(options.sha)) throw new CheckoutError("bad commit id", `not a full object id: ${JSON.stringify(options.sha.slice(0, 80))}`);
  if (!options.command.trim() || options.command.includes("\0")) throw new Error("runTests: empty command or NUL byte");
  const gitTimeout = options.gitTimeoutMs ?? 120_000;
  const cap = options.maxOutputBytes ?? 256 * 1024;
  const root = options.tmpRoot ?? tmpdir();
  mkdirSync(root, { recursive: true });
  const tmp = mkdtempSync(join(root, "local-ci-run-"));
  try {
    const checkout = join(tmp, "checkout");
    const home = join(tmp, "home");
    mkdirSync(home);
    await git(tmp, ["clone", "--quiet", "--no-checkout", "--no-hardlinks", "--", options.source, checkout], gitTimeout);
    await git(checkout, ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", options.sha, "--"], gitTimeout);

    const isolation = ciIsolation();
    const bwrap = isolation.mode === "bwrap";
    const env: Record<string, string> = {
      PATH: process.env.PATH || "/usr/local/bin:/usr/bin:/bin",
      HOME: bwrap ? "/tmp" : home,
      TMPDIR: bwrap ? "/tmp" : home,
      LANG: "C.UTF-8",
      TZ: "UTC",
      CI: "true",
      NO_COLOR: "1",
      ...options.env,
    };
    const shell = ["/bin/sh", "-c", options.command];
    const argv = bwrap ? bwrapArgv(isolation.bwrap, checkout, CONTAINER_WORKSPACE, shell) : shell;
    const out = new HeadTailOutput(Math.floor(cap / 2), cap - Math.floor(cap / 2));
    const started = performance.now();
    // the sandbox service's runner: own process group, killed at the deadline, on abort and when the first process exits;
    // both streams go, as they come, into one head-and-tail buffer
    const { exitCode: code, timedOut } = await runCommand({
      argv,
      cwd: checkout,
      env,
      timeoutMs: options.timeoutMs ?? 600_000,
      maxOutputBytes: 0,
      signal: options.signal,
      onChunk: (_stream, chunk) => out.push(chunk),
    });
    const durationMs = Math.round(performance.now() - started);
    let output = out.text();
    if (timedOut) output += `${output && !output.endsWith("\n") ? "\n" : ""}[local-ci] the test command timed out after ${options.timeoutMs ?? 600_000} ms and was killed\n`;
    return {
      exitCode: code,
      timedOut,
      output,
      truncated: out.truncated,
      aborted: options.signal?.aborted === true,
      durationMs,
      isolation: isolation.mode,
      ...(isolation.mode === "none" ? { isolationNote: `ran unisolated (with network and the host's files): ${isolation.reason}` } : {}),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
