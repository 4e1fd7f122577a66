/**
 * The draft pull request's title and body (issue 9, item 3): problem,
 * evidence, root cause, tests run before and after, reviewers and the report
 * link, rendered as GitHub markdown from the report, its research output and
 * the fix loop's test runs.
 *
 * Contract: every piece of untrusted text (signal content, research titles
 * and prose, commit subjects, paths, test commands and output) is made inert
 * before it reaches the body:
 * - inline text: one line, markdown punctuation backslash-escaped, `<`, `>`
 *   and `&` as entities (no HTML, no `<!--`, no `<details>`), so it cannot
 *   open a heading, list, link, image, table or comment;
 * - blocks (signal excerpts, test output): a backtick fence longer than the
 *   longest backtick run inside, so the content cannot close it;
 * - everywhere (fences too): `@name` mentions and `#12` / `GH-12` issue
 *   references get a zero-width space after `@` / `#` / `-`, and closing
 *   keywords (fix, fixes, closes, resolves, …) one inside the word, so
 *   nothing pings people or links/auto-closes issues.
 * Only the reviewers list mentions people, and only handles that are valid
 * GitHub logins or `org/team` names. The body says "Closes #n" only when
 * the caller passes `closesIssue`. The body is at most 65,536 characters
 * (GitHub's limit, counted in UTF-16 units, which is never fewer than
 * GitHub's characters); findings and excerpts that do not fit are left out
 * with a note saying so.
 */
import type { ResearchOutput } from "../research/output";

/** The label every nightshift pull request carries. */
export const NIGHTSHIFT_LABEL = "nightshift";
/** GitHub's pull request body limit. */
export const GITHUB_BODY_LIMIT = 65_536;
/** GitHub's pull request title limit. */
export const GITHUB_TITLE_LIMIT = 256;

const ZWSP = "\u200B";
const TAIL_LINES = 60;
const TAIL_CHARS = 4000;
const EXCERPT_CHARS = 1000;

export interface TestRun {
  command: string;
  exitCode: number | null;
  /** counts when the caller knows them; else read from the output's summary line when parsable */
  passed?: number | null;
  failed?: number | null;
  output: string;
}

export interface PrEvidence {
  /** signals grouped into the report */
  signalCount: number;
  /** counts per source (sentry, posthog, slack, …) */
  sources: { source: string; count: number }[];
  /** a few signal excerpts (untrusted) */
  excerpts?: { source: string; text: string }[];
}

export interface PrBodyInput {
  report: { id: string };
  /** base URL of nightshift's UI; the report link is `${linkBase}/reports/${id}` */
  linkBase: string;
  research: ResearchOutput;
  evidence: PrEvidence;
  tests: { baseline: TestRun | null; result: TestRun | null };
  /** only when asked: adds "Closes #n" */
  closesIssue?: number | null;
  /** for tests; default GITHUB_BODY_LIMIT */
  limit?: number;
}

export interface PullRequestDraft {
  title: string;
  body: string;
  labels: string[];
  draft: true;
  /** whether findings or excerpts were left out to fit the limit */
  truncated: boolean;
}

export function reportUrl(linkBase: string, id: string): string {
  let base = linkBase;
  while (base.endsWith("/")) base = base.slice(0, -1);
  return `${base}/reports/${encodeURIComponent(id)}`;
}

