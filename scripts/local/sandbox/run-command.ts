/**
 * Runs one command to completion: its own process group, output capped per
 * stream, a deadline after which the whole group is killed (SIGKILL to
 * -pgid; under bubblewrap the PID namespace dies with it), and an abort
 * signal (the client went away).
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { CappedOutput } from "./capped-output";

export interface RunSpec {
  argv: string[];
  /** host directory the process starts in */
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
  /** every chunk as it arrives, kept or not (a caller with its own buffer, e.g. head and tail) */
  onChunk?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  onStart?: (pid: number | undefined) => void;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  /** bytes each stream produced, kept or not */
  stdoutBytes: number;
  stderrBytes: number;
}

/** The exit code a timed-out command reports (as coreutils `timeout` does). */
export const TIMEOUT_EXIT_CODE = 124;

export function runCommand(spec: RunSpec): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const stdout = new CappedOutput(spec.maxOutputBytes);
    const stderr = new CappedOutput(spec.maxOutputBytes);
    let timedOut = false;
    let settled = false;
    const child = spawn(spec.argv[0], spec.argv.slice(1), {
      cwd: spec.cwd,
      env: spec.env,
      detached: true, // its own process group, killed as one
      stdio: ["ignore", "pipe", "pipe"],
    });
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, spec.timeoutMs);
    const onAbort = () => killGroup();
    spec.signal?.addEventListener("abort", onAbort, { once: true });
    if (spec.signal?.aborted) killGroup();
    child.stdout.on("data", (c: Buffer) => {
      spec.onChunk?.("stdout", c);
      const t = stdout.push(c);
      if (t && spec.onOutput) spec.onOutput("stdout", t);
    });
    child.stderr.on("data", (c: Buffer) => {
      spec.onChunk?.("stderr", c);
      const t = stderr.push(c);
      if (t && spec.onOutput) spec.onOutput("stderr", t);
    });
    child.once("spawn", () => spec.onStart?.(child.pid));
    // the command is over when its first process exits (as in a PID namespace,
    // whose other processes die with it): background children holding the
    // pipes open are killed, so "close" follows
    child.once("exit", () => killGroup());
    child.once("error", (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal?.removeEventListener("abort", onAbort);
      reject(err);
    });
    child.once("close", (code, sig) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal?.removeEventListener("abort", onAbort);
      let err = stderr.text();
      if (timedOut) err += `${err && !err.endsWith("\n") ? "\n" : ""}[sandbox] command timed out after ${spec.timeoutMs} ms and was killed\n`;
      resolve({
        exitCode: timedOut ? TIMEOUT_EXIT_CODE : (code ?? (sig ? 128 + signalNumber(sig) : 1)),
        stdout: stdout.text(),
        stderr: err,
        truncated: stdout.truncated || stderr.truncated,
        timedOut,
        stdoutBytes: stdout.total,
        stderrBytes: stderr.total,
      });
    });
  });
}

function signalNumber(sig: NodeJS.Signals): number {
  const n = constants.signals[sig];
  return typeof n === "number" ? n : 0;
}
