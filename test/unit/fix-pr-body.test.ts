/**
 * workers/fix/pr-body.ts: the draft pull request built from a report, its
 * research and the test runs — sections present, untrusted text inert
 * (closing fences, HTML comments, <details>, @mentions and team pings,
 * "fixes #12"), only valid reviewer handles mention, the 65,536 cap.
 */
import { describe, expect, it } from "vitest";
import {
  buildPullRequest,
  codeSpan,
  fenced,
  GITHUB_BODY_LIMIT,
  inline,
  NIGHTSHIFT_LABEL,
  neutralise,
  parseCounts,
  type PrBodyInput,
} from "../../workers/fix/pr-body";
import { ResearchOutput } from "../../workers/research/output";

const ZWSP = "\u200B";

function research(over: Partial<ResearchOutput> = {}): ResearchOutput {
  return ResearchOutput.parse({
    title: "Checkout crashes on empty cart",
    summary: "TypeError: cannot read properties of undefined (reading 'total') in checkout.",
    findings: [
      {
        signal_ids: ["sig-1", "sig-2"],
        what: "cart.total is read before the cart loads",
        locations: [{ path: "src/checkout.ts", line: 42, snippet: "const t = cart.total;" }],
        commits: [
          { sha: "abcdef1234567890", author: "Ada", email: null, date: "2026-11-30T10:00:00Z", subject: "Speed up checkout" },
        ],
      },
    ],
    reviewers: [{ handle: "ada-l", email: null, sources: ["blame"], reason: "last touched checkout.ts" }],
    priority: "P1",
    confidence: 0.8,
    actionability: { bucket: "actionable", rule: "stack_in_repo", reason: "the stack names repo code" },
    already_addressed: null,
    ...over,
  });
}

function input(over: Partial<PrBodyInput> = {}): PrBodyInput {
  return {
    report: { id: "rep_123" },
    linkBase: "https://nightshift.example/",
    research: research(),
    evidence: { signalCount: 7, sources: [{ source: "sentry", count: 5 }, { source: "slack", count: 2 }] },
    tests: {
      baseline: { command: "npm test", exitCode: 1, output: "FAIL checkout\n Tests  1 failed | 9 passed (10)\n" },
      result: { command: "npm test", exitCode: 0, output: " Tests  11 passed (11)\n" },
    },
    ...over,
  };
}

/** Lines that open or close a fenced code block (CommonMark: ≥3 backticks at line start, ≤3 spaces indent). */
function fenceLines(body: string): string[] {
  return body.split("\n").filter((l) => /^ {0,3}```/.test(l));
}

/** Walk the body as a CommonMark fence parser would and return the text outside any fence. */
function outsideFences(body: string): string {
  const out: string[] = [];
  let open: string | null = null;
  for (const line of body.split("\n")) {
    const m = /^ {0,3}(`{3,})/.exec(line);
    if (open === null) {
      if (m) open = m[1]!;
      else out.push(line);
    } else if (m && m[1]!.length >= open.length && line.trim() === m[1]) {
      open = null;
    }
  }
  expect(open).toBeNull();
  return out.join("\n");
}

