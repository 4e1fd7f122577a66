/**
 * Writing one fix in a checkout (issue 9, items 1–2): the fix branch, the
 * baseline test run, the fixer, the tests again, the diff read from git, the
 * diff guard, the commit. Nothing is pushed here; the fix run pushes a
 * commit this returns as `fixed`.
 *
 * "Fixed" means: the fixer answered; the change passes the diff guard; the
 * test run after the change shows no failure the baseline did not have; and
 * the report's failing behaviour is covered — a test failing in the baseline
 * passes now (by name, read from the output), or a test file the fixer named
 * was added or changed (its tests pass, since nothing new fails). Anything
 * else is an outcome with a reason, and the run stops there.
 *
 * Commands run in the Workspace (the sandbox); git identity and hooks are
 * set per command (`-c`), never from the repository's config.
 */
import type { RunRecord } from "../agent/run-record";
import { shellQuote } from "../workspace/shell-quote";
import type { Workspace } from "../workspace/workspace";
import { guardDiff, parseNameStatus, parseNumstat, withNumstat, type ChangedFile, type GuardDecision } from "./diff-guard";
import { FixerStopped, type FixAnswer, type Fixer, type FixInput } from "./fixer";
import type { TestRun } from "./pr-body";
import { compareRuns, type RunComparison } from "./test-results";

export const FIX_AUTHOR = { name: "nightshift", email: "nightshift@users.noreply.github.com" };

export type FixOutcome =
  | "fixed" // committed; ready to push
  | "fixer_stopped" // the agent ran out of budget, looped, or never gave a valid answer
  | "no_changes" // the fixer changed nothing
  | "guard_refused" // the diff touches protected paths or is too big
  | "new_failures" // the tests show failures the baseline did not have
  | "not_covered" // no test covers the report's failure
  | "tests_unavailable" // no test command, or it could not run
  | "conflict_unresolved"; // merging the base branch in left conflicts the fixer did not resolve (merge-base.ts)

export interface FixAttempt {
  outcome: FixOutcome;
  /** in words, for the inbox */
  reason: string;
  answer: FixAnswer | null;
  run: RunRecord | null;
  baseline: TestRun | null;
  after: TestRun | null;
  comparison: RunComparison | null;
  changes: ChangedFile[];
  guard: GuardDecision | null;
  /** the commit made when fixed */
  commit: string | null;
}

export interface WriteFixOptions {
  /** one test run's deadline (default 10 minutes) */
  testTimeoutMs?: number;
  /** the baseline, when an earlier round has it already (babysitting rounds reuse it) */
  baseline?: TestRun | null;
  /**
   * a later round (answering CI or a review) builds on a fix already shown to
   * cover the report: it needs no new coverage, only no new failures (default true)
   */
  requireCoverage?: boolean;
}

/** git with the fix's identity, hooks off and no signing, whatever the repository's config says */
export const GIT = `git -c core.hooksPath=/dev/null -c user.name=${shellQuote(FIX_AUTHOR.name)} -c user.email=${shellQuote(FIX_AUTHOR.email)} -c commit.gpgsign=false`;
const TEST_FILE = /(^|\/)(tests?|__tests__|spec|specs)\/|\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)test_[^/]*\.py$|_test\.(py|go)$|Test\.(java|kt)$|_spec\.rb$/;

export function isTestPath(path: string): boolean {
  return path.length <= 1024 && TEST_FILE.test(path);
}

export async function runTests(ws: Workspace, dir: string, command: string, timeoutMs: number): Promise<TestRun & { timedOut: boolean }> {
  const r = await ws.exec(command, { cwd: dir, timeoutMs });
  const output = `${r.stdout}${r.stderr ? `\n${r.stderr}` : ""}`;
  return { command, exitCode: r.timedOut ? null : r.exitCode, output, timedOut: r.timedOut };
}

/**
 * The working tree's changes against `against` (default HEAD; a merge round
 * passes the new base, so the guard sees what the pull request would change,
 * not the base's own changes), staged: paths, statuses, modes, line counts.
 */
export async function stagedChanges(ws: Workspace, dir: string, against = "HEAD"): Promise<ChangedFile[]> {
  const add = await ws.exec(`${GIT} add -A`, { cwd: dir, timeoutMs: 60_000 });
  if (add.exitCode !== 0) throw new Error(`git add -A exited ${add.exitCode}: ${add.stderr.slice(0, 300)}`);
  return readChanges(ws, dir, `--cached ${shellQuote(against)}`, ":");
}

/** The changes from commit `from` to commit `to` (e.g. the new base to a merge commit). */
export async function committedChanges(ws: Workspace, dir: string, from: string, to: string): Promise<ChangedFile[]> {
  return readChanges(ws, dir, `${shellQuote(from)} ${shellQuote(to)}`, `${to}:`);
}

