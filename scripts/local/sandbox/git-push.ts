/**
 * /api/git/push-bundle (a nightshift extension of the container API, local
 * face only): push one branch that a sandboxed command packed into a git
 * bundle, to a forge, with a credential that never enters the sandbox.
 *
 * Why a bundle: the checkout inside the sandbox is written by the agent, so
 * its `.git` (hooks, config such as core.fsmonitor, alternates) is untrusted
 * and no git process outside the sandbox may run in it. A bundle is plain
 * data: the host makes a fresh bare repository of its own, fetches the one
 * ref from the bundle file into it, and pushes from there. The credential
 * comes in the request header `x-forge-credential` (the Worker's, per push),
 * reaches git through GIT_CONFIG_* environment entries (not argv, not a
 * file), and goes with the process. Hooks are off, no global or system
 * config is read, git never prompts.
 *
 * Body: { bundlePath, ref ("refs/heads/…"), remoteUrl (http/https/file),
 *         force?: boolean, sessionId?, timeoutMs? }
 * Answer: { success, ref, sha, remoteUrl } — or 4xx/5xx with a reason
 * (invalid_ref, git_url_not_allowed, bundle_not_found, bundle_invalid,
 * push_rejected, push_unauthorized, git_timeout, push_failed).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { positiveIntField, stringField } from "./body";
import { SandboxHttpError } from "./errors";
import { runCommand } from "./run-command";
import type { SandboxDir } from "./sandbox-dir";

const ALLOWED = /^(https?:\/\/|file:\/\/\/)/i;
const REF = /^refs\/heads\/[A-Za-z0-9._\/-]{1,200}$/;

export const CREDENTIAL_HEADER = "x-forge-credential";

function baseEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ALLOW_PROTOCOL: "http:https:file",
    GIT_ASKPASS: "/bin/false",
    LANG: "C",
  };
}

/** config entries through the environment: hooks off, and the credential when there is one */
function configEnv(credential: string | undefined): Record<string, string> {
  const entries: [string, string][] = [["core.hooksPath", "/dev/null"]];
  if (credential) entries.push(["http.extraHeader", `Authorization: Basic ${Buffer.from(`x-access-token:${credential}`).toString("base64")}`]);
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  return env;
}

export async function gitPushBundleOp(sb: SandboxDir, body: Record<string, unknown>, credential: string | undefined, opts: { maxTimeoutMs: number; gitTimeoutMs: number }) {
  const remoteUrl = stringField(body, "remoteUrl", true);
  if (remoteUrl.length > 2048 || !ALLOWED.test(remoteUrl) || /[\s\0]/.test(remoteUrl) || /^https?:\/\/[^/]*@/i.test(remoteUrl)) {
    throw new SandboxHttpError("INVALID_GIT_URL", "git_url_not_allowed", "remoteUrl must be an http(s):// or file:/// URL without credentials", { remoteUrl: remoteUrl.slice(0, 200) });
  }
  const ref = stringField(body, "ref", true);
  if (!REF.test(ref) || ref.includes("..") || ref.endsWith("/") || ref.endsWith(".lock") || ref.includes("//")) {
    throw new SandboxHttpError("VALIDATION_FAILED", "invalid_ref", "ref must be refs/heads/<plain branch name>", { ref: ref.slice(0, 200) });
  }
  const force = body.force === true;
  const timeoutMs = Math.min(positiveIntField(body, "timeoutMs") ?? opts.gitTimeoutMs, opts.maxTimeoutMs);
  const session = sb.sessions.get(stringField(body, "sessionId"));
  const { host: bundle, container } = sb.paths.hostPath(stringField(body, "bundlePath", true), session.cwd);
  if (!existsSync(bundle)) throw new SandboxHttpError("FILE_NOT_FOUND", "bundle_not_found", `${container} does not exist`, { path: container }, 404);

  const home = mkdtempSync(join(tmpdir(), "sandbox-push-home-"));
  const bare = mkdtempSync(join(tmpdir(), "sandbox-push-repo-"));
  const git = (args: string[], credentialed = false) =>
    runCommand({ argv: ["git", ...args], cwd: bare, env: { ...baseEnv(home), ...configEnv(credentialed ? credential : undefined) }, timeoutMs, maxOutputBytes: 64 * 1024 });
  try {
    const init = await git(["init", "--quiet", "--bare", bare]);
    if (init.exitCode !== 0) throw new SandboxHttpError("INTERNAL_ERROR", "push_failed", `git init exited ${init.exitCode}`, { stderr: init.stderr.slice(-500) }, 500);
    // the bundle is data: fetching from it runs nothing of the sandbox's repository
    const fetched = await git(["fetch", "--quiet", "--no-tags", bundle, `+${ref}:${ref}`]);
    if (fetched.exitCode !== 0) {
      throw new SandboxHttpError("VALIDATION_FAILED", "bundle_invalid", `the bundle does not hold ${ref}`, { stderr: fetched.stderr.slice(-1000) });
    }
    const sha = (await git(["rev-parse", ref])).stdout.trim();
    const pushed = await git(["push", "--porcelain", ...(force ? ["--force"] : []), remoteUrl, `${ref}:${ref}`], true);
    if (pushed.exitCode !== 0) {
      const err = `${pushed.stdout}\n${pushed.stderr}`;
      const ctx = { ref, remoteUrl: remoteUrl.slice(0, 200), stderr: err.slice(-2000), exitCode: pushed.exitCode };
      if (pushed.timedOut) throw new SandboxHttpError("GIT_PUSH_FAILED", "git_timeout", `git push timed out after ${timeoutMs} ms`, ctx, 504);
      if (/\b401\b|Authentication failed|could not read Username/i.test(err)) throw new SandboxHttpError("GIT_PUSH_FAILED", "push_unauthorized", "the forge refused the credential", ctx, 502);
      if (/\[rejected\]|non-fast-forward|fetch first/i.test(err)) throw new SandboxHttpError("GIT_PUSH_FAILED", "push_rejected", `the forge rejected ${ref} (not a fast-forward)`, ctx, 409);
      throw new SandboxHttpError("GIT_PUSH_FAILED", "push_failed", `git push failed (exit ${pushed.exitCode})`, ctx, 502);
    }
    return { success: true, ref, sha, remoteUrl, timestamp: new Date().toISOString() };
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
    rmSync(bundle, { force: true });
  }
}
