/**
 * The fix procedure (workers/fix/write-fix.ts) on a real checkout of the
 * sample app (DiskWorkspace: real git, the app's real `node --test`), with
 * scripted fixers that edit the checkout as an agent would. The agent face
 * itself is tested against the Messages API fake (fix-agent.test.ts); here:
 * the baseline, the outcome rules (fixed, guard refused, new failures, not
 * covered, no changes, fixer stopped, no test command), and the commit.
 *
 * The app's main is green: each bug's test is marked as a known bug
 * (`{ todo }`, reported `not ok … # TODO`, not a failure). So a fix is
 * covered by changing the test the agent names — removing the marker — and
 * a marker removed without the fix is a new failure.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { DiskWorkspace } from "../../evals/host-workspace";
import { makeSampleRepo, removeSampleRepo } from "../../scripts/local/make-sample-repo";
import { FixerStopped, type FixAnswer, type Fixer, type FixInput } from "../../workers/fix/fixer";
import { isTestPath, writeFix } from "../../workers/fix/write-fix";
import { emptyRecord, pluralSearchResearch, scriptedFixer } from "./scripted-fixer";

const DIR = "/workspace/repo";
const PLURAL_TEST = "a plural query finds products named in the singular";
const repo = makeSampleRepo();
let ws: DiskWorkspace;

const research = pluralSearchResearch(62, "const wanted = tokenize(query);");

const record = emptyRecord;

/** a fixer that runs `edit` in the checkout and answers `answer` */
function scripted(edit: (input: FixInput) => Promise<void>, answer: Partial<FixAnswer> = {}): Fixer & { seen: FixInput[] } {
  return scriptedFixer(edit, { summary: "Stem the query's words", root_cause: "search() tokenized the query without stemming", tests: ["test/search.test.js"], commit_message: "Stem search queries like the index", ...answer });
}

async function replaceIn(path: string, from: string, to: string) {
  const text = await ws.readFile(`${DIR}/${path}`);
  expect(text).toContain(from);
  await ws.writeFile(`${DIR}/${path}`, text.replace(from, to));
}

const stemQuery = () => replaceIn("src/search/index.js", "const wanted = tokenize(query);", "const wanted = terms(query);");
const unmarkPluralTest = () => replaceIn("test/search.test.js", `test("${PLURAL_TEST}", { todo: "known bug: plural queries find nothing" }, `, `test("${PLURAL_TEST}", `);
const stemQueryAndUnmark = async () => {
  await stemQuery();
  await unmarkPluralTest();
};
const input = (testCommand: string | null = "node --test") => ({ reportId: "rep_fix1", research, signals: [], workspace: ws, dir: DIR, testCommand });

beforeEach(async () => {
  ws?.dispose();
  ws = new DiskWorkspace();
  await ws.gitCheckout(repo, undefined, DIR);
  await ws.exec("git checkout -q -b nightshift/rep_fix1", { cwd: DIR });
});

afterAll(() => {
  ws?.dispose();
  removeSampleRepo(repo);
});

