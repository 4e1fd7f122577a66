/**
 * A commit made directly in a bare repository, as GitHub's web editor makes
 * one: the parent's tree read into a temporary index, the files written as
 * blobs over it, `git write-tree` / `git commit-tree`, then `git update-ref`
 * that moves the branch only if it still points at the parent (a push in
 * between is not lost). For playing a person who commits to a branch —
 * the base moving under an open pull request — in tests and the demo.
 *
 * Contract: `commitFiles(dir, {branch, parent, files, message, committer})`
 * → the new commit's sha; paths are plain repository-relative paths (no
 * `..`, no leading `/`), contents UTF-8 text, mode 100644. Throws when git
 * fails or the branch moved. Ignores the machine's git config.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitEnv } from "../repos";

function git(dir: string, args: string[], env: Record<string, string>, input?: string): Promise<string> {
  return new Promise((ok, fail) => {
    const child = execFile("git", args, { cwd: dir, env: gitEnv(env), maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) return fail(new Error(`forge: git ${args[0]} failed: ${String(stderr).slice(0, 300)}`));
      ok(String(stdout).trim());
    });
    // git may exit before reading (or never read) its stdin: a closed pipe is not an error here, git's exit code is
    child.stdin?.on("error", () => {});
    child.stdin?.end(input);
  });
}

export interface CommitInput {
  branch: string;
  parent: string;
  files: Record<string, string>;
  message: string;
  committer: { name: string; email: string };
}

function plainPath(p: string): boolean {
  if (!p || p.length > 1024 || p.startsWith("/") || p.includes("\\") || p.includes("\0")) return false;
  return p.split("/").every((seg) => seg !== "" && seg !== "." && seg !== ".." && seg.toLowerCase() !== ".git");
}

export async function commitFiles(dir: string, c: CommitInput): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), "forge-commit-"));
  const env = {
    GIT_INDEX_FILE: join(tmp, "index"),
    GIT_AUTHOR_NAME: c.committer.name,
    GIT_AUTHOR_EMAIL: c.committer.email,
    GIT_COMMITTER_NAME: c.committer.name,
    GIT_COMMITTER_EMAIL: c.committer.email,
  };
  try {
    await git(dir, ["read-tree", c.parent], env);
    for (const [path, text] of Object.entries(c.files)) {
      if (!plainPath(path)) throw new Error(`forge: bad path ${JSON.stringify(path.slice(0, 200))}`);
      const blob = await git(dir, ["hash-object", "-w", "--stdin"], env, text);
      await git(dir, ["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], env);
    }
    const tree = await git(dir, ["write-tree"], env);
    const sha = await git(dir, ["commit-tree", tree, "-p", c.parent, "-m", c.message], env);
    await git(dir, ["update-ref", `refs/heads/${c.branch}`, sha, c.parent], env);
    return sha;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
