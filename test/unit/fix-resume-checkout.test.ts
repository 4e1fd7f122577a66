/**
 * A later round's checkout (workers/fix/resume-checkout.ts) on real git: a
 * DiskWorkspace whose backups are copies of the directory kept outside
 * /workspace (as the Cloudflare face keeps them in R2). Restored: the pushed
 * head someone else moved is checked out, installed (ignored) dependencies
 * kept, stray files and stale remote-tracking refs gone, no clone. A restore
 * that fails, or no backup: a fresh clone, the failure in a warning.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DiskWorkspace } from "../../evals/host-workspace";
import { resumeCheckout, saveCheckout } from "../../workers/fix/resume-checkout";
import { WorkspaceError, type WorkspaceBackup } from "../../workers/workspace/workspace";

const DIR = "/workspace/repo";
const BRANCH = "nightshift/rep_resume1";

const git = (cwd: string, args: string[]) =>
  execFileSync("git", ["-c", "user.name=Maya Chen", "-c", "user.email=maya@shop.example", "-c", "commit.gpgsign=false", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
  }).trim();

/** a DiskWorkspace with backups: copies under its own directory, outside /workspace */
class BackedUpWorkspace extends DiskWorkspace {
  readonly store = mkdtempSync(join(tmpdir(), "nightshift-backups-"));
  clones = 0;
  restores = 0;
  failRestore: WorkspaceError | null = null;

  async backup(dir: string): Promise<WorkspaceBackup> {
    const id = `b${this.restores}-${Date.now()}`;
    cpSync(this.host(dir), join(this.store, id), { recursive: true, verbatimSymlinks: true });
    return { face: "local", id, dir };
  }

  async restore(backup: WorkspaceBackup): Promise<void> {
    this.restores++;
    if (this.failRestore) throw this.failRestore;
    // extracted over what is there, as an archive extraction would
    cpSync(join(this.store, backup.id), this.host(backup.dir), { recursive: true, verbatimSymlinks: true });
  }

  override async gitCheckout(url: string, branch: string | undefined, dir: string) {
    this.clones++;
    return super.gitCheckout(url, branch, dir);
  }

  override dispose(): void {
    super.dispose();
    rmSync(this.store, { recursive: true, force: true });
  }
}

let work: string;
let upstream: string;
let people: string;
let ws: BackedUpWorkspace;

function commitAs(branch: string, file: string, text: string, message: string): string {
  git(people, ["checkout", "-q", branch]);
  git(people, ["pull", "-q", "--ff-only", "origin", branch]);
  writeFileSync(join(people, file), text);
  git(people, ["add", file]);
  git(people, ["commit", "-q", "-m", message]);
  git(people, ["push", "-q", "origin", branch]);
  return git(people, ["rev-parse", "HEAD"]);
}

/** the first round: the branch cloned, dependencies installed, the checkout backed up */
async function firstRound(): Promise<WorkspaceBackup> {
  await ws.gitCheckout(upstream, BRANCH, DIR);
  writeFileSync(join(ws.host(DIR), "node_modules.marker"), "not ignored, not tracked: a stray file\n");
  execFileSync("mkdir", ["-p", join(ws.host(DIR), "node_modules/dep")]);
  writeFileSync(join(ws.host(DIR), "node_modules/dep/index.js"), "module.exports = 1;\n");
  const saved = await saveCheckout(ws, DIR, "fix-rep_resume1");
  expect(saved.warning).toBeNull();
  expect(saved.backup).not.toBeNull();
  return saved.backup!;
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "fix-resume-"));
  upstream = join(work, "upstream.git");
  people = join(work, "people");
  git(work, ["init", "-q", "--bare", "-b", "main", upstream]);
  git(work, ["init", "-q", "-b", "main", people]);
  git(people, ["remote", "add", "origin", upstream]);
  writeFileSync(join(people, ".gitignore"), "node_modules/\n");
  writeFileSync(join(people, "app.js"), "v1\n");
  git(people, ["add", "."]);
  git(people, ["commit", "-q", "-m", "init"]);
  git(people, ["push", "-q", "-u", "origin", "main"]);
  git(people, ["checkout", "-q", "-b", BRANCH]);
  writeFileSync(join(people, "app.js"), "fixed\n");
  git(people, ["commit", "-q", "-am", "the fix"]);
  git(people, ["push", "-q", "origin", BRANCH]);
  ws = new BackedUpWorkspace();
});

