/**
 * Reads a test run's output for a one-line result ("15 passed, 1 failed")
 * and the names of the failing tests, from the reporters CI commonly sees:
 * node --test's TAP (`# pass 15`, `not ok 3 - name`) and spec (`ℹ pass 15`,
 * `✖ name (1.2ms)`), and jest/vitest summaries (`Tests: 1 failed, 3 passed`).
 * Line by line with anchored patterns over lines cut to 1000 characters:
 * linear in the output's length. Nothing parsable → nulls and no names.
 */

export interface TestSummary {
  passed: number | null;
  failed: number | null;
  skipped: number | null;
  /** failing test names, first seen first, deduplicated, at most 50 */
  failing: string[];
  /** "15 passed, 1 failed", or null when no counts were found */
  line: string | null;
}

const MAX_LINE = 1000;
const MAX_NAMES = 50;
const COUNT = /^(?:#|ℹ) (tests|pass|fail|skipped|todo|cancelled) (\d{1,9})$/;
const TAP_FAIL = /^\s*not ok \d{1,9} - /;
const SPEC_FAIL = /^\s*✖ /;
const JEST_TESTS = /^\s*Tests:?\s/;

/** Drops a trailing " (12.3ms)" / " # TODO …" annotation. */
function cleanName(raw: string): string {
  let name = raw;
  const hash = name.indexOf(" # ");
  if (hash >= 0) name = name.slice(0, hash);
  const paren = name.lastIndexOf(" (");
  if (paren >= 0 && /^ \([0-9.]{1,20}m?s\)$/.test(name.slice(paren))) name = name.slice(0, paren);
  return name.trim().slice(0, 200);
}

export function summarizeTestOutput(output: string): TestSummary {
  let passed: number | null = null;
  let failed: number | null = null;
  let skipped: number | null = null;
  const failing = new Set<string>();
  let start = 0;
  while (start <= output.length) {
    let end = output.indexOf("\n", start);
    if (end < 0) end = output.length;
    const line = output.slice(start, Math.min(end, start + MAX_LINE)).replace(/\r$/, "");
    start = end + 1;

    const count = COUNT.exec(line);
    if (count) {
      const n = Number(count[2]);
      if (count[1] === "pass") passed = n;
      else if (count[1] === "fail") failed = n;
      else if (count[1] === "skipped") skipped = n;
      continue;
    }
    let name: string | null = null;
    const tap = TAP_FAIL.exec(line);
    if (tap) name = line.slice(tap[0].length);
    else if (SPEC_FAIL.test(line)) name = line.slice(line.indexOf("✖ ") + 2);
    if (name !== null) {
      const clean = cleanName(name);
      // spec prints "✖ failing tests:" as a heading
      if (clean && clean !== "failing tests:" && failing.size < MAX_NAMES) failing.add(clean);
      continue;
    }
    if (JEST_TESTS.test(line)) {
      const f = /(\d{1,9}) failed/.exec(line);
      const p = /(\d{1,9}) passed/.exec(line);
      const s = /(\d{1,9}) skipped/.exec(line);
      if (f || p) {
        failed = f ? Number(f[1]) : 0;
        passed = p ? Number(p[1]) : 0;
        if (s) skipped = Number(s[1]);
      }
    }
  }
  let line: string | null = null;
  if (passed !== null || failed !== null) {
    line = `${passed ?? 0} passed, ${failed ?? 0} failed`;
    if (skipped) line += `, ${skipped} skipped`;
  }
  return { passed, failed, skipped, failing: [...failing], line };
}
