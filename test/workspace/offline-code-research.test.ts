/**
 * The offline code researcher in workerd, on the sample app checked out in a
 * local-sandbox Workspace: the demo's signals are followed to files and lines
 * of the repository, blamed, and their reviewers named from the commit
 * authors and CODEOWNERS; a report whose code is elsewhere, and one that
 * names no code, need a human.
 */
import { describe, expect, inject, it } from "vitest";
import type { AgentTool } from "../../workers/agent/tool";
import { dataResult } from "../../workers/mcp/tool-result";
import { summarizeEvidence } from "../../workers/research/evidence";
import { OfflineCodeResearcher } from "../../workers/research/offline-code-researcher";
import { ResearchOutput } from "../../workers/research/output";
import type { CodeResearchInput, EvidenceSignal, RepoCheckout } from "../../workers/research/research";
import { triageClassifierFromEnv } from "../../workers/triage/from-env";
import { workspaceFromEnv } from "../../workers/workspace/from-env";

const env = { WORKSPACE: "local", LOCAL_SANDBOX_URL: inject("sandboxUrl") };
const researcher = () => new OfflineCodeResearcher({ triage: triageClassifierFromEnv({}) });
const stream = inject("sampleStream");
const HOUR = 3_600_000;
// after the sample app's last commit (2026-12-01), as live signals are
const T0 = Date.parse("2026-12-01T12:00:00Z");

async function checkout(): Promise<RepoCheckout> {
  const ws = workspaceFromEnv(env, `r${Math.random().toString(36).slice(2, 10)}`);
  await ws.gitCheckout(inject("sampleRepoUrl"), "main", "/workspace/repo");
  const head = (await ws.exec("git rev-parse HEAD", { cwd: "/workspace/repo" })).stdout.trim();
  return { workspace: ws, dir: "/workspace/repo", url: inject("sampleRepoUrl"), branch: "main", head, testCommand: "npm test" };
}

function input(ids: string[], repo: RepoCheckout | null, receivedAt = T0): CodeResearchInput {
  const signals: EvidenceSignal[] = ids.map((id, i) => {
    const s = stream.find((x) => x.id === id);
    if (!s) throw new Error(`no demo signal ${id}`);
    return { id, source_product: s.source_product, source_type: s.source_type, content: s.content, weight: 1, received_at: receivedAt + i * HOUR };
  });
  const report = { reportId: "rep_1", project: "demo", weight: signals.length, signals };
  return { report, evidence: summarizeEvidence(report), repo, tools: [] };
}

