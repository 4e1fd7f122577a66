/**
 * The repository a research run reads, checked out in its own Workspace:
 * one sandbox per run (its id derived from the run's key), the project's
 * default branch cloned into /workspace/repo (a clone left by an earlier
 * attempt is removed first), its HEAD read back. The Workspace face (Cloudflare
 * Sandbox or the local sandbox service) comes from workers/workspace/from-env.ts.
 * Offline, a repository given as a local path is cloned as file://.
 */
import { workspaceFromEnv, type WorkspaceEnv } from "../workspace/from-env";
import { workspaceIdFor } from "../workspace/workspace-id";
import type { ProjectRepository } from "./project-repo";
import type { RepoCheckout } from "./research";

export const CHECKOUT_DIR = "/workspace/repo";

export function cloneUrl(url: string): string {
  return url.startsWith("/") ? `file://${url}` : url;
}

export async function checkoutRepository(env: WorkspaceEnv, runKey: string, repo: ProjectRepository): Promise<RepoCheckout> {
  const workspace = workspaceFromEnv(env, await workspaceIdFor("rr", runKey));
  if (await workspace.exists(CHECKOUT_DIR)) await workspace.remove(CHECKOUT_DIR, { recursive: true });
  const url = cloneUrl(repo.url);
  const { branch } = await workspace.gitCheckout(url, repo.branch ?? undefined, CHECKOUT_DIR);
  const head = await workspace.exec("git rev-parse HEAD", { cwd: CHECKOUT_DIR, timeoutMs: 30_000 });
  if (head.exitCode !== 0) throw new Error(`checked out ${url} but cannot read its HEAD: ${head.stderr.slice(0, 300)}`);
  return { workspace, dir: CHECKOUT_DIR, url: repo.url, branch: branch || repo.branch || "", head: head.stdout.trim(), testCommand: repo.testCommand };
}
