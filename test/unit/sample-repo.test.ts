/**
 * scripts/local/make-sample-repo.ts, run as the demo will run it: the CLI
 * builds the sample app as a git repository; the repository is then read
 * with git and its own test command. Checks the history (commit count,
 * authors, the bot touching only package.json, deterministic ids), that the
 * app's test command passes on main with exactly the six tests of the six
 * bugs reported as known failures (`not ok … # TODO`), that each bug's
 * commit brings its TODO marker while its test passed unmarked the commit
 * before, that each bug line is blamed on the person who wrote it, and that
 * the history before the first bug is green with no TODO.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSampleRepo, SAMPLE_BUGS } from "../../scripts/local/make-sample-repo";

const root = join(__dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");

const EXPECTED_TODO = [
  "a plural query finds products named in the singular",
  "a workspace named 'Acme Corp' is created as acme-corp",
  "signing in with an up-to-date hash derives the key once and keeps the hash",
  "the CSV export is UTF-8 with a BOM, so accented names survive",
  "the payment page opens for a session that has no cart",
  "variant B's trial button records the click and opens signup",
];

/** [file, a line of it, the author git blame must name] */
const EXPECTED_BLAME: [string, string, string][] = [
  ["src/checkout/cart.js", "  if (!session.cartId) return null;", "Maya Chen"],
  ["src/auth/password.js", "  return parsed === null || parsed.iterations !== iterations;", "Tomás Ruiz"],
  ["src/onboarding/api.js", "name: displayName.trim()", "Priya Natarajan"],
  ["src/pricing/variant-b.js", '  trackTrialClick(ctx.events, "b");', "Priya Natarajan"],
  ["src/search/index.js", "  const wanted = tokenize(query);", "Ben Okafor"],
  ["src/reports/export.js", 'Buffer.from(ordersCsv(orders), "latin1")', "Ben Okafor"],
  // lines from before the bugs keep their first author
  ["src/search/index.js", "export function stem(word) {", "Ben Okafor"],
  ["src/checkout/totals.js", "  const lines = cart.items;", "Maya Chen"],
];

