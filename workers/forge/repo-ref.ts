/**
 * The forge repository a project's repository URL names: `https://github.com/
 * <owner>/<repo>(.git)` on GitHub (or a GitHub Enterprise host), or
 * `http://<host>:<port>/<owner>/<repo>.git` on the local forge. A local path,
 * a `file://` URL, or a URL whose last two path segments are not a valid
 * owner and name is on no forge: null. Owner and name rules are GitHub's
 * (letters, digits, `-`, `_`, `.`; no `..`; at most 100 characters).
 */
import type { RepoRef } from "./forge-client";

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function repoRefOf(url: string): RepoRef | null {
  if (url.length > 2048) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return null;
  const parts = u.pathname.split("/").filter(Boolean);
  if (parts.length !== 2) return null;
  const owner = parts[0]!;
  const repo = parts[1]!.endsWith(".git") ? parts[1]!.slice(0, -4) : parts[1]!;
  for (const p of [owner, repo]) if (!NAME.test(p) || p.includes("..") || p.startsWith(".")) return null;
  return { owner, repo };
}
