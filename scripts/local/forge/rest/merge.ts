/**
 * A merge commit made directly in a bare repository, as GitHub's "Merge pull
 * request" button makes one: `git merge-tree --write-tree` (git ≥ 2.38) for
 * the tree, `git commit-tree` with both parents, then `git update-ref` that
 * moves the base branch only if it still points where it did (so a push in
 * between is not lost).
 *
 * Contract: `mergeInBare(dir, {baseRef, baseSha, headSha, message, committer})`
 * → `{ sha }` or `{ conflict: true }` (the trees do not merge cleanly); throws
 * when git fails otherwise or the base moved meanwhile. `mergesCleanly(dir,
 * baseSha, headSha)` is the same test without a commit: GitHub's `mergeable`
 * of a pull request (merge-tree writes only objects, never a ref). Ignores the
 * machine's git config (./repos.ts gitEnv).
 */
import { execFile } from "node:child_process";
import { gitEnv } from "../repos";

interface Run {
  code: number;
  stdout: string;
}

function git(dir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((ok) => {
    execFile("git", args, { cwd: dir, env: gitEnv(env), maxBuffer: 16 << 20 }, (err, stdout) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      ok({ code, stdout: String(stdout) });
    });
  });
}

export interface MergeInput {
  baseRef: string;
  baseSha: string;
  headSha: string;
  message: string;
  committer: { name: string; email: string };
}

/** whether `headSha` merges into `baseSha` without conflicts (merge-tree exit 0 clean, 1 conflicts) */
export async function mergesCleanly(dir: string, baseSha: string, headSha: string): Promise<boolean> {
  const tree = await git(dir, ["merge-tree", "--write-tree", "--name-only", "--no-messages", baseSha, headSha]);
  if (tree.code === 0 || tree.code === 1) return tree.code === 0;
  throw new Error(`forge: git merge-tree failed (${tree.code})`);
}

export async function mergeInBare(dir: string, m: MergeInput): Promise<{ sha: string } | { conflict: true }> {
  const tree = await git(dir, ["merge-tree", "--write-tree", m.baseSha, m.headSha]);
  if (tree.code === 1) return { conflict: true };
  if (tree.code !== 0) throw new Error(`forge: git merge-tree failed (${tree.code})`);
  const treeId = tree.stdout.split("\n")[0]!.trim();
  const who = {
    GIT_AUTHOR_NAME: m.committer.name,
    GIT_AUTHOR_EMAIL: m.committer.email,
    GIT_COMMITTER_NAME: m.committer.name,
    GIT_COMMITTER_EMAIL: m.committer.email,
  };
  const commit = await git(dir, ["commit-tree", treeId, "-p", m.baseSha, "-p", m.headSha, "-m", m.message], who);
  if (commit.code !== 0) throw new Error(`forge: git commit-tree failed (${commit.code})`);
  const sha = commit.stdout.trim();
  const moved = await git(dir, ["update-ref", `refs/heads/${m.baseRef}`, sha, m.baseSha]);
  if (moved.code !== 0) throw new Error(`forge: ${m.baseRef} moved while merging`);
  return { sha };
}