const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GIT_")));
const gitEnv = { ...baseEnv, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", env: gitEnv });

/**
 * The app's tests by outcome, from node's TAP output (top-level tests only):
 * passed, failed, and `todo` — tests marked `{ todo }` that fail (`not ok N -
 * name # TODO reason`; they do not fail the run). A marked test that passes
 * counts as passed and is listed in `todoPassed`.
 */
function runAppTests(cwd: string): { status: number | null; passed: string[]; failed: string[]; todo: string[]; todoPassed: string[] } {
  const run = spawnSync(process.execPath, ["--test", "--test-reporter=tap"], { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  const passed: string[] = [];
  const failed: string[] = [];
  const todo: string[] = [];
  const todoPassed: string[] = [];
  for (const line of run.stdout.split("\n")) {
    const m = /^(not ok|ok) \d+ - (.*?)( # TODO\b.*)?$/.exec(line);
    if (!m) continue;
    if (m[1] === "ok") (m[3] ? todoPassed : passed).push(m[2]);
    else (m[3] ? todo : failed).push(m[2]);
  }
  passed.push(...todoPassed);
  return { status: run.status, passed: passed.sort(), failed: failed.sort(), todo: todo.sort(), todoPassed: todoPassed.sort() };
}

/** The author git blame names for the one line of `file` that contains `text`. */
function blameAuthor(cwd: string, file: string, text: string): string {
  const porcelain = git(cwd, "blame", "--line-porcelain", "--", file);
  const authors: string[] = [];
  let author = "";
  for (const line of porcelain.split("\n")) {
    if (line.startsWith("author ")) author = line.slice("author ".length);
    else if (line.startsWith("\t") && line.slice(1).includes(text)) authors.push(author);
  }
  expect(authors, `${file}: lines containing ${JSON.stringify(text)}`).toHaveLength(1);
  return authors[0];
}

describe("make-sample-repo", () => {
  let parent: string;
  let repo: string;

  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), "sample-repo-test-"));
    const out = execFileSync(tsx, [join(root, "scripts/local/make-sample-repo.ts"), join(parent, "shop")], { encoding: "utf8" });
    repo = out.trim();
  });
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it("prints the path of a git repository on branch main with a clean tree", () => {
    expect(repo).toBe(join(parent, "shop"));
    expect(git(repo, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("main");
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("has 14 commits by four people and dependabot, the bot touching only package.json", () => {
    const log = git(repo, "log", "--format=%an|%ae").trim().split("\n");
    expect(log).toHaveLength(14);
    const authors = new Map<string, number>();
    for (const l of log) authors.set(l, (authors.get(l) ?? 0) + 1);
    expect([...authors.keys()].sort()).toEqual([
      "Ben Okafor|ben.okafor@shop.example",
      "Maya Chen|maya.chen@shop.example",
      "Priya Natarajan|priya.natarajan@shop.example",
      "Tomás Ruiz|tomas.ruiz@shop.example",
      "dependabot[bot]|49699333+dependabot[bot]@users.noreply.github.com",
    ]);
    const botCommits = git(repo, "log", "--author=dependabot", "--format=%H").trim().split("\n");
    expect(botCommits).toHaveLength(1);
    expect(git(repo, "show", "--name-only", "--format=", botCommits[0]).trim()).toBe("package.json");
    expect(git(repo, "show", "--format=", botCommits[0])).toContain('+    "prettier": "3.3.3"');
  });

  it("the app's test command passes on main, with exactly the six bug tests failing as known bugs (# TODO)", () => {
    const { status, passed, failed, todo, todoPassed } = runAppTests(repo);
    expect(failed).toEqual([]);
    expect(status).toBe(0);
    expect(todo).toEqual(EXPECTED_TODO);
    expect(todoPassed).toEqual([]);
    expect(passed).toHaveLength(11);
    expect(SAMPLE_BUGS.map((b) => b.failingTest).sort()).toEqual(EXPECTED_TODO);
  });

  it("git blame names the author of each bug line", () => {
    for (const [file, text, author] of EXPECTED_BLAME) {
      expect(blameAuthor(repo, file, text), `${file}: ${text}`).toBe(author);
    }
  });

  it("each bug's commit is the one that breaks its test; before the first bug every test passes", () => {
    const subjects = git(repo, "log", "--reverse", "--format=%H %an").trim().split("\n").map((l) => l.split(" "));
    const firstBug = Math.min(...SAMPLE_BUGS.map((b) => b.commit));
    expect(firstBug).toBe(8);
    for (const bug of SAMPLE_BUGS) {
      const [hash] = subjects[bug.commit];
      expect(git(repo, "show", "--name-only", "--format=", hash).split("\n")).toContain(bug.file);
    }
    git(repo, "checkout", "--quiet", subjects[firstBug - 1][0]);
    try {
      const before = runAppTests(repo);
      expect(before.failed).toEqual([]);
      expect(before.todo).toEqual([]);
      expect(before.status).toBe(0);
      expect(before.passed).toHaveLength(15);
    } finally {
      git(repo, "checkout", "--quiet", "main");
    }
  });

  it("each bug's commit marks its test as a known bug; the commit before, the test passed unmarked (or did not exist yet)", () => {
    const hashes = git(repo, "log", "--reverse", "--format=%H").trim().split("\n");
    const marker = (name: string) => `test(${JSON.stringify(name)}, { todo: "known bug: `;
    try {
      for (const bug of SAMPLE_BUGS) {
        git(repo, "checkout", "--quiet", hashes[bug.commit - 1]);
        const before = runAppTests(repo);
        expect(before.failed, `before ${bug.id}`).toEqual([]);
        expect(before.todo, `before ${bug.id}`).not.toContain(bug.failingTest);
        if (bug.id === "pricing-variant-b-reference-error") expect(before.passed).not.toContain(bug.failingTest);
        else expect(before.passed, `before ${bug.id}`).toContain(bug.failingTest);

        git(repo, "checkout", "--quiet", hashes[bug.commit]);
        const at = runAppTests(repo);
        expect(at.status, `at ${bug.id}`).toBe(0);
        expect(at.failed, `at ${bug.id}`).toEqual([]);
        expect(at.todo, `at ${bug.id}`).toContain(bug.failingTest);
        const testFiles = git(repo, "show", "--name-only", "--format=", hashes[bug.commit]).split("\n").filter((f) => f.startsWith("test/"));
        const diff = git(repo, "show", "--format=", hashes[bug.commit], "--", ...testFiles);
        expect(diff, `${bug.id}: the commit adds the todo marker`).toContain(`+${marker(bug.failingTest)}`);
      }
    } finally {
      git(repo, "checkout", "--quiet", "main");
    }
  });

  it("is deterministic: a second build has the same commit ids", () => {
    const again = makeSampleRepo();
    try {
      expect(git(again, "log", "--format=%H")).toBe(git(repo, "log", "--format=%H"));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it("refuses a directory that is not empty", () => {
    const busy = join(parent, "busy");
    execFileSync("mkdir", [busy]);
    writeFileSync(join(busy, "x"), "");
    expect(() => makeSampleRepo(busy)).toThrow(/is not empty/);
  });
});
