/**
 * The offline face of code research (issue 8, item 7): no model, real work.
 * The signals' in-app frames, named files and named identifiers are found in
 * the checkout (paths matched up to extension, case and separators; an
 * identifier by `git grep`); each located line is blamed (`git blame`) and
 * its file's recent commits read (`git log`); CODEOWNERS names the owners;
 * reviewers are the blamed authors (bots left out) and the owners. A commit
 * that touched the located code after the signals stopped marks the report
 * already addressed.
 *
 * Actionability: a report whose every signal triage reads as noise (a bare
 * "+1", a question, praise, "never mind, it was my VPN") is not actionable;
 * otherwise it starts from the evidence rules (workers/actionability) and
 * the code decides: code found → actionable; the signals point at code this
 * repository does not hold → needs a human (which repository?); nothing
 * concrete → needs a human (the specificity rule: "onboarding is broken" is
 * never a code change); too little evidence stays not actionable.
 * Without a repository it answers from the evidence alone.
 */
import type { RunRecord } from "../agent/run-record";
import type { TriageClassifier } from "../triage/triage";
import { judgeByRules } from "../actionability/actionability";
import { CODEOWNERS_LOCATIONS, parseCodeowners, type Codeowners } from "./codeowners";
import type { BlamedLine } from "./git-output";
import { PathIndex, pointersOf, type Pointer } from "./locate";
import type { Actionability, CodeLocation, Finding, RelevantCommit, ResearchOutput, ResearchPriority } from "./output";
import { relatedElsewhere, type RelatedElsewhere } from "./related";
import { RepoReader } from "./repo-reader";
import { StepLog } from "./step-log";
import type { CodeResearcher, CodeResearchInput, CodeResearchResult, Evidence } from "./research";
import { type OutcomeNote, standingObjection } from "../reports/outcome-notes";
import { suggestReviewers, type BlamedPath } from "./reviewers";

const MAX_LOCATED = 8;
const LOG_DEPTH = 4;
const GREP_HITS = 6;
/** a quoted label found in more source files than this names no place */
const UI_TEXT_FILES = 3;

interface Located {
  path: string;
  line: number | null;
  snippet: string | null;
  pointer: Pointer;
  blamed: BlamedLine | null;
}

export interface OfflineCodeResearcherOptions {
  /** reads each signal as triage does: a report of noise only (duplicates, questions, praise, resolved) is not actionable */
  triage: TriageClassifier;
  clock?: () => number;
}

export class OfflineCodeResearcher implements CodeResearcher {
  readonly name = "offline-code-v1";
  /** related_signals, from nightshift's own MCP server */
  readonly tools = "own" as const;
  private readonly clock: () => number;
  private readonly triage: TriageClassifier;

  constructor(opts: OfflineCodeResearcherOptions) {
    this.triage = opts.triage;
    this.clock = opts.clock ?? Date.now;
  }