export function buildPullRequest(input: PrBodyInput): PullRequestDraft {
  const limit = input.limit ?? GITHUB_BODY_LIMIT;
  const r = input.research;
  const link = reportUrl(input.linkBase, input.report.id);

  const head: string[] = [];
  head.push(`> Draft opened by nightshift for report [${inline(input.report.id)}](${linkTarget(link)}). Review before merging; nightshift never merges or approves.`);
  head.push("");
  head.push("## Problem");
  head.push("");
  head.push(paragraph(r.summary));
  head.push("");
  head.push(`Priority: ${r.priority ?? "none"} · confidence ${r.confidence.toFixed(2)} · ${inline(r.actionability.rule)}`);
  head.push("");
  head.push("## Evidence");
  head.push("");
  const sources = input.evidence.sources;
  head.push(
    `${input.evidence.signalCount} signal${input.evidence.signalCount === 1 ? "" : "s"}` +
      (sources.length > 0 ? ` from ${sources.map((s) => `${inline(s.source)} (${s.count})`).join(", ")}` : ""),
  );
  const excerpts = (input.evidence.excerpts ?? []).map(
    (e) => `\n\nFrom ${inline(e.source)}:\n\n${fenced(capChars(e.text, EXCERPT_CHARS))}`,
  );

  const findings = r.findings.map((f, i) => renderFinding(f, i + 1));

  const tail: string[] = [];
  tail.push("");
  tail.push("## Tests");
  tail.push("");
  tail.push(renderRun("Before the fix (baseline)", input.tests.baseline));
  tail.push("");
  tail.push(renderRun("After the fix", input.tests.result));
  tail.push("");
  tail.push("## Reviewers");
  tail.push("");
  if (r.reviewers.length === 0) tail.push("No reviewers suggested by research.");
  for (const rv of r.reviewers) tail.push(`- ${reviewerHandle(rv.handle)} (${rv.sources.join(", ")}): ${inline(rv.reason)}`);
  if (input.closesIssue != null && Number.isSafeInteger(input.closesIssue) && input.closesIssue > 0) {
    tail.push("");
    tail.push(`Closes #${input.closesIssue}`);
  }
  tail.push("");
  tail.push(`---\nReport: [${inline(link)}](${linkTarget(link)}) · label \`${NIGHTSHIFT_LABEL}\``);

  const headText = head.join("\n");
  const rootHead = "\n\n## Root cause\n";
  const tailText = tail.join("\n");
  const cutNote = (n: number) => `\n\n_${n} more item${n === 1 ? "" : "s"} left out to fit GitHub's ${GITHUB_BODY_LIMIT}-character limit; see the report._`;
  const reserve = cutNote(999).length;

  let body = headText;
  let left = 0;
  // findings first (root cause), then excerpts, while they fit
  const parts: { text: string; section: "excerpt" | "finding" }[] = [
    ...findings.map((text) => ({ text, section: "finding" as const })),
    ...excerpts.map((text) => ({ text, section: "excerpt" as const })),
  ];
  let budget = limit - headText.length - rootHead.length - tailText.length - reserve;
  const kept: { excerpt: string[]; finding: string[] } = { excerpt: [], finding: [] };
  for (const p of parts) {
    if (p.text.length <= budget) {
      kept[p.section].push(p.text);
      budget -= p.text.length;
    } else {
      left++;
    }
  }
  body += kept.excerpt.join("");
  body += rootHead;
  body += kept.finding.length > 0 ? kept.finding.join("") : r.findings.length === 0 ? "\nNo code location found." : "";
  if (left > 0) body += cutNote(left);
  body += "\n" + tailText;
  if (body.length > limit) {
    // only when the fixed parts alone exceed the limit (a tiny `limit` in tests; real inputs are
    // schema-bounded far below 65,536): cut hard and say so
    body = body.slice(0, Math.max(0, limit - 40)) + "\n\n_(description cut)_";
    body = body.slice(0, limit);
    left = Math.max(left, 1);
  }
  return { title: buildTitle(r.title), body, labels: [NIGHTSHIFT_LABEL], draft: true, truncated: left > 0 };
}

export function buildTitle(researchTitle: string): string {
  const t = neutralise(oneLine(clean(researchTitle)));
  return capChars(`fix: ${t}`, GITHUB_TITLE_LIMIT);
}

