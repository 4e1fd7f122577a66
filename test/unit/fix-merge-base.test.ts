/**
 * Merging the moved base branch into the fix branch (workers/fix/merge-base.ts)
 * on real checkouts of the sample app (DiskWorkspace: real git, the app's real
 * `node --test`): an upstream repository with main and the fix branch, the
 * base moved by a second clone, the checkout made fresh from the upstream as
 * the fix run makes it. Scripted fixers stand in for the agent.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { DiskWorkspace } from "../../evals/host-workspace";
import { makeSampleRepo, removeSampleRepo } from "../../scripts/local/make-sample-repo";
import { FixerStopped, type Fixer, type FixInput } from "../../workers/fix/fixer";
import { conflictHunks, mergeBase, plainBranch } from "../../workers/fix/merge-base";
import { runTests } from "../../workers/fix/write-fix";
import { emptyRecord, pluralSearchResearch, scriptedFixer } from "./scripted-fixer";

const DIR = "/workspace/repo";
const BRANCH = "nightshift/rep_merge1";
const LINE = "  const wanted = tokenize(query);";
const FIXED = "  const wanted = terms(query);";
const research = pluralSearchResearch(63, LINE.trim());

const sample = makeSampleRepo();
let work: string;
let upstream: string;
let people: string;
let ws: DiskWorkspace;

const git = (cwd: string, args: string[]) => execFileSync("git", ["-c", "user.name=Maya Chen", "-c", "user.email=maya@shop.example", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8", env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" } }).trim();

/** a person's commit on `branch` of the upstream: `edit` the file, commit, push */
function commitAs(branch: string, file: string, edit: (text: string) => string, message: string): string {
  git(people, ["checkout", "-q", branch]);
  git(people, ["pull", "-q", "--ff-only", "origin", branch]);
  const path = join(people, file);
  writeFileSync(path, edit(readFileSync(path, "utf8")));
  git(people, ["commit", "-q", "-am", message]);
  git(people, ["push", "-q", "origin", branch]);
  return git(people, ["rev-parse", "HEAD"]);
}

const record = emptyRecord;

function scripted(edit: (input: FixInput) => Promise<void>): Fixer & { seen: FixInput[] } {
  return scriptedFixer(edit, { summary: "Keeps both sides", root_cause: "the base moved", tests: ["test/search.test.js"], commit_message: "Resolve the merge" });
}

const never: Fixer = {
  name: "never",
  async fix() {
    throw new Error("a clean merge needs no fixer");
  },
};

async function checkout(): Promise<void> {
  await ws.gitCheckout(upstream, BRANCH, DIR);
}

const input = () => ({ reportId: "rep_merge1", research, signals: [], workspace: ws, dir: DIR, testCommand: "node --test" });
const baseline = async () => runTests(ws, DIR, "node --test", 120_000);

beforeEach(() => {
  ws?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
  work = mkdtempSync(join(tmpdir(), "fix-merge-base-"));
  upstream = join(work, "upstream.git");
  people = join(work, "people");
  git(work, ["clone", "-q", "--bare", sample, upstream]);
  git(work, ["clone", "-q", upstream, people]);
  // the fix branch: the pull request's head, one commit on main
  git(people, ["checkout", "-q", "-b", BRANCH]);
  const path = join(people, "src/search/index.js");
  writeFileSync(path, readFileSync(path, "utf8").replace(LINE, FIXED));
  git(people, ["commit", "-q", "-am", "Stem search queries"]);
  git(people, ["push", "-q", "origin", BRANCH]);
  ws = new DiskWorkspace();
});

afterAll(() => {
  ws?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
  removeSampleRepo(sample);
});

