/**
 * Parses and checks the path of a request to the local forge's git server:
 * `/<owner>/<name>.git/<service path>`. Owner and name must match
 * `^[A-Za-z0-9_.-]{1,100}$`, hold no `..` and not start with a dot, so a
 * path can never leave the forge's root. Linear in the path's length.
 *
 * Contract: `parseRepoPath(pathname)` returns `{owner, name, rest}` (rest is
 * what follows `.git`, e.g. `/info/refs`) or `{error}` with 400 for a name
 * that breaks the rules, 404 for a path that is not a repository path at all.
 */
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function validRepoPart(part: string): boolean {
  return NAME.test(part) && !part.includes("..") && !part.startsWith(".");
}

export type RepoPath = { owner: string; name: string; rest: string } | { error: 400 | 404; message: string };

export function parseRepoPath(pathname: string): RepoPath {
  if (pathname.length > 400) return { error: 400, message: "path too long" };
  const parts = pathname.split("/");
  // "", owner, "name.git", ...rest
  if (parts.length < 3 || parts[0] !== "") return { error: 404, message: "not a repository path" };
  const owner = parts[1]!;
  const repoPart = parts[2]!;
  if (!repoPart.endsWith(".git")) return { error: 404, message: "not a repository path (expected /<owner>/<name>.git/...)" };
  const name = repoPart.slice(0, -".git".length);
  if (!validRepoPart(owner) || !validRepoPart(name)) return { error: 400, message: "bad owner or repository name" };
  const rest = parts.length > 3 ? "/" + parts.slice(3).join("/") : "";
  return { owner, name, rest };
}