function renderFinding(f: ResearchOutput["findings"][number], n: number): string {
  const lines: string[] = [];
  lines.push("");
  lines.push(`${n}. ${inline(f.what)} (signals: ${f.signal_ids.length})`);
  for (const loc of f.locations) {
    const where = `\`${codeSpanText(loc.path)}${loc.line != null ? `:${loc.line}` : ""}\``;
    lines.push(`   - ${where}${loc.snippet ? `: ${codeSpan(loc.snippet)}` : ""}`);
  }
  for (const c of f.commits) {
    lines.push(`   - commit \`${c.sha.slice(0, 12)}\` ${inline(c.subject)} (${inline(c.author)}, ${inline(c.date)})`);
  }
  return lines.join("\n");
}

function renderRun(label: string, run: TestRun | null): string {
  if (run === null) return `**${label}:** not run.`;
  const counts = run.passed != null || run.failed != null ? { passed: run.passed ?? null, failed: run.failed ?? null } : parseCounts(run.output);
  const parts = [`exit code ${run.exitCode ?? "unknown"}`];
  if (counts.passed != null) parts.push(`${counts.passed} passed`);
  if (counts.failed != null) parts.push(`${counts.failed} failed`);
  return `**${label}:** ${codeSpan(run.command)} — ${parts.join(", ")}\n\n${fenced(tailOf(run.output))}`;
}

/**
 * Passed/failed counts from the last summary-looking line of test output
 * (vitest "Tests  2 failed | 10 passed", jest "Tests: 1 failed, 5 passed",
 * pytest "1 failed, 5 passed in 0.2s", mocha "5 passing", "1 failing").
 * Reads at most the last 200 lines, each cut to 500 characters.
 */
export function parseCounts(output: string): { passed: number | null; failed: number | null } {
  const lines = output.split("\n");
  for (let i = lines.length - 1; i >= Math.max(0, lines.length - 200); i--) {
    const line = lines[i]!.slice(0, 500);
    let passed: number | null = null;
    let failed: number | null = null;
    for (const m of line.matchAll(/(\d{1,9}) (passed|passing|failed|failing)\b/g)) {
      const n = Number(m[1]);
      if (m[2] === "passed" || m[2] === "passing") passed = n;
      else failed = n;
    }
    if (passed !== null || failed !== null) {
      // mocha prints "N passing" and "M failing" on separate lines: look a few lines up for the other
      for (let k = i - 1; k >= Math.max(0, i - 3) && (passed === null || failed === null); k--) {
        for (const m of lines[k]!.slice(0, 500).matchAll(/(\d{1,9}) (passing|failing)\b/g)) {
          if (m[2] === "passing" && passed === null) passed = Number(m[1]);
          if (m[2] === "failing" && failed === null) failed = Number(m[1]);
        }
      }
      if (passed !== null && failed === null) failed = 0;
      return { passed, failed };
    }
  }
  return { passed: null, failed: null };
}

// ---- making untrusted text inert ------------------------------------------

/** Control characters (but \n, \t) and bidi overrides removed; CRLF/CR as LF. */
export function clean(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0d) {
      if (s.charCodeAt(i + 1) !== 0x0a) out += "\n";
      continue;
    }
    if ((c < 0x20 && c !== 0x0a && c !== 0x09) || c === 0x7f) continue;
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) continue;
    out += s[i];
  }
  return out;
}

function oneLine(s: string): string {
  let out = "";
  let space = false;
  for (const ch of s) {
    if (ch === "\n" || ch === "\t" || ch === " ") {
      space = true;
      continue;
    }
    if (space && out.length > 0) out += " ";
    space = false;
    out += ch;
  }
  return out;
}

const CLOSING = new Set(["close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved"]);

function isWordChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  const k = c.charCodeAt(0);
  return (k >= 48 && k <= 57) || (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || c === "_";
}

/**
 * Break mentions (`@x`), issue references (`#1`, `GH-1`) and closing
 * keywords with a zero-width space. Linear: one pass, words read once.
 */
