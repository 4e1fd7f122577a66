/**
 * /api/git/checkout: `git clone` into a directory inside the workspace. The
 * clone runs on the host side of the sandbox (as the container's own git
 * does, outside the user's commands), since the sandbox has no network while
 * the repository may sit on a local forge over http. Only the http, https,
 * git and file transports are allowed (no ext::, no ssh), git reads no host
 * config (no credential helpers), never prompts, and is killed at its deadline.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { positiveIntField, stringField } from "./body";
import { SandboxHttpError } from "./errors";
import { runCommand } from "./run-command";
import type { SandboxDir } from "./sandbox-dir";

const ALLOWED = /^(https?:\/\/|git:\/\/|file:\/\/\/)/i;
const BRANCH = /^[A-Za-z0-9._\/-]{1,200}$/;

function repoName(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 47) end--;
  const last = url.slice(url.lastIndexOf("/", end - 1) + 1, end);
  const name = last.endsWith(".git") ? last.slice(0, -4) : last;
  return name && name !== "." && name !== ".." ? name : "repo";
}

export async function gitCheckoutOp(sb: SandboxDir, body: Record<string, unknown>, opts: { maxTimeoutMs: number; gitTimeoutMs: number }) {
  const repoUrl = stringField(body, "repoUrl", true);
  if (repoUrl.length > 2048 || !ALLOWED.test(repoUrl) || /[\s\0]/.test(repoUrl)) {
    throw new SandboxHttpError("INVALID_GIT_URL", "git_url_not_allowed", "repoUrl must be an http(s)://, git:// or file:/// URL", { repoUrl: repoUrl.slice(0, 200) });
  }
  const branch = stringField(body, "branch");
  if (branch !== undefined && (!BRANCH.test(branch) || branch.startsWith("-") || branch.includes(".."))) {
    throw new SandboxHttpError("VALIDATION_FAILED", "invalid_branch", "branch is not a plain ref name", { branch: branch.slice(0, 200) });
  }
  const depth = positiveIntField(body, "depth");
  const timeoutMs = Math.min(positiveIntField(body, "timeoutMs") ?? opts.gitTimeoutMs, opts.maxTimeoutMs);
  const session = sb.sessions.get(stringField(body, "sessionId"));
  const targetDir = stringField(body, "targetDir") ?? `/workspace/${repoName(repoUrl)}`;
  const { host, container } = sb.paths.hostPath(targetDir, session.cwd);
  if (container === "/workspace") throw new SandboxHttpError("VALIDATION_FAILED", "target_is_workspace_root", "targetDir must be below /workspace");
  let existing: string[] = [];
  try {
    existing = readdirSync(host);
  } catch {
    // absent: git makes it
  }
  if (existing.length > 0) throw new SandboxHttpError("FILE_EXISTS", "target_not_empty", `${container} exists and is not empty`, { path: container });

  const home = mkdtempSync(join(tmpdir(), "sandbox-git-home-"));
  const args = ["git", "clone", "--no-hardlinks"];
  if (branch) args.push("--branch", branch);
  if (depth) args.push("--depth", String(depth));
  args.push("--", repoUrl, host);
  try {
    const r = await runCommand({
      argv: args,
      cwd: sb.paths.hostRoot,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_TERMINAL_PROMPT: "0",
        GIT_ALLOW_PROTOCOL: "http:https:git:file",
        GIT_ASKPASS: "/bin/false",
        LANG: "C",
      },
      timeoutMs,
      maxOutputBytes: 64 * 1024,
    });
    if (r.exitCode !== 0) {
      rmSync(host, { recursive: true, force: true });
      const err = r.stderr;
      const ctx = { repoUrl: repoUrl.slice(0, 200), branch, stderr: err.slice(-2000), exitCode: r.exitCode };
      if (r.timedOut) throw new SandboxHttpError("GIT_CLONE_FAILED", "git_timeout", `git clone timed out after ${timeoutMs} ms`, ctx);
      if (branch && (err.includes("Remote branch") || err.includes("not found in upstream"))) {
        throw new SandboxHttpError("GIT_BRANCH_NOT_FOUND", "git_branch_not_found", `branch ${branch} not found`, ctx);
      }
      if (err.includes("does not exist") || err.includes("not found") || err.includes("does not appear to be a git repository")) {
        throw new SandboxHttpError("GIT_REPOSITORY_NOT_FOUND", "git_repository_not_found", `repository not found: ${repoUrl.slice(0, 200)}`, ctx);
      }
      throw new SandboxHttpError("GIT_CLONE_FAILED", "git_clone_failed", `git clone failed (exit ${r.exitCode})`, ctx);
    }
    let checkedOut = branch;
    if (!checkedOut) {
      const head = await runCommand({ argv: ["git", "-C", host, "rev-parse", "--abbrev-ref", "HEAD"], cwd: sb.paths.hostRoot, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" }, timeoutMs: 10_000, maxOutputBytes: 4096 });
      checkedOut = head.stdout.trim() || "HEAD";
    }
    return { success: true, repoUrl, branch: checkedOut, targetDir: container, timestamp: new Date().toISOString() };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
