/**
 * Bringing the base branch into the fix branch (issue 9, babysitting: the
 * base moved under the pull request and it no longer merges). In the fresh
 * checkout of the pull request's head: `git merge --no-ff origin/<base>`.
 *
 * - Clean: the merge commit git made; the tests against the first baseline;
 *   the diff guard on what the pull request would change relative to the
 *   new base (`origin/<base>..HEAD`), never on the base's own changes (a
 *   base commit to package.json is not the fix's); ready to push.
 * - Conflicts: the fixer gets one `conflict` feedback item per conflicted
 *   file (its conflict markers with a little context, or what kind of
 *   conflict it is when there are none: deleted on one side, added on both),
 *   untrusted text that the fixer fences like any feedback, and must resolve
 *   them with the merge still in progress. Then: the merge still in progress
 *   (not aborted or committed by the agent), no conflict marker left in a
 *   conflicted file, the tests against the first baseline, the diff guard on
 *   the staged tree relative to the new base, and a commit that concludes
 *   the merge (two parents). A fixer that stops, markers left, or a merge
 *   abandoned → `conflict_unresolved`, with the files in the reason.
 * - Already containing the base → `up_to_date` (nothing to push).
 *
 * Nothing is pushed here; the fix run pushes a `merged` result without
 * force. Commands run in the Workspace, git with hooks off and the fix's
 * identity (write-fix.ts GIT); the base branch name is checked as a plain
 * ref name and quoted. Marker scans are one pass over each file's lines.
 */
import type { RunRecord } from "../agent/run-record";
import { branchProblem } from "../admin/url-policy";
import { shellQuote } from "../workspace/shell-quote";
import type { Workspace } from "../workspace/workspace";
import { guardDiff, type ChangedFile, type GuardDecision } from "./diff-guard";
import { FixerStopped, type FixAnswer, type Fixer, type FixFeedback, type FixInput } from "./fixer";
import type { TestRun } from "./pr-body";
import { compareRuns, type RunComparison } from "./test-results";
import { committedChanges, GIT, runTests, stagedChanges, type FixOutcome } from "./write-fix";

export type MergeBaseOutcome = "merged" | "up_to_date" | Extract<FixOutcome, "conflict_unresolved" | "guard_refused" | "new_failures" | "tests_unavailable" | "no_changes">;

export interface MergeBaseAttempt {
  outcome: MergeBaseOutcome;
  /** in words, for the inbox */
  reason: string;
  /** the files the merge left conflicted (empty for a clean merge) */
  conflicts: string[];
  answer: FixAnswer | null;
  run: RunRecord | null;
  after: TestRun | null;
  comparison: RunComparison | null;
  changes: ChangedFile[];
  guard: GuardDecision | null;
  /** the merge commit, when merged */
  commit: string | null;
}

export interface MergeBaseOptions {
  /** the pull request's base branch (e.g. main); merged in from origin/<base> */
  base: string;
  /** the fix branch, for the merge commit's message */
  branch: string;
  /** the first round's baseline (the tests before any change) */
  baseline: TestRun | null;
  testTimeoutMs?: number;
}

const REF = /^[A-Za-z0-9._/-]{1,200}$/;
const MAX_FILES_SHOWN = 10;
const MAX_HUNK_CHARS = 6000;
const CONTEXT_LINES = 3;
const MARKERS = ["<<<<<<<", "|||||||", ">>>>>>>"];

/** a plain branch name: git's branch rules (admin/url-policy.ts) over letters, digits and `._/-` only */
export function plainBranch(name: string): boolean {
  return REF.test(name) && branchProblem(name) === null;
}

/** a conflict marker line: `<<<<<<<`, `|||||||` or `>>>>>>>` alone or followed by a space, or `=======` alone */
function markerLine(line: string): boolean {
  const l = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (l === "=======") return true;
  for (const m of MARKERS) if (l.startsWith(m) && (l.length === 7 || l[7] === " ")) return true;
  return false;
}

/** lines that open or close a conflict (`=======` alone can be legitimate text, e.g. a heading underline) */
function openOrCloseMarker(line: string): boolean {
  return markerLine(line) && !line.startsWith("=");
}

