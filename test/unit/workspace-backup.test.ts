/**
 * Directory backups on the Cloudflare face (workers/workspace/sdk-workspace.ts
 * over the SDK's createBackup / restoreBackup): the options the SDK documents
 * (BackupOptions: dir, name, ttl, localBucket; DirectoryBackup: id, dir,
 * localBucket), the repository scoped read only before a restore, the SDK's
 * backup errors as WorkspaceError reasons. A sandbox without backups (no
 * BACKUP_BUCKET) keeps none. The sandbox is a recorder shaped like the SDK's.
 */
import type { BackupOptions, DirectoryBackup } from "@cloudflare/sandbox";
import { describe, expect, it } from "vitest";
import type { SandboxOps } from "../../workers/workspace/sandbox-ops";
import { SdkWorkspace } from "../../workers/workspace/sdk-workspace";
import { WorkspaceError } from "../../workers/workspace/workspace";
import { quietSandboxOps } from "./quiet-sandbox-ops";

const ID = "3f2b8c1e-0d4a-4e6b-9c7f-1a2b3c4d5e6f";

function stub(opts: { backups?: boolean; restoreError?: { code: string; message: string; httpStatus: number } } = {}) {
  const log: string[] = [];
  const created: BackupOptions[] = [];
  const restored: DirectoryBackup[] = [];
  const ops: SandboxOps = quietSandboxOps({ scopeEgress: async (scope) => void log.push(scope ? `scope ${scope.owner}/${scope.repo} ${scope.access}` : "scope none") });
  if (opts.backups !== false) {
    ops.createBackup = async (options) => {
      created.push(options);
      log.push("createBackup");
      return { id: ID, dir: options.dir, localBucket: options.localBucket };
    };
    ops.restoreBackup = async (backup) => {
      restored.push(backup);
      log.push("restoreBackup");
      // the SDK's BackupExpiredError / BackupNotFoundError carry the container's ErrorResponse
      if (opts.restoreError) throw Object.assign(new Error(opts.restoreError.message), { code: opts.restoreError.code, httpStatus: opts.restoreError.httpStatus, context: { backupId: backup.id } });
      return { success: true, dir: backup.dir, id: backup.id };
    };
  }
  return { ops, log, created, restored };
}

describe("the Cloudflare face's directory backups", () => {
  it("backs a directory up with the SDK's BackupOptions, through the Durable Object's R2 binding (localBucket)", async () => {
    const s = stub();
    const ws = new SdkWorkspace("cloudflare", "fx-1", s.ops);
    const b = await ws.backup("repo", { name: "fix-rep_1", ttlSeconds: 86_400 });
    expect(s.created).toEqual([{ dir: "/workspace/repo", name: "fix-rep_1", ttl: 86_400, localBucket: true }]);
    expect(b).toEqual({ face: "cloudflare", id: ID, dir: "/workspace/repo", localBucket: true });
    // plain JSON: a run keeps it in its row
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });

  it("restores a DirectoryBackup after scoping the sandbox to the repository, read only", async () => {
    const s = stub();
    const ws = new SdkWorkspace("cloudflare", "fx-1", s.ops);
    await ws.restore({ face: "cloudflare", id: ID, dir: "/workspace/repo", localBucket: true }, "https://github.com/shop/web.git");
    expect(s.restored).toEqual([{ id: ID, dir: "/workspace/repo", localBucket: true }]);
    expect(s.log).toEqual(["scope shop/web read", "restoreBackup"]);
  });

  it("an expired or missing backup is a WorkspaceError with the SDK's reason", async () => {
    for (const [code, reason, status] of [
      ["BACKUP_EXPIRED", "backup_expired", 400],
      ["BACKUP_NOT_FOUND", "backup_not_found", 404],
    ] as const) {
      const s = stub({ restoreError: { code, message: `Backup ${ID}: ${code}`, httpStatus: status } });
      const err = await new SdkWorkspace("cloudflare", "fx-1", s.ops).restore({ face: "cloudflare", id: ID, dir: "/workspace/repo", localBucket: true }, "https://github.com/shop/web.git").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkspaceError);
      expect((err as WorkspaceError).reason).toBe(reason);
      expect((err as WorkspaceError).status).toBe(status);
    }
  });

  it("refuses a directory outside /workspace, the root itself, and another face's backup, before the SDK is called", async () => {
    const s = stub();
    const ws = new SdkWorkspace("cloudflare", "fx-1", s.ops);
    await expect(ws.backup("/etc")).rejects.toMatchObject({ reason: "path_outside_workspace" });
    await expect(ws.backup("/workspace")).rejects.toMatchObject({ reason: "workspace_root" });
    await expect(ws.restore({ face: "cloudflare", id: ID, dir: "/workspace/../root" }, "https://github.com/shop/web.git")).rejects.toMatchObject({ reason: "path_outside_workspace" });
    await expect(ws.restore({ face: "local", id: ID, dir: "/workspace/repo" }, "https://github.com/shop/web.git")).rejects.toMatchObject({ reason: "invalid_backup" });
    expect(s.created).toEqual([]);
    expect(s.restored).toEqual([]);
  });

  it("without BACKUP_BUCKET the sandbox has no backup ops: no backup, and a restore says so", async () => {
    const s = stub({ backups: false });
    const ws = new SdkWorkspace("cloudflare", "fx-1", s.ops);
    expect(await ws.backup("/workspace/repo")).toBeNull();
    await expect(ws.restore({ face: "cloudflare", id: ID, dir: "/workspace/repo" }, "https://github.com/shop/web.git")).rejects.toMatchObject({ reason: "backups_unavailable" });
    expect(s.log).toEqual([]);
  });
});
