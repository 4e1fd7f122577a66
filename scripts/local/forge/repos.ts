/**
 * The local forge's repositories on disk: bare repositories at
 * `<root>/<owner>/<name>.git`, each with `http.receivepack` on so
 * `git http-backend` accepts pushes (the server does the authentication).
 *
 * Contract:
 * - `createRepo(root, owner, name, fromDir?)` makes the bare repository
 *   (refusing bad names and existing repositories) and, given `fromDir` (a
 *   non-bare repository such as `makeSampleRepo()`'s), pushes all its
 *   branches and tags there and points HEAD at `fromDir`'s current branch.
 *   Synchronous: it never talks to the server.
 * - `readRefs(dir)` lists a repository's refs (name → object id), async.
 * Every git call ignores the machine's global and system git config.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { validRepoPart } from "./repo-path";

export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_")) env[k] = v;
  return { ...env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", ...extra };
}

export function repoDir(root: string, owner: string, name: string): string {
  if (!validRepoPart(owner) || !validRepoPart(name)) throw new Error(`forge: bad repository name ${JSON.stringify(`${owner}/${name}`)}`);
  return join(resolve(root), owner, `${name}.git`);
}

export function repoExists(root: string, owner: string, name: string): boolean {
  return existsSync(join(repoDir(root, owner, name), "HEAD"));
}

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, env: gitEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function createRepo(root: string, owner: string, name: string, fromDir?: string): string {
  const dir = repoDir(root, owner, name);
  if (existsSync(dir)) throw new Error(`forge: ${owner}/${name} exists`);
  mkdirSync(dir, { recursive: true });
  git(dir, ["init", "--quiet", "--bare", "--initial-branch=main"]);
  git(dir, ["config", "http.receivepack", "true"]);
  git(dir, ["config", "http.uploadpack", "true"]);
  if (fromDir) {
    const src = resolve(fromDir);
    git(src, ["push", "--quiet", dir, "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"]);
    const head = git(src, ["symbolic-ref", "--quiet", "HEAD"]).trim();
    if (head.startsWith("refs/heads/")) git(dir, ["symbolic-ref", "HEAD", head]);
  }
  return dir;
}

export function readRefs(dir: string): Promise<Map<string, string>> {
  return new Promise((ok, fail) => {
    execFile("git", ["for-each-ref", "--format=%(objectname) %(refname)"], { cwd: dir, env: gitEnv(), maxBuffer: 64 << 20 }, (err, stdout) => {
      if (err) return fail(err);
      const refs = new Map<string, string>();
      for (const line of stdout.split("\n")) {
        const space = line.indexOf(" ");
        if (space > 0) refs.set(line.slice(space + 1), line.slice(0, space));
      }
      ok(refs);
    });
  });
}