describe("writeFix", () => {
  it("fixed: the report's known-bug test passes unmarked, nothing new fails, one commit by nightshift with the report in it", async () => {
    const fixer = scripted(stemQueryAndUnmark);
    const a = await writeFix(fixer, input());
    expect(a.outcome, a.reason).toBe("fixed");
    // main is green; the bug's test is a known failure (# TODO), not a failure
    expect(fixer.seen[0]!.baseline?.exitCode).toBe(0);
    expect(fixer.seen[0]!.baseline?.output).toMatch(new RegExp(`not ok \\d+ - ${PLURAL_TEST} # TODO`));
    expect(a.reason).toContain("tests changed: test/search.test.js");
    expect(a.comparison).toMatchObject({ nowPassing: [], newFailures: [], green: true });
    expect(a.after?.output).toMatch(new RegExp(`^ok \\d+ - ${PLURAL_TEST}$`, "m"));
    expect(a.changes).toEqual([
      expect.objectContaining({ path: "src/search/index.js", status: "modified", added: 1, deleted: 1 }),
      expect.objectContaining({ path: "test/search.test.js", status: "modified", added: 1, deleted: 1 }),
    ]);
    const log = await ws.exec("git log -1 --format=%H%n%an%n%ae%n%B", { cwd: DIR });
    const [sha, name, email, subject, , trailer] = log.stdout.split("\n");
    expect(sha).toBe(a.commit);
    expect([name, email]).toEqual(["nightshift", "nightshift@users.noreply.github.com"]);
    expect(subject).toBe("Stem search queries like the index");
    expect(trailer).toBe("Report: rep_fix1");
    expect((await ws.exec("git status --porcelain", { cwd: DIR })).stdout).toBe("");
  });

  it("fixed by a new test the agent names, when no test failed before", async () => {
    const fixer = scripted(
      async () => {
        await ws.writeFile(`${DIR}/test/search-more.test.js`, `import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { stem } from "../src/search/index.js";\ntest("boots stem to boot", () => assert.equal(stem("boots"), "boot"));\n`);
      },
      { tests: ["test/search-more.test.js"] },
    );
    const a = await writeFix(fixer, input());
    expect(a.outcome, a.reason).toBe("fixed");
    expect(a.comparison!.nowPassing).toEqual([]);
  });

  it("new_failures: removing the known-bug marker without the fix", async () => {
    const a = await writeFix(scripted(unmarkPluralTest), input());
    expect(a.outcome).toBe("new_failures");
    expect(a.comparison!.newFailures).toEqual([PLURAL_TEST]);
    expect(a.commit).toBeNull();
  });

  it("not_covered: the fix without removing the marker (the test passes as # TODO; no test changed)", async () => {
    const a = await writeFix(scripted(stemQuery), input());
    expect(a.outcome).toBe("not_covered");
    expect(a.after?.output).toMatch(new RegExp(`^ok \\d+ - ${PLURAL_TEST} # TODO`, "m"));
    expect(a.commit).toBeNull();
  });

  it("guard_refused: a workflow edit is never committed", async () => {
    const fixer = scripted(async () => {
      await stemQueryAndUnmark();
      await ws.mkdir(`${DIR}/.github/workflows`, { recursive: true });
      await ws.writeFile(`${DIR}/.github/workflows/ci.yml`, "on: push\njobs: {}\n");
    });
    const a = await writeFix(fixer, input());
    expect(a.outcome).toBe("guard_refused");
    expect(a.reason).toContain(".github/workflows/ci.yml (ci_config)");
    expect(a.commit).toBeNull();
    expect((await ws.exec("git rev-list --count HEAD", { cwd: DIR })).stdout.trim()).toBe((await ws.exec("git rev-list --count main", { cwd: DIR })).stdout.trim());
  });

  it("new_failures: a test that passed before fails now", async () => {
    const fixer = scripted(async () => {
      await stemQuery();
      await replaceIn("src/search/index.js", 'if (wanted.length === 0) return [];', 'if (wanted.length === 0) return ["oops"];');
    });
    const a = await writeFix(fixer, input());
    expect(a.outcome).toBe("new_failures");
    expect(a.comparison!.newFailures).toEqual(["a query finds every product whose name has its words"]);
    expect(a.reason).toContain("a query finds every product whose name has its words");
    expect(a.commit).toBeNull();
  });

  it("not_covered: a change no test covers is not a fix", async () => {
    const fixer = scripted(() => replaceIn("src/search/index.js", "Lower-cased words of a text.", "Lower-cased words of a text, split on anything else."));
    const a = await writeFix(fixer, input());
    expect(a.outcome).toBe("not_covered");
    expect(a.commit).toBeNull();
  });

  it("no_changes, fixer_stopped (its run kept), and no test command", async () => {
    expect((await writeFix(scripted(async () => {}), input())).outcome).toBe("no_changes");
    const stopped: Fixer = {
      name: "stops",
      async fix() {
        throw new FixerStopped("budget_tool_calls", "the fix agent stopped (budget_tool_calls)", { ...record(), stop_reason: "budget_tool_calls", tool_calls: 60 });
      },
    };
    const s = await writeFix(stopped, input());
    expect(s.outcome).toBe("fixer_stopped");
    expect(s.run?.tool_calls).toBe(60);
    const none = await writeFix(scripted(stemQueryAndUnmark), input(null));
    expect(none.outcome).toBe("tests_unavailable");
    expect(none.reason).toContain("test_command");
  });
});

describe("isTestPath", () => {
  it.each([
    ["test/search.test.js", true],
    ["src/search/index.test.ts", true],
    ["src/__tests__/a.js", true],
    ["tests/test_search.py", true],
    ["pkg/search_test.go", true],
    ["spec/search_spec.rb", true],
    ["src/search/index.js", false],
    ["src/testing/helpers.js", false],
    ["contest/entry.js", false],
  ])("%s → %s", (p, want) => expect(isTestPath(p)).toBe(want));
});