describe("mergeBase", () => {
  it("clean: a merge commit with both parents; the base's own package.json change is not the pull request's (the guard allows it)", async () => {
    const base = commitAs("main", "package.json", (t) => t.replace('"version": "4.2.0"', '"version": "4.3.0"'), "Release 4.3.0");
    await checkout();
    const head = (await ws.exec("git rev-parse HEAD", { cwd: DIR })).stdout.trim();
    const a = await mergeBase(never, input(), { base: "main", branch: BRANCH, baseline: await baseline() });
    expect(a.outcome, a.reason).toBe("merged");
    expect(a.reason).toContain("cleanly");
    expect(a.conflicts).toEqual([]);
    expect(a.changes.map((c) => c.path)).toEqual(["src/search/index.js"]);
    expect(a.guard?.allow).toBe(true);
    const parents = (await ws.exec(`git rev-list --parents -n 1 ${a.commit}`, { cwd: DIR })).stdout.trim().split(" ");
    expect(parents).toEqual([a.commit, head, base]);
    expect((await ws.exec(`git log -1 --format=%an%n%s ${a.commit}`, { cwd: DIR })).stdout.trim()).toBe(`nightshift\nMerge main into ${BRANCH}`);
    expect(a.after?.exitCode).toBe(0);
  });

  it("up to date: nothing to merge, nothing to push", async () => {
    await checkout();
    const a = await mergeBase(never, input(), { base: "main", branch: BRANCH, baseline: null });
    expect(a.outcome).toBe("up_to_date");
    expect(a.commit).toBeNull();
  });

  it("conflicts: the fixer sees each conflicted file with its markers, resolves them, and the commit concludes the merge", async () => {
    const base = commitAs("main", "src/search/index.js", (t) => t.replace(LINE, "  const wanted = tokenize(query.trim());"), "Trim search queries");
    await checkout();
    const head = (await ws.exec("git rev-parse HEAD", { cwd: DIR })).stdout.trim();
    const fixer = scripted(async (i) => {
      const file = `${DIR}/src/search/index.js`;
      const text = await ws.readFile(file);
      const start = text.indexOf("<<<<<<<");
      const end = text.indexOf("\n", text.indexOf(">>>>>>>")) + 1;
      await ws.writeFile(file, `${text.slice(0, start)}  const wanted = terms(query.trim());\n${text.slice(end)}`);
      expect(i.feedback).toHaveLength(1);
    });
    const a = await mergeBase(fixer, input(), { base: "main", branch: BRANCH, baseline: await baseline() });
    expect(a.outcome, a.reason).toBe("merged");
    expect(a.conflicts).toEqual(["src/search/index.js"]);
    const fb = fixer.seen[0]!.feedback![0]!;
    expect(fb).toMatchObject({ kind: "conflict", from: "merge of main", path: "src/search/index.js" });
    expect(fb.text).toContain("src/search/index.js: both sides changed it");
    expect(fb.text).toContain("<<<<<<< HEAD");
    expect(fb.text).toContain(FIXED);
    expect(fb.text).toContain("tokenize(query.trim())");
    expect(fb.text).toContain(">>>>>>> refs/remotes/origin/main");
    const parents = (await ws.exec(`git rev-list --parents -n 1 ${a.commit}`, { cwd: DIR })).stdout.trim().split(" ");
    expect(parents).toEqual([a.commit, head, base]);
    const body = (await ws.exec(`git log -1 --format=%B ${a.commit}`, { cwd: DIR })).stdout;
    expect(body).toContain(`Merge main into ${BRANCH}`);
    expect(body).toContain("Conflicts resolved: src/search/index.js");
    expect(body).toContain("Report: rep_merge1");
    expect((await ws.readFile(`${DIR}/src/search/index.js`))).toContain("const wanted = terms(query.trim());");
    // the guard saw the pull request's change relative to the new base: one line of one file
    expect(a.changes).toEqual([expect.objectContaining({ path: "src/search/index.js", added: 1, deleted: 1 })]);
    expect((await ws.exec("git status --porcelain", { cwd: DIR })).stdout).toBe("");
  });

  it("unresolved: markers left, the merge aborted, or the fixer stopped → conflict_unresolved, nothing committed", async () => {
    commitAs("main", "src/search/index.js", (t) => t.replace(LINE, "  const wanted = tokenize(query.trim());"), "Trim search queries");
    await checkout();
    const left = await mergeBase(scripted(async () => {}), input(), { base: "main", branch: BRANCH, baseline: null });
    expect(left).toMatchObject({ outcome: "conflict_unresolved", commit: null, reason: "conflict markers are left in src/search/index.js" });

    await ws.remove(DIR, { recursive: true });
    await checkout();
    const aborted = await mergeBase(scripted(async () => void (await ws.exec("git merge --abort", { cwd: DIR }))), input(), { base: "main", branch: BRANCH, baseline: null });
    expect(aborted.outcome).toBe("conflict_unresolved");
    expect(aborted.reason).toContain("aborted or committed");

    await ws.remove(DIR, { recursive: true });
    await checkout();
    const stopper: Fixer = {
      name: "stopper",
      async fix() {
        throw new FixerStopped("budget_tool_calls", "the fix agent stopped (budget): 60 tool calls", record());
      },
    };
    const stopped = await mergeBase(stopper, input(), { base: "main", branch: BRANCH, baseline: null });
    expect(stopped).toMatchObject({ outcome: "conflict_unresolved", conflicts: ["src/search/index.js"] });
    expect(stopped.reason).toBe("src/search/index.js: the fix agent stopped (budget): 60 tool calls");
    expect(stopped.run).not.toBeNull();
  });

  it("a resolution that takes the base's side alone drops the fix: no_changes, nothing committed", async () => {
    commitAs("main", "src/search/index.js", (t) => t.replace(LINE, "  const wanted = tokenize(query.trim());"), "Trim search queries");
    await checkout();
    const theirs = scripted(async () => void (await ws.exec("git checkout --theirs -- src/search/index.js", { cwd: DIR })));
    const a = await mergeBase(theirs, input(), { base: "main", branch: BRANCH, baseline: null });
    expect(a.outcome).toBe("no_changes");
    expect(a.commit).toBeNull();
  });

  it("refuses a base name that is not a plain branch", async () => {
    await checkout();
    for (const bad of ["--upload-pack=x", "a..b", "main;rm -rf /", "x/"]) {
      expect(plainBranch(bad)).toBe(false);
      await expect(mergeBase(never, input(), { base: bad, branch: BRANCH, baseline: null })).rejects.toThrow("not a plain branch name");
    }
  });
});

describe("conflictHunks", () => {
  it("keeps each conflict with three lines of context, numbered; cuts at the cap", () => {
    const text = ["a", "b", "c", "d", "e", "<<<<<<< HEAD", "ours", "=======", "theirs", ">>>>>>> origin/main", "f", "g", "h", "i", "j"].join("\n");
    expect(conflictHunks(text)).toBe(["3: c", "4: d", "5: e", "6: <<<<<<< HEAD", "7: ours", "8: =======", "9: theirs", "10: >>>>>>> origin/main", "11: f", "12: g", "13: h"].join("\n"));
    expect(conflictHunks("no conflict here\n=======\n")).toBe("");
    const huge = `<<<<<<< HEAD\n${"x\n".repeat(10_000)}=======\n>>>>>>> b`;
    expect(conflictHunks(huge, 100)).toMatch(/\[… \d+ characters cut\]$/);
  });
  it("an unclosed conflict runs to the end of the file; marker-like text inside a line is no marker", () => {
    expect(conflictHunks("x\n<<<<<<< HEAD\nours")).toBe("1: x\n2: <<<<<<< HEAD\n3: ours");
    expect(conflictHunks("a <<<<<<< b\n<<<<<<<<x\n")).toBe("");
  });
});
