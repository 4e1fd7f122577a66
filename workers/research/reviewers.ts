/**
 * Who should review a fix: the authors of the commits that brought the code
 * the signals point at (bots left out), then the CODEOWNERS of those files
 * (GitHub's rule: the last matching pattern wins). A commit author whose name
 * or e-mail reads as a CODEOWNERS login (`Maya Chen`, `maya.chen@…` ↔
 * `@maya-chen`; GitHub's `id+login@users.noreply.github.com`) is one person
 * with both sources.
 */
import type { Codeowners } from "./codeowners";
import type { RelevantCommit, Reviewer } from "./output";

const MAX_REVIEWERS = 5;

export function isBot(name: string, email: string | null): boolean {
  const n = name.toLowerCase();
  return n.endsWith("[bot]") || /^(dependabot|renovate|github-actions|greenkeeper|snyk-bot)\b/.test(n) || (email ?? "").toLowerCase().includes("[bot]@");
}

/** the login a person's name or e-mail suggests, lower-case, for matching CODEOWNERS handles */
function loginGuesses(name: string, email: string | null): string[] {
  const guesses = new Set<string>();
  const slug = (s: string) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  if (name) guesses.add(slug(name));
  if (email) {
    const local = email.slice(0, Math.max(0, email.indexOf("@")));
    const noreply = /^\d+\+([A-Za-z0-9-]+)$/.exec(local);
    if (email.toLowerCase().endsWith("@users.noreply.github.com")) guesses.add((noreply ? noreply[1] : local).toLowerCase());
    else if (local) guesses.add(slug(local));
  }
  guesses.delete("");
  return [...guesses];
}

export interface BlamedPath {
  path: string;
  /** the commits found for the path, the blamed one first */
  commits: RelevantCommit[];
}

export function suggestReviewers(blamed: BlamedPath[], owners: Codeowners | null): Reviewer[] {
  const out: Reviewer[] = [];
  const byHandle = new Map<string, Reviewer>();
  const put = (r: Reviewer, key: string) => {
    const had = byHandle.get(key);
    if (had) {
      for (const s of r.sources) if (!had.sources.includes(s)) had.sources.push(s);
      if (!had.email && r.email) had.email = r.email;
      if (!had.reason.includes(r.reason)) had.reason = `${had.reason}; ${r.reason}`.slice(0, 300);
      return had;
    }
    byHandle.set(key, r);
    out.push(r);
    return r;
  };
  // owners first, to learn the handles, then authors join them by guess
  const ownerRules = new Map<string, string[]>();
  if (owners) {
    for (const { path } of blamed) {
      for (const owner of owners.ownersOf(path).owners) {
        const list = ownerRules.get(owner) ?? [];
        if (!list.includes(path)) list.push(path);
        ownerRules.set(owner, list);
      }
    }
  }
  const authorReviewers: { reviewer: Reviewer; key: string }[] = [];
  const seenAuthors = new Set<string>();
  for (const { path, commits } of blamed) {
    for (const [i, c] of commits.entries()) {
      if (isBot(c.author, c.email)) continue;
      const id = (c.email ?? c.author).toLowerCase();
      if (seenAuthors.has(id)) continue;
      seenAuthors.add(id);
      const guesses = loginGuesses(c.author, c.email);
      const owner = [...ownerRules.keys()].find((h) => h.startsWith("@") && !h.includes("/") && guesses.includes(h.slice(1).toLowerCase()));
      authorReviewers.push({
        key: owner ?? id,
        reviewer: {
          handle: owner ?? c.author,
          email: c.email,
          sources: ["blame"],
          reason: i === 0 ? `wrote the blamed line of ${path} (${c.sha.slice(0, 7)})` : `changed ${path} (${c.sha.slice(0, 7)})`,
        },
      });
    }
  }
  // the blamed lines' authors lead, then owners, then the other authors
  const [blamedAuthors, otherAuthors] = [authorReviewers.filter((a) => a.reviewer.reason.startsWith("wrote")), authorReviewers.filter((a) => !a.reviewer.reason.startsWith("wrote"))];
  for (const a of blamedAuthors) put(a.reviewer, a.key);
  for (const [owner, paths] of ownerRules) put({ handle: owner, email: owner.includes("@") && !owner.startsWith("@") ? owner : null, sources: ["codeowners"], reason: `owns ${paths.slice(0, 2).join(", ")} (CODEOWNERS)` }, owner);
  for (const a of otherAuthors) put(a.reviewer, a.key);
  return out.slice(0, MAX_REVIEWERS);
}