  async research(input: CodeResearchInput): Promise<CodeResearchResult> {
    const started = this.clock();
    const { evidence, repo } = input;
    const pointers = pointersOf(input.report.signals);
    const rules = await this.noiseOnly(input.report.signals) ?? judgeByRules(evidence);
    const log = new StepLog(this.clock);
    const reader = repo ? new RepoReader(repo, log) : null;

    const located: Located[] = [];
    const unresolved: Pointer[] = [];
    const blamedPaths: BlamedPath[] = [];
    let owners: Codeowners | null = null;
    let addressed: ResearchOutput["already_addressed"] = null;

    if (reader) {
      const index = new PathIndex(await reader.trackedFiles());
      const fileLines = new Map<string, string[] | null>();
      const linesOf = async (path: string) => {
        if (!fileLines.has(path)) fileLines.set(path, await reader.lines(path));
        return fileLines.get(path) ?? null;
      };
      // places first (frames, named files), then identifiers, which may pin a place's line, then quoted screen text
      const rank = { frame: 0, named_file: 0, identifier: 1, ui_text: 2 } as const;
      const ordered = [...pointers].sort((a, b) => rank[a.kind] - rank[b.kind]);
      for (const p of ordered) {
        if (located.length >= MAX_LOCATED) break;
        if (p.kind === "ui_text") {
          // a label the user quoted: a lead only when few source files hold it (a generic "Something went wrong" is everywhere)
          if (located.length > 0) continue;
          // code before comments: the label where the screen shows it, not where a comment mentions it
          const hits = (await reader.grep(p.target, GREP_HITS)).filter((h) => !isTestPath(h.path)).sort((a, b) => Number(isComment(a.text)) - Number(isComment(b.text)));
          const files = new Set(hits.map((h) => h.path));
          if (files.size === 0 || files.size > UI_TEXT_FILES) continue;
          for (const h of hits.slice(0, 2)) located.push({ path: h.path, line: h.line, snippet: h.text.trim().slice(0, 300), pointer: p, blamed: null });
          continue;
        }
        if (p.kind === "identifier") {
          const here = (path: string) => located.some((l) => l.path === path && l.pointer.signalIds.some((id) => p.signalIds.includes(id)));
          // where the same signals' frames point comes first (a name used there, not defined), tests last
          const hits = (await reader.grep(p.target, GREP_HITS)).sort((a, b) => Number(!here(a.path)) - Number(!here(b.path)) || Number(isTestPath(a.path)) - Number(isTestPath(b.path)));
          if (!hits.length) unresolved.push(p);
          for (const h of hits.slice(0, 2)) {
            const unpinned = located.find((l) => l.path === h.path && l.line === null);
            if (unpinned) {
              // the frame's line did not fit the file; the name the error gives does
              unpinned.line = h.line;
              unpinned.snippet = h.text.trim().slice(0, 300) || null;
            } else located.push({ path: h.path, line: h.line, snippet: h.text.trim().slice(0, 300), pointer: p, blamed: null });
          }
          continue;
        }
        const path = index.resolve(p.target);
        if (!path) {
          unresolved.push(p);
          continue;
        }
        const lines = await linesOf(path);
        let line = p.line !== null && lines && p.line <= lines.length ? p.line : null;
        if (line === null && p.fn && lines) line = definitionLine(lines, p.fn);
        const same = located.find((l) => l.path === path && l.line === line);
        if (same) {
          // two spellings of one place (totals.ts:42 and totals.js:42): one finding, every signal
          for (const id of p.signalIds) if (!same.pointer.signalIds.includes(id)) same.pointer.signalIds.push(id);
          continue;
        }
        located.push({ path, line, snippet: line && lines ? lines[line - 1].trim().slice(0, 300) || null : null, pointer: p, blamed: null });
      }
      for (const l of located) if (l.line !== null) l.blamed = await reader.blame(l.path, l.line);
      const newest: { path: string; commit: RelevantCommit }[] = [];
      for (const path of unique(located.map((l) => l.path))) {
        const blamed = located.filter((l) => l.path === path && l.blamed && !l.blamed.uncommitted).map((l) => l.blamed!.commit);
        const history = await reader.log(path, LOG_DEPTH);
        if (history[0]) newest.push({ path, commit: history[0] });
        blamedPaths.push({ path, commits: uniqueBy([...blamed, ...history], (c) => c.sha).slice(0, 5) });
      }
      addressed = alreadyAddressed(newest, evidence);
      for (const where of CODEOWNERS_LOCATIONS) {
        const text = await reader.readIfExists(where);
        if (text !== null) {
          owners = parseCodeowners(text);
          break;
        }
      }
    }

    // the same fingerprint in other reports: the tool the agent gets too (nightshift's MCP server)
    const errorSignals = input.report.signals.filter((s) => pointers.some((p) => p.kind === "frame" && p.signalIds.includes(s.id))).map((s) => s.id);
    const related = await relatedElsewhere(input.tools, errorSignals, input.report.reportId, log);
    const reviewers = suggestReviewers(blamedPaths, owners);
    const actionability = heedObjection(decide(rules, located, unresolved, addressed, repo !== null, evidence), standingObjection(input.report.notes ?? []));
    // without a checkout the signals' own places are the findings (unverified: no lines read, no commits)
    const findings = reader ? findingsOf(located, unresolved, blamedPaths) : pointers.filter((p) => p.kind === "frame" || p.kind === "named_file").slice(0, 10).map(unreadFinding);
    const output: ResearchOutput = {
      title: cut(evidence.title, 70),
      summary: summaryOf(evidence, located, unresolved, addressed, repo?.url ?? null, related, input.report.notes ?? []),
      findings,
      reviewers,
      priority: actionability.bucket === "actionable" ? priorityOf(evidence) : null,
      confidence: confidenceOf(actionability, located),
      actionability,
      already_addressed: addressed,
    };
    const finished = this.clock();
    const run: RunRecord = {
      v: 1,
      purpose: "research",
      agent: this.name,
      model: null,
      started_at: started,
      finished_at: finished,
      duration_ms: finished - started,
      stop_reason: "done",
      tool_calls: log.toolCalls,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      system: null,
      prompt: null,
      steps: log.steps,
    };
    return { output, run };
  }

