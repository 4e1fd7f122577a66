/**
 * scripts/local/make-sample-repo.ts, run as the demo will run it: the CLI
 * builds the sample app as a git repository; the repository is then read
 * with git and its own test command. Checks the history (commit count,
 * authors, the bot touching only package.json, deterministic ids), that the
 * app's tests fail with exactly the six tests of the six bugs, that each bug
 * line is blamed on the person who wrote it, and that the history before
 * the first bug is green.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSampleRepo, SAMPLE_BUGS } from "../../scripts/local/make-sample-repo";

const root = join(__dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");

const EXPECTED_FAILING = [
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

/** The app's tests by outcome, from node's TAP output (top-level tests only). */
function runAppTests(cwd: string): { status: number | null; passed: string[]; failed: string[] } {
  const run = spawnSync(process.execPath, ["--test", "--test-reporter=tap"], { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  const passed: string[] = [];
  const failed: string[] = [];
  for (const line of run.stdout.split("\n")) {
    const m = /^(not ok|ok) \d+ - (.*)$/.exec(line);
    if (m) (m[1] === "ok" ? passed : failed).push(m[2]);
  }
  return { status: run.status, passed: passed.sort(), failed: failed.sort() };
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

  it("the app's test command fails with exactly the six bug tests", () => {
    const { status, passed, failed } = runAppTests(repo);
    expect(status).not.toBe(0);
    expect(failed).toEqual(EXPECTED_FAILING);
    expect(passed.length).toBeGreaterThanOrEqual(10);
    expect(SAMPLE_BUGS.map((b) => b.failingTest).sort()).toEqual(EXPECTED_FAILING);
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
      expect(before.status).toBe(0);
      expect(before.passed).toHaveLength(15);
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