export function neutralise(s: string): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if ((ch === "@" || ch === "#") && isWordChar(s[i + 1])) {
      out += ch + ZWSP;
      i++;
      continue;
    }
    if (isWordChar(ch) && !isWordChar(s[i - 1])) {
      let j = i;
      while (j < s.length && isWordChar(s[j])) j++;
      const word = s.slice(i, j);
      const lower = word.toLowerCase();
      if (CLOSING.has(lower)) out += word.slice(0, 1) + ZWSP + word.slice(1);
      else if (lower === "gh" && s[j] === "-" && isWordChar(s[j + 1])) {
        out += word + "-" + ZWSP;
        j++;
      } else out += word;
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

const MD_PUNCT = new Set(["\\", "`", "*", "_", "{", "}", "[", "]", "(", ")", "#", "+", "-", ".", "!", "|", "~", "="]);

/** Untrusted text as one inert markdown line. */
export function inline(s: string): string {
  const t = neutralise(oneLine(clean(s)));
  let out = "";
  for (const ch of t) {
    if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === "&") out += "&amp;";
    else if (MD_PUNCT.has(ch)) out += "\\" + ch;
    else out += ch;
  }
  return out;
}

/** Untrusted prose as one inert paragraph (lines joined). */
function paragraph(s: string): string {
  return inline(s);
}

/** Backtick-free text for inside a single-backtick code span. */
function codeSpanText(s: string): string {
  return neutralise(oneLine(clean(s))).split("`").join("'");
}

/** A code span that the content cannot close. */
export function codeSpan(s: string): string {
  const t = neutralise(oneLine(clean(s)));
  const ticks = "`".repeat(longestRun(t, "`") + 1);
  return `${ticks} ${t} ${ticks}`;
}

function longestRun(s: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ch) {
      run++;
      if (run > best) best = run;
    } else run = 0;
  }
  return best;
}

/** A fenced block the content cannot close: a fence longer than any backtick run inside. */
export function fenced(s: string): string {
  const t = neutralise(clean(s));
  const fence = "`".repeat(Math.max(3, longestRun(t, "`") + 1));
  return `${fence}text\n${t}${t.endsWith("\n") ? "" : "\n"}${fence}`;
}

function tailOf(output: string): string {
  const lines = clean(output).split("\n");
  let tail = lines.slice(-TAIL_LINES).join("\n");
  const cutLines = lines.length > TAIL_LINES;
  const cutChars = tail.length > TAIL_CHARS;
  if (cutChars) tail = tail.slice(tail.length - TAIL_CHARS);
  return cutLines || cutChars ? `… (last ${Math.min(TAIL_LINES, lines.length)} lines, at most ${TAIL_CHARS} characters)\n${tail}` : tail;
}

function capChars(s: string, n: number): string {
  if (s.length <= n) return s;
  let cut = s.slice(0, n - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut + "…";
}

/** A valid GitHub login or org/team becomes a mention; anything else is inert text. */
export function reviewerHandle(handle: string): string {
  const h = handle.startsWith("@") ? handle.slice(1) : handle;
  if (h.length <= 100 && isHandle(h)) return `@${h}`;
  return inline(handle);
}

function isHandle(h: string): boolean {
  const slash = h.indexOf("/");
  const login = slash < 0 ? h : h.slice(0, slash);
  if (!isLogin(login)) return false;
  if (slash < 0) return true;
  const team = h.slice(slash + 1);
  if (team.length === 0) return false;
  for (const c of team) if (!(isWordChar(c) || c === "-" || c === ".")) return false;
  return true;
}

function isLogin(s: string): boolean {
  if (s.length === 0 || s.length > 39 || s[0] === "-" || s[s.length - 1] === "-") return false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "-") {
      if (s[i - 1] === "-") return false;
    } else if (!isWordChar(c) || c === "_") return false;
  }
  return true;
}

/** A link target that cannot break out of `( )` (the base URL is configuration, the id is encoded). */
function linkTarget(url: string): string {
  let out = "";
  for (const ch of url) {
    if (ch === "(") out += "%28";
    else if (ch === ")") out += "%29";
    else if (ch === " ") out += "%20";
    else if (ch === "<") out += "%3C";
    else if (ch === ">") out += "%3E";
    else out += ch;
  }
  return out;
}