  /**
   * Not actionable when triage reads every signal as noise (the reasons,
   * counted), or when the newest signal withdraws the report ("never mind, it
   * was my VPN").
   */
  private async noiseOnly(signals: CodeResearchInput["report"]["signals"]): Promise<RuleDecision | null> {
    if (signals.length === 0) return null;
    const reasons = new Map<string, number>();
    let newest: { at: number; reason: string | null } = { at: -Infinity, reason: null };
    let allNoise = true;
    for (const s of signals) {
      const v = await this.triage.classify({ source_product: s.source_product, source_type: s.source_type, content: s.content });
      if (s.received_at >= newest.at) newest = { at: s.received_at, reason: v.verdict === "noise" ? v.reason : null };
      if (v.verdict !== "noise") {
        allNoise = false;
        continue;
      }
      const r = v.reason ?? "noise";
      reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
    if (allNoise) {
      const list = [...reasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ×${n}`).join(", ");
      return { bucket: "not_actionable", rule: "noise_only", reason: `triage reads every signal as noise (${list}): nothing to change in the code` };
    }
    if (signals.length > 1 && newest.reason === "resolved") {
      return { bucket: "not_actionable", rule: "withdrawn", reason: "the newest signal says the problem is resolved on the reporter's side" };
    }
    return null;
  }
}

type RuleDecision = ReturnType<typeof judgeByRules>;

function decide(rules: RuleDecision, located: Located[], unresolved: Pointer[], addressed: ResearchOutput["already_addressed"], hasRepo: boolean, evidence: Evidence): Actionability {
  if (rules.bucket === "not_actionable") return { bucket: "not_actionable", rule: rules.rule, reason: rules.reason };
  if (addressed) return { bucket: "not_actionable", rule: "already_addressed", reason: addressed.reason };
  if (located.length > 0) {
    const first = located[0];
    // only a quoted label led to the code: where it shows, not where it breaks
    const rule = located.every((l) => l.pointer.kind === "ui_text") ? "quoted_text_in_code" : "located_in_code";
    return { bucket: "actionable", rule, reason: `the signals point at ${first.path}${first.line ? `:${first.line}` : ""}${first.blamed ? `, last changed in ${first.blamed.commit.sha.slice(0, 7)} by ${first.blamed.commit.author}` : ""}` };
  }
  if (hasRepo && rules.bucket === "actionable" && unresolved.length > 0) {
    const names = unique(unresolved.map((p) => p.target)).slice(0, 3).join(", ");
    return { bucket: "needs_human", rule: "code_not_in_repository", reason: `the signals point at ${names}, which the connected repository does not hold`, question: `Which repository holds ${names}? Connect it, or say this report is not ours to fix.` };
  }
  if (rules.bucket === "actionable") return { bucket: "actionable", rule: rules.rule, reason: rules.reason };
  return { bucket: "needs_human", rule: rules.rule, reason: rules.reason, question: questionFor(evidence) };
}

/**
 * A person's standing word against fixing this (a rejected pull request, a
 * dismissal that came back on its own): the offline researcher cannot weigh a
 * reviewer's reasons, so a report it would hand to another fix goes to a
 * person with the reason quoted. The research agent reads the same notes and
 * decides itself.
 */
function heedObjection(a: Actionability, objection: OutcomeNote | null): Actionability {
  if (!objection || a.bucket !== "actionable") return a;
  const what = objection.kind === "fix_rejected" ? `a fix for this was rejected (${cut(objection.text, 300)})` : `a person dismissed this report (${cut(objection.text, 300)}) and it came back`;
  return {
    bucket: "needs_human",
    rule: objection.kind === "fix_rejected" ? "fix_rejected_before" : "dismissed_before",
    reason: cut(`${a.reason}; but ${what}`, 1000),
    question: cut(
      objection.kind === "fix_rejected"
        ? `A fix for this was rejected before${objection.pull ? ` (pull request #${objection.pull})` : ""}. What should a fix do differently — or is this not worth fixing? Ask for a fix again (POST /v1/reports/:id/fix) when it is.`
        : "This report was dismissed and has grown since. Fix it now, or dismiss it again?",
      500,
    ),
  };
}

/** What a person should answer for a report that names no error and no code: as specific as its evidence allows. */
function questionFor(e: Evidence): string {
  const route = e.routes[0]?.value;
  if (route) return cut(`The signals are about ${route} but name no error or code: what should ${route} do that it does not, and which code serves it?`, 500);
  const title = cut(e.title, 120);
  return cut(`"${title}": which part of the product is this, and what should it do instead? The signals name no error and no code.`, 500);
}

/** the newest commit on a located file (git log, newest first), when it came after the last signal */
function alreadyAddressed(newest: { path: string; commit: RelevantCommit }[], evidence: Evidence): ResearchOutput["already_addressed"] {
  if (!evidence.first_seen) return null;
  for (const { path, commit } of newest) {
    const at = Date.parse(commit.date);
    if (Number.isFinite(at) && at > evidence.last_seen) {
      return { commit, reason: `${commit.sha.slice(0, 7)} ("${cut(commit.subject, 80)}") changed ${path} after the last signal; nothing has been seen since` };
    }
  }
  return null;
}

function findingsOf(located: Located[], unresolved: Pointer[], paths: BlamedPath[]): Finding[] {
  const findings: Finding[] = [];
  const byPointer = new Map<Pointer, Located[]>();
  for (const l of located) byPointer.set(l.pointer, [...(byPointer.get(l.pointer) ?? []), l]);
  for (const [p, ls] of byPointer) {
    const locations: CodeLocation[] = ls.map((l) => ({ path: l.path, line: l.line, snippet: l.snippet }));
    const blamed = ls.flatMap((l) => (l.blamed && !l.blamed.uncommitted ? [l.blamed.commit] : []));
    const history = paths.filter((bp) => ls.some((l) => l.path === bp.path)).flatMap((bp) => bp.commits);
    findings.push({ signal_ids: p.signalIds.slice(0, 200), what: cut(describe(p, ls[0]), 1000), locations, commits: uniqueBy<RelevantCommit>([...blamed, ...history], (c) => c.sha).slice(0, 5) });
  }
  for (const p of unresolved.slice(0, 5)) {
    findings.push({ signal_ids: p.signalIds.slice(0, 200), what: cut(`${p.error ? `${p.error}; ` : ""}points at ${p.target}${p.line ? `:${p.line}` : ""}, not found in the repository`, 1000), locations: [], commits: [] });
  }
  return findings.slice(0, 50);
}

function unreadFinding(p: Pointer): Finding {
  const where = `${p.target}${p.line ? `:${p.line}` : ""}`;
  return {
    signal_ids: p.signalIds.slice(0, 200),
    what: cut(`${p.error ? `${p.error} ` : ""}${p.kind === "frame" ? `thrown through ${p.fn ?? "<anonymous>"} at ${where}` : `the signals name ${where}`} (not read: no repository connected)`, 1000),
    locations: [{ path: cut(p.target, 500), line: p.line, snippet: null }],
    commits: [],
  };
}

function describe(p: Pointer, l: Located): string {
  const where = `${l.path}${l.line ? `:${l.line}` : ""}`;
  const error = p.error ? `${p.error} ` : "";
  if (p.kind === "frame") return `${error}thrown through ${p.fn ?? "<anonymous>"} at ${where} (the trace's ${p.target}${p.line ? `:${p.line}` : ""})`;
  if (p.kind === "identifier") return `${error}names ${p.target}, found at ${where}`;
  if (p.kind === "ui_text") return `${error}the signals quote "${p.target}", which ${where} shows`;
  return `${error}the signals name ${where}`;
}

function summaryOf(e: Evidence, located: Located[], unresolved: Pointer[], addressed: ResearchOutput["already_addressed"], repo: string | null, related: RelatedElsewhere | null, notes: readonly OutcomeNote[]): string {
  const parts = [e.summary];
  const regressed = notes.filter((n) => n.kind === "fix_regressed").pop();
  if (regressed) parts.push(`An earlier fix${regressed.pull ? ` (pull request #${regressed.pull})` : ""} was merged and the problem came back.`);
  if (!repo) parts.push("No repository is connected, so the code was not read.");
  else if (located.length) {
    const where = located.slice(0, 3).map((l) => `${l.path}${l.line ? `:${l.line}` : ""}${l.blamed && !l.blamed.uncommitted ? ` (${l.blamed.commit.sha.slice(0, 7)}, ${l.blamed.commit.author})` : ""}`);
    parts.push(`In the code: ${where.join("; ")}.`);
  } else if (unresolved.length) parts.push(`The signals point at ${unique(unresolved.map((p) => p.target)).slice(0, 3).join(", ")}, not found in the repository.`);
  else parts.push("The signals name no code the repository holds.");
  if (addressed) parts.push(`Already addressed? ${addressed.reason}.`);
  const elsewhere = related ? Object.entries(related.reports) : [];
  if (elsewhere.length) {
    const n = elsewhere.reduce((a, [, c]) => a + c, 0);
    parts.push(`${n} more signal${n === 1 ? "" : "s"} with the same fingerprint sit in other report${elsewhere.length === 1 ? "" : "s"} (${elsewhere.slice(0, 3).map(([r, c]) => `${r}: ${c}`).join(", ")}): the same problem, grouped apart.`);
  }
  return cut(parts.join(" "), 4000);
}

function priorityOf(e: Evidence): ResearchPriority {
  const sources = Object.keys(e.counts_by_source).length;
  if (e.total_weight >= 50 && sources >= 3 && e.error_types.length > 0) return "P0";
  return e.priority === "p1" ? "P1" : e.priority === "p2" ? "P2" : e.signal_count >= 3 ? "P3" : "P4";
}

function confidenceOf(a: Actionability, located: Located[]): number {
  if (a.bucket === "actionable") return a.rule === "quoted_text_in_code" ? 0.55 : located.some((l) => l.blamed) ? 0.8 : located.length ? 0.65 : 0.5;
  if (a.rule === "already_addressed") return 0.6;
  return a.bucket === "needs_human" ? 0.6 : 0.7;
}

/** the line that defines `fn` (its last dotted part): `function fn`, `fn(…) {`, `fn = `, `def fn` */
function definitionLine(lines: string[], fn: string): number | null {
  const name = fn.split(".").pop()!.replace(/[^\w$]/g, "");
  if (name.length < 2) return null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const at = l.indexOf(name);
    if (at < 0) continue;
    const before = l.slice(0, at);
    const after = l.slice(at + name.length).trimStart();
    if (/\b(?:function\*?|def|func|fn)\s*$/.test(before) || ((after.startsWith("(") || after.startsWith("=")) && /^\s*(?:export\s+)?(?:async\s+)?(?:static\s+)?(?:const|let|var)?\s*$/.test(before))) return i + 1;
  }
  return null;
}

function isComment(line: string): boolean {
  const t = line.trimStart();
  return t.startsWith("//") || t.startsWith("*") || t.startsWith("/*") || t.startsWith("#") || t.startsWith("--");
}

function isTestPath(path: string): boolean {
  return /(?:^|\/)(?:test|tests|__tests__|spec)\//.test(path) || /\.(?:test|spec)\.[a-z]+$/.test(path);
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}