/** The conflict hunks of a file's text with a few lines of context, capped; one pass. */
export function conflictHunks(text: string, max = MAX_HUNK_CHARS): string {
  const lines = text.split("\n");
  const keep = new Uint8Array(lines.length);
  let inside = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("<<<<<<<") && markerLine(line)) {
      inside = true;
      for (let j = Math.max(0, i - CONTEXT_LINES); j < i; j++) keep[j] = 1;
    }
    if (inside) keep[i] = 1;
    if (line.startsWith(">>>>>>>") && markerLine(line)) {
      inside = false;
      for (let j = i + 1; j < Math.min(lines.length, i + 1 + CONTEXT_LINES); j++) keep[j] = 1;
    }
  }
  const out: string[] = [];
  let gap = false;
  for (let i = 0; i < lines.length; i++) {
    if (keep[i]) {
      if (gap && out.length) out.push("…");
      out.push(`${i + 1}: ${lines[i]}`);
      gap = false;
    } else gap = true;
  }
  const joined = out.join("\n");
  return joined.length > max ? `${joined.slice(0, max)}\n[… ${joined.length - max} characters cut]` : joined;
}

/** the paths among `paths` whose text still holds a conflict marker line (`<<<<<<<`, `|||||||`, `>>>>>>>`) */
async function markersLeft(ws: Workspace, dir: string, paths: string[]): Promise<string[]> {
  const left: string[] = [];
  for (const p of paths) {
    const full = `${dir}/${p}`;
    if (!(await ws.exists(full))) continue;
    let text: string;
    try {
      text = await ws.readFile(full);
    } catch {
      continue;
    }
    if (text.split("\n").some(openOrCloseMarker)) left.push(p);
  }
  return left;
}

const CONFLICT_KINDS: Record<string, string> = {
  UU: "both sides changed it",
  AA: "both sides added it",
  DU: "the fix branch deleted it; the base changed it",
  UD: "the base deleted it; the fix branch changed it",
  AU: "the fix branch added it; the base has it too",
  UA: "the base added it; the fix branch has it too",
  DD: "both sides deleted it",
};

/** the unmerged paths and how each conflicts, from `git status --porcelain=v1 -z` */
async function unmerged(ws: Workspace, dir: string): Promise<{ path: string; kind: string }[]> {
  const st = await ws.exec(`${GIT} status --porcelain=v1 -z --untracked-files=no`, { cwd: dir, timeoutMs: 60_000 });
  if (st.exitCode !== 0) throw new Error(`git status exited ${st.exitCode}: ${st.stderr.slice(0, 300)}`);
  const out: { path: string; kind: string }[] = [];
  const entries = st.stdout.split("\0");
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.length < 4) continue;
    const xy = e.slice(0, 2);
    // a rename's source follows as its own entry
    if (xy[0] === "R" || xy[0] === "C") i++;
    if (xy in CONFLICT_KINDS) out.push({ path: e.slice(3), kind: CONFLICT_KINDS[xy]! });
  }
  return out;
}

