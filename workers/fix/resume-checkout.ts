/**
 * The checkout a later round of the fix loop works in (issue 9: "resume the
 * Workspace"). After a push the run backs its checkout up — the repository
 * with the dependencies its test command installed — where the Workspace
 * keeps backups (`saveCheckout`; Cloudflare face with BACKUP_BUCKET). A later
 * round restores that backup, forgets its remote-tracking refs (stale),
 * fetches the pushed branch and resets to its head (someone may have pushed
 * since), dropping untracked files but keeping ignored ones (node_modules):
 * `resumeCheckout`. No backup, a Workspace
 * without backups, or a restore or fetch that fails (expired, not found, the
 * forge unreachable): the branch is cloned afresh as before, and a failure
 * says why in a warning for the run's record.
 *
 * The backup holds no credential: pushes carry the forge's token outside the
 * checkout (host-side locally, added by the Worker on the Cloudflare face),
 * and a checkout whose origin URL names a user or token is never backed up.
 */
import { shellQuote } from "../workspace/shell-quote";
import type { Workspace, WorkspaceBackup } from "../workspace/workspace";
import { GIT, startBranch } from "./write-fix";

export interface ResumedCheckout {
  /** restored from the backup and reset to the pushed head, or cloned afresh */
  how: "restored" | "cloned";
  /** why the backup was not used, when there was one */
  warning: string | null;
}

function why(e: unknown): string {
  const err = e as { reason?: unknown; message?: unknown } | null;
  const reason = typeof err?.reason === "string" ? `${err.reason}: ` : "";
  const message = typeof err?.message === "string" ? err.message : String(e);
  return `${reason}${message}`.slice(0, 300);
}

/** restore, fetch `branch`, reset to its head; throws when any step fails */
async function restoreAt(ws: Workspace, backup: WorkspaceBackup, repoUrl: string, branch: string): Promise<void> {
  if (!ws.restore) throw new Error(`the ${ws.face} workspace keeps no backups`);
  // an earlier round in the same container left its checkout: a restore may extract over it, not replace it
  if (await ws.exists(backup.dir)) await ws.remove(backup.dir, { recursive: true });
  await ws.restore(backup, repoUrl);
  const dir = backup.dir;
  const remote = `refs/remotes/origin/${branch}`;
  const steps: [string, string][] = [
    // remote-tracking refs are as old as the backup: dropped, so what needs one (merge-base.ts) fetches it current
    ["git update-ref", `git for-each-ref --format='delete %(refname)' refs/remotes/ | ${GIT} update-ref --no-deref --stdin`],
    ["git fetch", `${GIT} fetch --quiet --no-tags origin ${shellQuote(`+refs/heads/${branch}:${remote}`)}`],
    ["git checkout", `${GIT} checkout -q -f -B ${shellQuote(branch)} ${shellQuote(remote)}`],
    ["git clean", `${GIT} clean -q -f -d`],
  ];
  for (const [label, command] of steps) {
    const r = await ws.exec(command, { cwd: dir, timeoutMs: 300_000 });
    if (r.exitCode !== 0) throw new Error(`${label} exited ${r.exitCode}: ${r.stderr.slice(0, 200)}`);
  }
}

/**
 * `branch` of `repoUrl` checked out in `dir`, from `backup` when there is one
 * and it restores, else cloned afresh (what was in `dir` removed first).
 */
export async function resumeCheckout(ws: Workspace, dir: string, repoUrl: string, branch: string, backup: WorkspaceBackup | null): Promise<ResumedCheckout> {
  let warning: string | null = null;
  if (backup) {
    if (backup.dir !== dir) {
      warning = `the checkout's backup is of ${backup.dir.slice(0, 200)}, not ${dir}: cloned afresh`;
    } else {
      try {
        await restoreAt(ws, backup, repoUrl, branch);
        return { how: "restored", warning: null };
      } catch (e) {
        warning = `the checkout's backup ${backup.id.slice(0, 64)} could not be resumed (${why(e)}): cloned afresh`;
      }
    }
  }
  if (await ws.exists(dir)) await ws.remove(dir, { recursive: true });
  await ws.gitCheckout(repoUrl, branch, dir);
  await startBranch(ws, dir, branch);
  return { how: "cloned", warning };
}

/**
 * A backup of the checkout in `dir` as it is now (after a push), for later
 * rounds; `backup: null` where the Workspace keeps none. A failure only warns:
 * later rounds then clone.
 */
export async function saveCheckout(ws: Workspace, dir: string, name: string): Promise<{ backup: WorkspaceBackup | null; warning: string | null }> {
  if (!ws.backup) return { backup: null, warning: null };
  try {
    // never a credential in a backup: an origin URL with a user or token in it is not saved
    const origin = await ws.exec("git remote get-url origin", { cwd: dir, timeoutMs: 30_000 });
    const url = origin.stdout.trim();
    const scheme = url.indexOf("://");
    const authority = scheme < 0 ? "" : url.slice(scheme + 3).split("/", 1)[0];
    if (origin.exitCode !== 0 || authority.includes("@")) {
      return { backup: null, warning: "the checkout was not backed up: its origin URL is missing or carries a user name or token" };
    }
    return { backup: await ws.backup(dir, { name: name.slice(0, 100) }), warning: null };
  } catch (e) {
    return { backup: null, warning: `the checkout was not backed up (${why(e)}); later rounds clone it afresh` };
  }
}
