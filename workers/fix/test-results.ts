/**
 * What a test run's output says, for the fix loop's "fixed" rule: counts and
 * the names of failing tests, read from the common reporters — TAP (node
 * --test without a TTY, tape: `not ok 3 - name`, `# pass 5` / `# fail 1`),
 * node's spec reporter (`✖ name`, `ℹ pass 5`), vitest/jest (`FAIL file >
 * name`, `× name`, `✕ name`, `● suite › name`), pytest (`FAILED path::name`),
 * go (`--- FAIL: Name`) — with pr-body's `parseCounts` for summary lines the
 * names do not give. Linear: each line is cut to 500 characters and matched by
 * prefix checks and one bounded regular expression.
 *
 * `compareRuns(baseline, after)` is the rule: new failures are failing names
 * after that were not failing before (by name; without names, a higher
 * failure count); a run that could not run (no exit code, timed out) is never
 * "no new failures".
 */
import { parseCounts, type TestRun } from "./pr-body";

export interface TestResults {
  passed: number | null;
  failed: number | null;
  /** names of failing tests, as printed (deduplicated, at most 200) */
  failing: string[];
}

const MAX_NAMES = 200;
const MAX_LINE = 500;

/** a failing test's name from one line of output, or null */
function failingName(raw: string): string | null {
  const line = raw.slice(0, MAX_LINE).trimStart();
  const tap = /^not ok \d{1,9}(?: -)? (.+?)(?: # (?:TODO|SKIP)\b.*)?$/.exec(line);
  if (tap) return /# (TODO|SKIP)\b/i.test(line) ? null : tap[1]!.trim();
  for (const mark of ["✖ ", "× ", "✕ ", "FAIL ", "FAILED ", "--- FAIL: ", "● "]) {
    if (line.startsWith(mark)) {
      const name = line.slice(mark.length).replace(/\s+(?:\(\d{1,9}(?:\.\d{1,9})?\s?m?s\)|\d{1,9}(?:\.\d{1,9})?\s?m?s)$/, "").trim();
      // the spec reporter's summary header and vitest's file-level "FAIL  file" lines say nothing by themselves
      if (!name || name === "failing tests:" || /^\d+ (?:failed|failing)/.test(name)) return null;
      return name;
    }
  }
  return null;
}

export function readTestOutput(output: string): TestResults {
  const lines = output.split("\n");
  const failing = new Set<string>();
  let tapPass: number | null = null;
  let tapFail: number | null = null;
  for (const raw of lines) {
    const name = failingName(raw);
    if (name && failing.size < MAX_NAMES) failing.add(name);
    const line = raw.slice(0, MAX_LINE).trim();
    const m = /^(?:#|ℹ) (pass|fail) (\d{1,9})$/.exec(line);
    if (m) {
      if (m[1] === "pass") tapPass = Number(m[2]);
      else tapFail = Number(m[2]);
    }
  }
  const counts = tapPass !== null || tapFail !== null ? { passed: tapPass, failed: tapFail ?? 0 } : parseCounts(output);
  return { passed: counts.passed, failed: counts.failed, failing: [...failing] };
}

/** "15 passed, 1 failed" (a check run's summary), or null when the output gave no counts */
export function countsLine(r: TestResults): string | null {
  if (r.passed === null && r.failed === null) return null;
  return `${r.passed ?? 0} passed, ${r.failed ?? 0} failed`;
}

export interface RunComparison {
  /** failing after, not failing before */
  newFailures: string[];
  /** failing before, passing after */
  nowPassing: string[];
  /** the after run finished and shows no failure the baseline did not have */
  noNewFailures: boolean;
  /** the after run passes entirely */
  green: boolean;
}

export function compareRuns(baseline: TestRun | null, after: TestRun): RunComparison {
  const a = readTestOutput(after.output);
  const ran = after.exitCode !== null;
  const green = ran && after.exitCode === 0;
  if (!baseline || baseline.exitCode === null) {
    return { newFailures: a.failing, nowPassing: [], noNewFailures: green, green };
  }
  const b = readTestOutput(baseline.output);
  const before = new Set(b.failing);
  const now = new Set(a.failing);
  const newFailures = a.failing.filter((n) => !before.has(n));
  const nowPassing = b.failing.filter((n) => !now.has(n));
  let noNewFailures: boolean;
  if (green) noNewFailures = true;
  else if (!ran) noNewFailures = false;
  else if (a.failing.length || b.failing.length) noNewFailures = newFailures.length === 0;
  else noNewFailures = a.failed !== null && b.failed !== null && a.failed <= b.failed && baseline.exitCode !== 0;
  return { newFailures, nowPassing, noNewFailures, green };
}