describe("offline code research on the sample app", () => {
  it("follows a stack trace to the line, its commit and its author, and names the area's owners", async () => {
    const repo = await checkout();
    const { output, run } = await researcher().research(input(["s01", "s02", "s03", "s04", "s32"], repo));
    expect(ResearchOutput.parse(output)).toEqual(output);
    expect(output.actionability).toMatchObject({ bucket: "actionable", rule: "located_in_code" });
    const finding = output.findings.find((f) => f.locations.some((l) => l.path === "src/checkout/totals.js"))!;
    expect(finding.locations[0]).toEqual({ path: "src/checkout/totals.js", line: 42, snippet: "const lines = cart.items;" });
    expect(finding.signal_ids.sort()).toEqual(["s01", "s04", "s32"]);
    // the trace's PaymentStep.tsx is the repository's payment-step.js
    expect(output.findings.flatMap((f) => f.locations.map((l) => l.path))).toContain("src/checkout/payment-step.js");
    const blamed = finding.commits[0];
    expect(blamed.sha).toMatch(/^[0-9a-f]{40}$/);
    const real = await repo.workspace.exec("git log -1 --format=%H%x09%an -L42,42:src/checkout/totals.js --no-patch", { cwd: repo.dir });
    expect(real.stdout.trim().split("\n")[0]).toBe(`${blamed.sha}\t${blamed.author}`);
    // reviewers: the blamed author joined to her CODEOWNERS login, then the area's team
    expect(output.reviewers[0]).toMatchObject({ handle: "@maya-chen", sources: ["blame", "codeowners"] });
    expect(output.reviewers.map((r) => r.handle)).toContain("@shop/payments");
    expect(output.reviewers.some((r) => /bot/i.test(r.handle))).toBe(false);
    expect(output.priority).toMatch(/^P[0-4]$/);
    // the run is recorded: each git command and its result
    expect(run.agent).toBe("offline-code-v1");
    expect(run.tool_calls).toBeGreaterThan(3);
    expect(run.steps.filter((s) => s.kind === "tool_call").map((s) => s.kind === "tool_call" && s.name)).toEqual(expect.arrayContaining(["ls_files", "git_blame", "git_log"]));
    expect(run.steps.filter((s) => s.kind === "tool_result").every((s) => s.kind === "tool_result" && !s.is_error)).toBe(true);
  });

  it("finds the identifier a ReferenceError names, and its author", async () => {
    const repo = await checkout();
    const { output } = await researcher().research(input(["s14", "s15", "s16"], repo));
    expect(output.actionability.bucket).toBe("actionable");
    const paths = output.findings.flatMap((f) => f.locations.map((l) => `${l.path}:${l.snippet}`));
    expect(paths, JSON.stringify(output.findings, null, 1)).toContain('src/pricing/variant-b.js:trackTrialClick(ctx.events, "b");');
    expect(output.reviewers[0]).toMatchObject({ handle: "@priya-natarajan" });
  });

  it("asks which repository holds code the signals point at but this one does not", async () => {
    const repo = await checkout();
    const { output } = await researcher().research(input(["s27", "s28", "s29"], repo));
    expect(output.actionability).toMatchObject({ bucket: "needs_human", rule: "code_not_in_repository" });
    if (output.actionability.bucket === "needs_human") expect(output.actionability.question).toContain("src/workers/thumbnail.ts");
    expect(output.priority).toBeNull();
  });

  it("never turns a report that names no code into a change", async () => {
    const repo = await checkout();
    const { output, run } = await researcher().research(input(["s02", "s07", "s13", "s26"], repo));
    expect(output.actionability.bucket).toBe("needs_human");
    // the question names what the report is about (its title), not a generic prompt
    if (output.actionability.bucket === "needs_human") expect(output.actionability.question).toContain(`"${output.title.slice(0, 40)}`);
    expect(output.findings.every((f) => f.locations.length === 0)).toBe(true);
    expect(run.stop_reason).toBe("done");
  });

  it("calls a report already addressed when a commit touched its code after the last signal", async () => {
    const repo = await checkout();
    // the signals stopped in 2020, long before the sample app's history
    const { output } = await researcher().research(input(["s01", "s04", "s32"], repo, Date.parse("2020-01-01T00:00:00Z")));
    expect(output.actionability).toMatchObject({ bucket: "not_actionable", rule: "already_addressed" });
    expect(output.already_addressed?.commit.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it("calls a report of noise alone not actionable, and one its newest signal withdraws", async () => {
    const own = (id: string, content: string, at: number): EvidenceSignal => ({ id, source_product: "support", source_type: "ticket", content, weight: 1, received_at: at });
    const report = (signals: EvidenceSignal[]): CodeResearchInput => {
      const r = { reportId: "rep_n", project: "demo", weight: signals.length, signals };
      return { report: r, evidence: summarizeEvidence(r), repo: null, tools: [] };
    };
    const noise = await researcher().research(report([own("n1", "+1", T0), own("n2", "same here", T0 + HOUR)]));
    expect(noise.output.actionability).toMatchObject({ bucket: "not_actionable", rule: "noise_only" });
    expect(noise.output.actionability.reason).toContain("duplicate");
    const withdrawn = await researcher().research(
      report([
        own("w1", "Subject: checkout not working\nBody: I can't pay, the checkout keeps failing with a network error.", T0),
        own("w2", "Subject: Re: checkout not working\nBody: Never mind, it was my company VPN blocking the payment provider. Works now, sorry!", T0 + HOUR),
      ]),
    );
    expect(withdrawn.output.actionability).toMatchObject({ bucket: "not_actionable", rule: "withdrawn" });
    // the same two, the other way round (the complaint is the newest word): not withdrawn
    const reopened = await researcher().research(
      report([
        own("w2", "Subject: Re: checkout not working\nBody: Never mind, it was my company VPN blocking the payment provider. Works now, sorry!", T0),
        own("w1", "Subject: checkout not working\nBody: I can't pay, the checkout keeps failing with a network error.", T0 + HOUR),
      ]),
    );
    expect(reopened.output.actionability.rule).not.toBe("withdrawn");
  });

  it("says when signals with the same fingerprint sit in other reports, asked through the MCP tool related_signals", async () => {
    const asked: unknown[] = [];
    const related: AgentTool = {
      name: "related_signals",
      description: "nightshift's related_signals, answering as the MCP server does",
      inputSchema: { type: "object" },
      untrusted: true,
      async run(input) {
        asked.push(input);
        const result = dataResult({ by: "fingerprint", count: 3, related: [
          { id: "s04", report_id: "rep_1" },
          { id: "x9", report_id: "rep_other" },
          { id: "x8", report_id: "rep_other" },
          { id: "x7", report_id: null },
        ] });
        return { text: (result.content[0] as { text: string }).text };
      },
    };
    const base = input(["s01", "s04"], null);
    const { output, run } = await researcher().research({ ...base, tools: [related] });
    expect(asked[0]).toEqual({ signal_id: "s01", by: "fingerprint", limit: 50 });
    expect(output.summary).toContain("2 more signals with the same fingerprint sit in other report (rep_other: 2)");
    expect(run.steps.filter((s) => s.kind === "tool_call").map((s) => s.kind === "tool_call" && s.name)).toContain("related_signals");
  });

  it("answers from the evidence alone when no repository is connected", async () => {
    const { output, run } = await researcher().research(input(["s01", "s04", "s32"], null));
    expect(output.actionability.bucket).toBe("actionable");
    expect(output.findings.every((f) => f.commits.length === 0)).toBe(true);
    expect(output.summary).toContain("No repository is connected");
    expect(run.steps).toEqual([]);
  });
});
