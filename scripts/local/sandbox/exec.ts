/**
 * /api/execute and /api/execute/stream. Both take the container's
 * ExecuteRequest {command, sessionId, timeoutMs?, env?, cwd?}; the first
 * answers with the ExecuteResponse JSON, the second with the container's SSE
 * events (start, stdout, stderr, complete {exitCode}, error), which the SDK's
 * parseSSEStream reads. Both add `truncated` and `timedOut` (extra fields the
 * SDK passes through).
 */
import type { ServerResponse } from "node:http";
import { envField, positiveIntField, stringField } from "./body";
import { SandboxHttpError } from "./errors";
import { runCommand, type RunResult } from "./run-command";
import type { SandboxDir } from "./sandbox-dir";
import { sseEvent } from "./sse";

export interface ExecLimits {
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  maxOutputBytes: number;
  maxCommandBytes: number;
}

interface Prepared {
  command: string;
  sessionId: string;
  argv: string[];
  hostCwd: string;
  env: Record<string, string>;
  timeoutMs: number;
}

function prepare(sb: SandboxDir, body: Record<string, unknown>, limits: ExecLimits): Prepared {
  const command = stringField(body, "command", true);
  if (command.trim() === "") throw new SandboxHttpError("INVALID_COMMAND", "empty_command", "command is empty");
  if (Buffer.byteLength(command) > limits.maxCommandBytes) {
    throw new SandboxHttpError("INVALID_COMMAND", "command_too_long", `command over ${limits.maxCommandBytes} bytes`);
  }
  if (command.includes("\0")) throw new SandboxHttpError("INVALID_COMMAND", "invalid_command", "command holds a NUL byte");
  const session = sb.sessions.get(stringField(body, "sessionId"));
  const cwd = stringField(body, "cwd") ?? session.cwd;
  const env = { ...session.env, ...(envField(body, "env") ?? {}) };
  const timeoutMs = Math.min(positiveIntField(body, "timeoutMs") ?? session.commandTimeoutMs ?? limits.defaultTimeoutMs, limits.maxTimeoutMs);
  const line = sb.commandLine(command, sb.paths.containerPath(cwd, session.cwd), env);
  return { command, sessionId: session.id, argv: line.argv, hostCwd: line.hostCwd, env: line.env, timeoutMs };
}

function spawnFailed(err: unknown): SandboxHttpError {
  return new SandboxHttpError("COMMAND_EXECUTION_ERROR", "spawn_failed", `could not start the command: ${(err as Error)?.message ?? err}`);
}

export async function executeOp(sb: SandboxDir, body: Record<string, unknown>, limits: ExecLimits, signal: AbortSignal) {
  const p = prepare(sb, body, limits);
  let r: RunResult;
  try {
    r = await runCommand({ argv: p.argv, cwd: p.hostCwd, env: p.env, timeoutMs: p.timeoutMs, maxOutputBytes: limits.maxOutputBytes, signal });
  } catch (e) {
    throw spawnFailed(e);
  }
  return {
    success: r.exitCode === 0,
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    command: p.command,
    duration: 0,
    timestamp: new Date().toISOString(),
    sessionId: p.sessionId,
    truncated: r.truncated,
    timedOut: r.timedOut,
  };
}

/** Streams the command's output as SSE; validation errors are thrown before the 200 is written. */
export async function executeStreamOp(sb: SandboxDir, body: Record<string, unknown>, limits: ExecLimits, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const p = prepare(sb, body, limits);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const ts = () => new Date().toISOString();
  res.write(sseEvent({ type: "start", command: p.command, timestamp: ts() }));
  try {
    const r = await runCommand({
      argv: p.argv,
      cwd: p.hostCwd,
      env: p.env,
      timeoutMs: p.timeoutMs,
      maxOutputBytes: limits.maxOutputBytes,
      signal,
      onOutput: (stream, data) => {
        if (!res.writableEnded) res.write(sseEvent({ type: stream, data, timestamp: ts() }));
      },
    });
    if (r.timedOut) res.write(sseEvent({ type: "stderr", data: r.stderr.slice(r.stderr.lastIndexOf("[sandbox]")), timestamp: ts() }));
    res.end(sseEvent({ type: "complete", exitCode: r.exitCode, timestamp: ts(), truncated: r.truncated, timedOut: r.timedOut }));
  } catch (e) {
    res.end(sseEvent({ type: "error", data: spawnFailed(e).message, error: spawnFailed(e).message, timestamp: ts() }));
  }
}