async function readChanges(ws: Workspace, dir: string, range: string, blobPrefix: string): Promise<ChangedFile[]> {
  const raw = await ws.exec(`${GIT} diff --raw -z -M ${range}`, { cwd: dir, timeoutMs: 60_000 });
  const num = await ws.exec(`${GIT} diff --numstat -z -M ${range}`, { cwd: dir, timeoutMs: 60_000 });
  if (raw.exitCode !== 0 || num.exitCode !== 0 || raw.truncated || num.truncated) throw new Error("cannot read the change from git diff");
  const files = withNumstat(parseNameStatus(raw.stdout), parseNumstat(num.stdout));
  // symlinks: the guard needs their targets (the blob's text)
  for (const f of files) {
    if (f.newMode === "120000") {
      const t = await ws.exec(`git cat-file blob ${shellQuote(`${blobPrefix}${f.path}`)}`, { cwd: dir, timeoutMs: 30_000 });
      f.symlinkTarget = t.exitCode === 0 ? t.stdout : null;
    }
  }
  return files;
}

/** The checkout on `branch` starting at its current HEAD (a retried run starts over from the base). */
export async function startBranch(ws: Workspace, dir: string, branch: string): Promise<void> {
  const r = await ws.exec(`${GIT} checkout -q -B ${shellQuote(branch)}`, { cwd: dir, timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`git checkout -B ${branch} exited ${r.exitCode}: ${r.stderr.slice(0, 300)}`);
}

export async function writeFix(fixer: Fixer, input: Omit<FixInput, "baseline">, opts: WriteFixOptions = {}): Promise<FixAttempt> {
  const { workspace: ws, dir, testCommand } = input;
  const timeout = opts.testTimeoutMs ?? 600_000;
  const empty = { answer: null, run: null, after: null, comparison: null, changes: [], guard: null, commit: null };
  if (!testCommand) {
    return { ...empty, baseline: null, outcome: "tests_unavailable", reason: "the project has no test command, so no fix can be shown to work (PATCH /v1/project {repository: {test_command}})" };
  }
  const baseline = opts.baseline !== undefined ? opts.baseline : await runTests(ws, dir, testCommand, timeout);

  let answer: FixAnswer;
  let run: RunRecord;
  try {
    ({ answer, run } = await fixer.fix({ ...input, baseline }));
  } catch (e) {
    if (e instanceof FixerStopped) return { ...empty, baseline, run: e.run, outcome: "fixer_stopped", reason: e.message };
    throw e;
  }
  const after = await runTests(ws, dir, testCommand, timeout);
  const changes = await stagedChanges(ws, dir);
  const base = { answer, run, baseline, after, changes, commit: null };
  if (changes.length === 0) return { ...base, comparison: null, guard: null, outcome: "no_changes", reason: "the fix agent answered but changed no file" };
  const guard = guardDiff(changes, input.research);
  if (!guard.allow) {
    const refused = guard.files.filter((f) => !f.allowed).map((f) => `${f.path} (${f.reasons.join(", ")})`);
    const why = [...guard.reasons, ...refused].join("; ");
    return { ...base, comparison: null, guard, outcome: "guard_refused", reason: `the diff guard refused the change: ${why}`.slice(0, 1000) };
  }
  if (after.exitCode === null) {
    return { ...base, comparison: null, guard, outcome: "tests_unavailable", reason: `the tests did not finish after the change${after.timedOut ? ` (timed out after ${Math.round(timeout / 1000)} s)` : ""}` };
  }
  const comparison = compareRuns(baseline, after);
  if (!comparison.noNewFailures) {
    const names = comparison.newFailures.slice(0, 5).join("; ");
    return { ...base, comparison, guard, outcome: "new_failures", reason: `the tests fail after the change${names ? `: ${names}` : ` (exit ${after.exitCode})`}`.slice(0, 1000) };
  }
  const changedTests = changes.filter((c) => c.status !== "deleted" && isTestPath(c.path)).map((c) => c.path);
  const named = new Set(answer.tests);
  const covered = opts.requireCoverage === false || comparison.nowPassing.length > 0 || changedTests.some((p) => named.has(p));
  if (!covered) {
    return { ...base, comparison, guard, outcome: "not_covered", reason: "no test covers the report's failure: none failed before and passes now, and no test the agent named was added or changed" };
  }
  const commit = await ws.exec(`${GIT} commit -q -m ${shellQuote(answer.commit_message)} -m ${shellQuote(`Report: ${input.reportId}`)} && git rev-parse HEAD`, { cwd: dir, timeoutMs: 60_000 });
  if (commit.exitCode !== 0) throw new Error(`git commit exited ${commit.exitCode}: ${commit.stderr.slice(0, 300)}`);
  const sha = commit.stdout.trim().split("\n").pop()!;
  const how = comparison.nowPassing.length
    ? `now passing: ${comparison.nowPassing.slice(0, 3).join("; ")}`
    : changedTests.length
      ? `tests changed: ${changedTests.slice(0, 3).join(", ")}`
      : "no new failures";
  return { ...base, comparison, guard, commit: sha, outcome: "fixed", reason: `fixed in ${sha.slice(0, 12)} (${how})`.slice(0, 1000) };
}