describe("buildPullRequest", () => {
  it("has the sections, counts, root cause, tests, reviewers, link and label", () => {
    const pr = buildPullRequest(input());
    expect(pr.draft).toBe(true);
    expect(pr.labels).toEqual([NIGHTSHIFT_LABEL]);
    expect(pr.title).toBe("fix: Checkout crashes on empty cart");
    for (const h of ["## Problem", "## Evidence", "## Root cause", "## Tests", "## Reviewers"]) expect(pr.body).toContain(h);
    expect(pr.body).toContain("7 signals from sentry (5), slack (2)");
    expect(pr.body).toContain("`src/checkout.ts:42`");
    expect(pr.body).toContain("commit `abcdef123456` Speed up checkout");
    expect(pr.body).toContain("exit code 1, 9 passed, 1 failed");
    expect(pr.body).toContain("exit code 0, 11 passed, 0 failed");
    expect(pr.body).toContain("- @ada-l (blame): last touched checkout\\.ts");
    expect(pr.body).toContain("(https://nightshift.example/reports/rep_123)");
    expect(pr.truncated).toBe(false);
    expect(pr.body).not.toMatch(/\b(close[sd]?|fix(e[sd])?|resolve[sd]?) #/i);
  });

  it("says Closes #n only when asked", () => {
    expect(buildPullRequest(input({ closesIssue: 12 })).body).toContain("\nCloses #12\n");
    expect(buildPullRequest(input()).body).not.toContain("Closes");
  });

  it("test output cannot close its fence, open comments or ping people", () => {
    const evil = [
      "```",
      "## Injected heading",
      "````````",
      "<!-- hide the rest",
      "<details><summary>x</summary>",
      "@octo-org/security-team please approve",
      "fixes #12, Closes org/repo#3, resolves https://github.com/o/r/issues/4, GH-5",
      "```",
    ].join("\n");
    const pr = buildPullRequest(
      input({ tests: { baseline: { command: "npm test ``` @x", exitCode: 1, output: evil }, result: null } }),
    );
    const outside = outsideFences(pr.body);
    expect(outside).not.toContain("## Injected heading");
    expect(outside).not.toContain("<!--");
    expect(outside).not.toContain("<details>");
    expect(pr.body).not.toContain("@octo-org");
    expect(pr.body).toContain(`@${ZWSP}octo-org/security-team`);
    expect(pr.body).not.toMatch(/#\d/);
    expect(pr.body).not.toMatch(/\bfixes\b|\bcloses\b|\bresolves\b/i);
    expect(pr.body).not.toContain("GH-5");
    // the fence around the output is longer than the longest backtick run in it (8)
    expect(fenceLines(pr.body).some((l) => l.startsWith("`".repeat(9)))).toBe(true);
    expect(pr.body).toContain("**After the fix:** not run.");
  });

  it("signals, research prose and commit subjects are inert inline text", () => {
    const r = research({
      summary: "## Boom\n<!-- x --> [click](javascript:alert(1)) ![img](http://e/x.png) @everyone fixes #1\n- item | col",
      findings: [
        {
          signal_ids: ["s"],
          what: "<details open>hidden</details> `code` **bold**",
          locations: [{ path: "src/a`b.ts", line: null, snippet: "x = `y` // @dev" }],
          commits: [{ sha: "abc1234", author: "@mallory", email: null, date: "2026", subject: "Fixes #99 <img src=x>" }],
        },
      ],
    });
    const pr = buildPullRequest(
      input({
        research: r,
        evidence: { signalCount: 1, sources: [{ source: "slack <b>", count: 1 }], excerpts: [{ source: "slack", text: "```\n@channel\n```\n<!--" }] },
      }),
    );
    const outside = outsideFences(pr.body);
    expect(outside).not.toMatch(/<!--|<details|<img|<b>/);
    expect(outside).not.toContain("](javascript");
    expect(outside).not.toContain("![img]");
    expect(outside).not.toMatch(/^#+ Boom/m);
    expect(outside).not.toMatch(/^- item/m);
    expect(pr.body).not.toMatch(/@(everyone|mallory|channel|dev)/);
    expect(pr.body).not.toMatch(/#\d/);
    expect(pr.body).toContain("&lt;details open&gt;");
  });

  it("only valid GitHub logins and org/team handles become mentions", () => {
    const r = research({
      reviewers: [
        { handle: "@octo-org/web", email: null, sources: ["codeowners"], reason: "owns src/" },
        { handle: "Ada Lovelace", email: null, sources: ["blame"], reason: "author" },
        { handle: "@bad--name", email: null, sources: ["blame"], reason: "r" },
        { handle: "evil](http://x) @victim", email: null, sources: ["blame"], reason: "@someone else" },
      ],
    });
    const body = buildPullRequest(input({ research: r })).body;
    expect(body).toContain("- @octo-org/web (codeowners)");
    expect(body).toContain("- Ada Lovelace (blame)");
    expect(body).not.toContain("@bad--name");
    expect(body).not.toContain("@victim");
    expect(body).not.toContain("@someone");
  });

  it("stays within 65,536 characters and says what was left out", () => {
    const bigFinding = (i: number) => ({
      signal_ids: [`s${i}`],
      what: "x".repeat(1000),
      locations: Array.from({ length: 10 }, (_, j) => ({ path: `src/${"d".repeat(400)}/${i}-${j}.ts`, line: j + 1, snippet: "y".repeat(300) })),
      commits: Array.from({ length: 5 }, () => ({ sha: "abc1234", author: "a".repeat(200), email: null, date: "2026", subject: "s".repeat(300) })),
    });
    const r = research({ findings: Array.from({ length: 50 }, (_, i) => bigFinding(i)) });
    const huge = "`".repeat(5000) + "\n" + "line\n".repeat(100_000);
    const pr = buildPullRequest(
      input({
        research: r,
        evidence: { signalCount: 50, sources: [], excerpts: Array.from({ length: 20 }, () => ({ source: "s", text: "z".repeat(50_000) })) },
        tests: { baseline: { command: "t", exitCode: 1, output: huge }, result: { command: "t", exitCode: 0, output: huge } },
      }),
    );
    expect(pr.body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(pr.body.length).toBeGreaterThan(GITHUB_BODY_LIMIT - 10_000);
    expect(pr.truncated).toBe(true);
    expect(pr.body).toMatch(/_\d+ more items left out to fit GitHub's 65536-character limit; see the report\._/);
    // the parts after the cut are whole: tests, reviewers and the link
    expect(pr.body).toContain("## Tests");
    expect(pr.body).toContain("- @ada-l");
    expect(pr.body).toContain("/reports/rep_123");
    outsideFences(pr.body);
  });

  it("a tiny limit still yields a body within it", () => {
    const pr = buildPullRequest(input({ limit: 300 }));
    expect(pr.body.length).toBeLessThanOrEqual(300);
    expect(pr.truncated).toBe(true);
  });

  it("titles are one line, neutralised and capped at 256", () => {
    const r = research({ title: "Fixes #3 @dev\nsecond line" });
    const pr = buildPullRequest(input({ research: r }));
    expect(pr.title).not.toContain("\n");
    expect(pr.title).not.toMatch(/#\d|@dev|Fixes /);
  });

  it("reads pass/fail counts of common runners, or none", () => {
    expect(parseCounts(" Tests  2 failed | 10 passed (12)")).toEqual({ passed: 10, failed: 2 });
    expect(parseCounts("Tests:       1 failed, 5 passed, 6 total")).toEqual({ passed: 5, failed: 1 });
    expect(parseCounts("==== 1 failed, 5 passed in 0.20s ====")).toEqual({ passed: 5, failed: 1 });
    expect(parseCounts("  5 passing (20ms)\n  1 failing\n\n  1) checkout\n")).toEqual({ passed: 5, failed: 1 });
    expect(parseCounts("ok  \tpkg\t0.01s")).toEqual({ passed: null, failed: null });
  });
});

describe("escaping helpers", () => {
  it("fenced: the fence is longer than any backtick run; CR and controls removed", () => {
    const f = fenced("a ````` b\r\nc\u0007\u202e");
    expect(f.startsWith("``````text\n")).toBe(true);
    expect(f.endsWith("\n``````")).toBe(true);
    expect(f).not.toMatch(/[\r\u0007\u202e]/);
  });

  it("codeSpan cannot be closed by its content", () => {
    expect(codeSpan("a `` b")).toBe("``` a `` b ```");
  });

  it("inline escapes markdown and HTML", () => {
    expect(inline("*a* [b](c) <x> & | \\")).toBe("\\*a\\* \\[b\\]\\(c\\) &lt;x&gt; &amp; \\| \\\\");
  });

  it("neutralise breaks mentions, refs and closing keywords but leaves lookalikes", () => {
    expect(neutralise("@a #1 fix Fixed RESOLVES gh-2")).toBe(`@${ZWSP}a #${ZWSP}1 f${ZWSP}ix F${ZWSP}ixed R${ZWSP}ESOLVES gh-${ZWSP}2`);
    expect(neutralise("prefix fixture closet a@ # x")).toBe("prefix fixture closet a@ # x");
  });

  it("is linear on adversarial text", () => {
    const s = "`".repeat(200_000) + "@".repeat(200_000) + "fixes ".repeat(50_000) + "<!--".repeat(50_000);
    expect(fenced(s).length).toBeGreaterThan(s.length);
    expect(inline(s).length).toBeGreaterThan(s.length);
  });
});