afterEach(() => {
  ws.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe("resumeCheckout", () => {
  it("restores the backup and resets to the pushed head someone moved: no clone, dependencies kept, stray files and stale refs gone", async () => {
    const backup = await firstRound();
    const oldMain = (await ws.exec("git rev-parse refs/remotes/origin/main", { cwd: DIR })).stdout.trim();
    const head = commitAs(BRANCH, "app.js", "fixed by a person\n", "a person's commit on the branch");
    commitAs("main", "other.js", "moved\n", "the base moved");
    await ws.remove(DIR, { recursive: true }); // a new container: nothing left in /workspace
    ws.execs.length = 0;
    const clonesBefore = ws.clones;

    const r = await resumeCheckout(ws, DIR, upstream, BRANCH, backup);
    expect(r).toEqual({ how: "restored", warning: null });
    expect(ws.clones).toBe(clonesBefore);
    expect(ws.restores).toBe(1);
    const commands = ws.execs.map((e) => e.command);
    expect(commands.some((c) => c.includes(" fetch ") && c.includes(`+refs/heads/${BRANCH}:refs/remotes/origin/${BRANCH}`))).toBe(true);
    expect(commands.some((c) => c.includes(` checkout -q -f -B '${BRANCH}' 'refs/remotes/origin/${BRANCH}'`))).toBe(true);
    expect((await ws.exec("git rev-parse HEAD", { cwd: DIR })).stdout.trim()).toBe(head);
    expect((await ws.exec("git rev-parse --abbrev-ref HEAD", { cwd: DIR })).stdout.trim()).toBe(BRANCH);
    expect(readFileSync(join(ws.host(DIR), "app.js"), "utf8")).toBe("fixed by a person\n");
    expect(existsSync(join(ws.host(DIR), "node_modules/dep/index.js"))).toBe(true);
    expect(existsSync(join(ws.host(DIR), "node_modules.marker"))).toBe(false);
    // origin/main as old as the backup is gone: a merge of the base fetches it current
    expect(oldMain).toMatch(/^[0-9a-f]{40}$/);
    expect((await ws.exec("git rev-parse -q --verify refs/remotes/origin/main", { cwd: DIR })).exitCode).not.toBe(0);
    expect((await ws.exec("git status --porcelain", { cwd: DIR })).stdout).toBe("");
  });

  it("in the same container: what an earlier round left in the checkout is gone after the restore", async () => {
    const backup = await firstRound();
    writeFileSync(join(ws.host(DIR), "node_modules/dep/left-by-round-2.js"), "stale\n");
    const r = await resumeCheckout(ws, DIR, upstream, BRANCH, backup);
    expect(r).toEqual({ how: "restored", warning: null });
    expect(existsSync(join(ws.host(DIR), "node_modules/dep/index.js"))).toBe(true);
    expect(existsSync(join(ws.host(DIR), "node_modules/dep/left-by-round-2.js"))).toBe(false);
  });

  it("a restore that fails (expired) clones afresh and says why", async () => {
    const backup = await firstRound();
    const head = commitAs(BRANCH, "app.js", "fixed again\n", "another commit");
    ws.failRestore = new WorkspaceError("backup_expired", "Backup has expired");
    const clonesBefore = ws.clones;
    const r = await resumeCheckout(ws, DIR, upstream, BRANCH, backup);
    expect(r.how).toBe("cloned");
    expect(r.warning).toContain("backup_expired");
    expect(r.warning).toContain(backup.id);
    expect(ws.clones).toBe(clonesBefore + 1);
    expect((await ws.exec("git rev-parse HEAD", { cwd: DIR })).stdout.trim()).toBe(head);
    expect(existsSync(join(ws.host(DIR), "node_modules"))).toBe(false);
  });

  it("a fetch that fails after the restore clones afresh and says why", async () => {
    const backup = await firstRound();
    // the backed-up checkout's origin no longer answers
    execFileSync("git", ["-C", join(ws.store, backup.id), "remote", "set-url", "origin", join(work, "gone.git")]);
    const head = commitAs(BRANCH, "app.js", "fixed again\n", "another commit");
    const r = await resumeCheckout(ws, DIR, upstream, BRANCH, backup);
    expect(r.how).toBe("cloned");
    expect(ws.restores).toBe(1);
    expect(r.warning).toContain("git fetch exited");
    expect(ws.clones).toBe(2);
    expect((await ws.exec("git rev-parse HEAD", { cwd: DIR })).stdout.trim()).toBe(head);
  });

  it("no backup: a fresh clone, no warning", async () => {
    await firstRound();
    const r = await resumeCheckout(ws, DIR, upstream, BRANCH, null);
    expect(r).toEqual({ how: "cloned", warning: null });
    expect(ws.restores).toBe(0);
    expect(ws.clones).toBe(2);
    expect(existsSync(join(ws.host(DIR), "node_modules"))).toBe(false);
  });

  it("a Workspace without backups: the backup is ignored with a warning, and cloned", async () => {
    const plain = new DiskWorkspace();
    try {
      const r = await resumeCheckout(plain, DIR, upstream, BRANCH, { face: "local", id: "x", dir: DIR });
      expect(r.how).toBe("cloned");
      expect(r.warning).toContain("keeps no backups");
      expect(await saveCheckout(plain, DIR, "n")).toEqual({ backup: null, warning: null });
    } finally {
      plain.dispose();
    }
  });
});

describe("saveCheckout", () => {
  it("never backs up a checkout whose origin URL carries a credential", async () => {
    await ws.gitCheckout(upstream, BRANCH, DIR);
    await ws.exec("git remote set-url origin https://x-access-token:ghs_secret@github.com/shop/web.git", { cwd: DIR });
    const saved = await saveCheckout(ws, DIR, "fix-rep_resume1");
    expect(saved.backup).toBeNull();
    expect(saved.warning).toContain("not backed up");
    await ws.exec("git remote set-url origin https://github.com/shop/web.git", { cwd: DIR });
    expect((await saveCheckout(ws, DIR, "fix-rep_resume1")).backup).not.toBeNull();
  });

  it("a backup that fails only warns", async () => {
    await ws.gitCheckout(upstream, BRANCH, DIR);
    ws.backup = async () => {
      throw new WorkspaceError("backup_create_failed", "R2 down");
    };
    const saved = await saveCheckout(ws, DIR, "n");
    expect(saved.backup).toBeNull();
    expect(saved.warning).toContain("backup_create_failed");
  });
});