async function revParse(ws: Workspace, dir: string, rev: string): Promise<string | null> {
  const r = await ws.exec(`git rev-parse -q --verify ${shellQuote(`${rev}^{commit}`)}`, { cwd: dir, timeoutMs: 30_000 });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** origin/<base> in the checkout: the clone has it; else (a single-branch or shallow clone) fetched */
async function baseCommit(ws: Workspace, dir: string, base: string): Promise<string> {
  const ref = `refs/remotes/origin/${base}`;
  let sha = await revParse(ws, dir, ref);
  const shallow = await ws.exec("git rev-parse --is-shallow-repository", { cwd: dir, timeoutMs: 30_000 });
  if (!sha || shallow.stdout.trim() === "true") {
    const unshallow = shallow.stdout.trim() === "true" ? " --unshallow" : "";
    const f = await ws.exec(`${GIT} fetch --quiet --no-tags${unshallow} origin ${shellQuote(`+refs/heads/${base}:${ref}`)}`, { cwd: dir, timeoutMs: 300_000 });
    if (f.exitCode !== 0) throw new Error(`git fetch of ${base} exited ${f.exitCode}: ${f.stderr.slice(0, 300)}`);
    sha = await revParse(ws, dir, ref);
  }
  if (!sha) throw new Error(`the checkout has no origin/${base}`);
  return sha;
}

export async function mergeBase(fixer: Fixer, input: Omit<FixInput, "baseline" | "feedback">, opts: MergeBaseOptions): Promise<MergeBaseAttempt> {
  const { workspace: ws, dir, testCommand } = input;
  const { base, branch } = opts;
  const timeout = opts.testTimeoutMs ?? 600_000;
  const none = { conflicts: [] as string[], answer: null, run: null, after: null, comparison: null, changes: [] as ChangedFile[], guard: null, commit: null };
  if (!plainBranch(base) || !plainBranch(branch)) throw new Error(`not a plain branch name: ${JSON.stringify(base.slice(0, 100))} or ${JSON.stringify(branch.slice(0, 100))}`);
  if (!testCommand) return { ...none, outcome: "tests_unavailable", reason: "the project has no test command, so the merge cannot be shown to work" };
  const baseSha = await baseCommit(ws, dir, base);
  const before = await revParse(ws, dir, "HEAD");
  const message = `Merge ${base} into ${branch}`;
  const merge = await ws.exec(`${GIT} -c rerere.enabled=false -c merge.conflictStyle=merge merge --no-ff --no-edit -m ${shellQuote(message)} ${shellQuote(`refs/remotes/origin/${base}`)}`, {
    cwd: dir,
    timeoutMs: 300_000,
  });
  const head = await revParse(ws, dir, "HEAD");
  if (merge.exitCode === 0) {
    if (head === before) return { ...none, outcome: "up_to_date", reason: `the branch already contains ${base} (${baseSha.slice(0, 12)})` };
    return conclude({ ws, dir, testCommand, timeout, baseline: opts.baseline, baseSha, base, research: input.research }, { ...none, commit: head });
  }
  const conflicts = await unmerged(ws, dir);
  if (conflicts.length === 0 || !(await revParse(ws, dir, "MERGE_HEAD"))) {
    throw new Error(`git merge of ${base} exited ${merge.exitCode} without conflicts to resolve: ${`${merge.stdout}\n${merge.stderr}`.trim().slice(-300)}`);
  }
  const paths = conflicts.map((c) => c.path);
  const feedback: FixFeedback[] = [];
  for (const c of conflicts.slice(0, MAX_FILES_SHOWN)) {
    const full = `${dir}/${c.path}`;
    let hunks = "";
    if (await ws.exists(full)) hunks = conflictHunks(await ws.readFile(full).catch(() => ""));
    feedback.push({ kind: "conflict", from: `merge of ${base}`, path: c.path, line: null, text: `${c.path}: ${c.kind}${hunks ? `\n${hunks}` : " (no conflict markers: decide whether the file stays, and in which form)"}` });
  }
  if (conflicts.length > MAX_FILES_SHOWN) {
    feedback.push({ kind: "conflict", from: `merge of ${base}`, path: null, line: null, text: `and ${conflicts.length - MAX_FILES_SHOWN} more conflicted files: ${paths.slice(MAX_FILES_SHOWN).join(", ")}`.slice(0, 4000) });
  }
  const listed = paths.slice(0, 5).join(", ") + (paths.length > 5 ? `, and ${paths.length - 5} more` : "");
  let answer: FixAnswer;
  let run: RunRecord;
  try {
    ({ answer, run } = await fixer.fix({ ...input, baseline: opts.baseline, feedback }));
  } catch (e) {
    if (e instanceof FixerStopped) return { ...none, conflicts: paths, run: e.run, outcome: "conflict_unresolved", reason: `${listed}: ${e.message}`.slice(0, 1000) };
    throw e;
  }
  const got = { ...none, conflicts: paths, answer, run };
  if ((await revParse(ws, dir, "MERGE_HEAD")) === null || (await revParse(ws, dir, "HEAD")) !== before) {
    return { ...got, outcome: "conflict_unresolved", reason: `${listed}: the merge was aborted or committed during the round, not resolved` };
  }
  const left = await markersLeft(ws, dir, paths);
  if (left.length) return { ...got, outcome: "conflict_unresolved", reason: `conflict markers are left in ${left.slice(0, 5).join(", ")}` };
  const after = await runTests(ws, dir, testCommand, timeout);
  // what the pull request would change relative to the new base (the base's own changes are not the fix's)
  const changes = await stagedChanges(ws, dir, baseSha);
  const still = await unmerged(ws, dir);
  if (still.length) return { ...got, after, changes, outcome: "conflict_unresolved", reason: `${still.map((c) => c.path).slice(0, 5).join(", ")} still conflicted` };
  if (changes.length === 0) return { ...got, after, changes, outcome: "no_changes", reason: `the resolution leaves nothing to change relative to ${base}: the fix would be gone` };
  const v = verdict(after, changes, opts.baseline, input.research, timeout);
  if ("fail" in v) return { ...got, after, changes, ...v.fail };
  const commit = await ws.exec(
    `${GIT} commit -q --no-verify -m ${shellQuote(message)} -m ${shellQuote(`Conflicts resolved: ${paths.slice(0, 20).join(", ")}`.slice(0, 2000))} -m ${shellQuote(`Report: ${input.reportId}`)} && git rev-parse HEAD`,
    { cwd: dir, timeoutMs: 60_000 },
  );
  if (commit.exitCode !== 0) throw new Error(`git commit of the merge exited ${commit.exitCode}: ${commit.stderr.slice(0, 300)}`);
  const sha = commit.stdout.trim().split("\n").pop()!;
  return { ...got, after, changes, ...v, commit: sha, outcome: "merged", reason: `merged ${base} (${baseSha.slice(0, 12)}) in ${sha.slice(0, 12)}, resolving ${listed}`.slice(0, 1000) };
}

type Verdict = { fail: Pick<MergeBaseAttempt, "outcome" | "reason" | "guard" | "comparison"> } | { guard: GuardDecision; comparison: RunComparison };

/** the diff guard and the tests' verdict on a merge: a refusal, or the guard and comparison of one that may be pushed */
function verdict(after: TestRun & { timedOut?: boolean }, changes: ChangedFile[], baseline: TestRun | null, research: FixInput["research"], timeout: number): Verdict {
  const guard = guardDiff(changes, research);
  if (!guard.allow) {
    const refused = guard.files.filter((f) => !f.allowed).map((f) => `${f.path} (${f.reasons.join(", ")})`);
    return { fail: { guard, comparison: null, outcome: "guard_refused", reason: `the diff guard refused the merged change: ${[...guard.reasons, ...refused].join("; ")}`.slice(0, 1000) } };
  }
  if (after.exitCode === null) {
    return { fail: { guard, comparison: null, outcome: "tests_unavailable", reason: `the tests did not finish after the merge${after.timedOut ? ` (timed out after ${Math.round(timeout / 1000)} s)` : ""}` } };
  }
  const comparison = compareRuns(baseline, after);
  if (!comparison.noNewFailures) {
    const names = comparison.newFailures.slice(0, 5).join("; ");
    return { fail: { guard, comparison, outcome: "new_failures", reason: `the tests fail after the merge${names ? `: ${names}` : ` (exit ${after.exitCode})`}`.slice(0, 1000) } };
  }
  return { guard, comparison };
}

/** a clean merge git already committed: the tests, and the guard on origin/<base>..HEAD */
async function conclude(
  c: { ws: Workspace; dir: string; testCommand: string; timeout: number; baseline: TestRun | null; baseSha: string; base: string; research: FixInput["research"] },
  got: Omit<MergeBaseAttempt, "outcome" | "reason">,
): Promise<MergeBaseAttempt> {
  const commit = got.commit!;
  const after = await runTests(c.ws, c.dir, c.testCommand, c.timeout);
  const changes = await committedChanges(c.ws, c.dir, c.baseSha, commit);
  if (changes.length === 0) return { ...got, after, changes, commit: null, outcome: "no_changes", reason: `after merging ${c.base} nothing is left to change relative to it: the fix is in ${c.base} already` };
  const v = verdict(after, changes, c.baseline, c.research, c.timeout);
  if ("fail" in v) return { ...got, after, changes, ...v.fail, commit: null };
  return { ...got, after, changes, ...v, outcome: "merged", reason: `merged ${c.base} (${c.baseSha.slice(0, 12)}) cleanly in ${commit.slice(0, 12)}` };
}
