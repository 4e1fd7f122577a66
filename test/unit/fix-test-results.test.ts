/**
 * Reading test output (workers/fix/test-results.ts): counts and failing names
 * from the common reporters, and the baseline/after comparison the "fixed"
 * rule uses. Output samples are written from each tool's documented format.
 */
import { describe, expect, it } from "vitest";
import { compareRuns, countsLine, readTestOutput } from "../../workers/fix/test-results";

const run = (exitCode: number | null, output: string) => ({ command: "npm test", exitCode, output });

describe("readTestOutput", () => {
  it("TAP (node --test without a TTY): not ok lines and # pass / # fail; TODO and SKIP are not failures", () => {
    const out = ["ok 1 - adds", "not ok 2 - rounds half to even", "not ok 3 - later # TODO not yet", "# tests 3", "# pass 1", "# fail 1"].join("\n");
    expect(readTestOutput(out)).toEqual({ passed: 1, failed: 1, failing: ["rounds half to even"] });
  });
  it("node --test's TAP with subtests: the summary line the local CI shows", () => {
    const tap = ["TAP version 13", "# Subtest: fields are quoted", "ok 1 - fields are quoted", "# Subtest: the CSV export is UTF-8 with a BOM", "not ok 2 - the CSV export is UTF-8 with a BOM", "  ---", "  duration_ms: 1.2", "  ...", "    not ok 1 - a nested one # TODO later", "1..2", "# tests 2", "# pass 1", "# fail 1", "# skipped 0"].join("\n");
    const r = readTestOutput(tap);
    expect(r.failing).toEqual(["the CSV export is UTF-8 with a BOM"]);
    expect(countsLine(r)).toBe("1 passed, 1 failed");
    expect(countsLine(readTestOutput("make: *** [test] Error 1"))).toBeNull();
  });
  it("node's spec reporter", () => {
    const out = ["✔ adds (0.5ms)", "✖ rounds half to even (1.2ms)", "ℹ tests 2", "ℹ pass 1", "ℹ fail 1", "✖ failing tests:", "", "✖ rounds half to even (1.2ms)"].join("\n");
    expect(readTestOutput(out)).toEqual({ passed: 1, failed: 1, failing: ["rounds half to even"] });
  });
  it("vitest, pytest and go (timings dropped, so names match across runs)", () => {
    expect(readTestOutput(" × totals > rounds once 3ms\n Tests  1 failed | 9 passed (10)")).toEqual({ passed: 9, failed: 1, failing: ["totals > rounds once"] });
    expect(readTestOutput("FAILED tests/test_cart.py::test_total - AssertionError\n==== 1 failed, 4 passed in 0.12s ====").failing).toEqual(["tests/test_cart.py::test_total - AssertionError"]);
    expect(readTestOutput("--- FAIL: TestTotal (0.00s)\nFAIL\n").failing).toEqual(["TestTotal"]);
  });
  it("is linear on a long hostile line", () => {
    const line = "not ok 1 " + "- ".repeat(200_000);
    const t = Date.now();
    readTestOutput(line + "\n" + "✖ ".repeat(200_000));
    expect(Date.now() - t).toBeLessThan(5_000);
  });
});

describe("compareRuns", () => {
  const base = run(1, "ok 1 - a\nnot ok 2 - b\n# pass 1\n# fail 1");
  it("a failure that goes away is now passing; nothing new fails", () => {
    expect(compareRuns(base, run(0, "ok 1 - a\nok 2 - b\n# pass 2\n# fail 0"))).toEqual({ newFailures: [], nowPassing: ["b"], noNewFailures: true, green: true });
  });
  it("a test that passed and fails now is a new failure", () => {
    const c = compareRuns(base, run(1, "not ok 1 - a\nok 2 - b\n# pass 1\n# fail 1"));
    expect(c.newFailures).toEqual(["a"]);
    expect(c.noNewFailures).toBe(false);
  });
  it("a run that did not finish never counts as no new failures", () => {
    expect(compareRuns(base, run(null, "")).noNewFailures).toBe(false);
  });
  it("without names, a red run counts as no new failures only with no more failures than a red baseline", () => {
    expect(compareRuns(run(1, "Tests  2 failed | 3 passed"), run(1, "Tests  1 failed | 4 passed")).noNewFailures).toBe(true);
    expect(compareRuns(run(1, "Tests  1 failed | 4 passed"), run(1, "Tests  2 failed | 3 passed")).noNewFailures).toBe(false);
    expect(compareRuns(run(0, "Tests  5 passed"), run(1, "exit 1, no summary")).noNewFailures).toBe(false);
  });
});
