/**
 * `scripts/replay-research.ts`: a recorded research run — workspace tools and
 * a data tool (nightshift's MCP get_report, which needs the project's database)
 * — replayed from its JSON on a fresh checkout at the commit it researched:
 * the workspace tools run again, the data tool plays back what it answered;
 * replayed at an older commit it fails at the first result that differs.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayResearch } from "../../scripts/replay-research";
import { makeSampleRepo, removeSampleRepo, SAMPLE_BUGS } from "../../scripts/local/make-sample-repo";
import { recordedHead, recordedTools, unfenced } from "../../workers/agent/recorded-tools";
import { fenceToolOutput } from "../../workers/agent/fence-output";
import type { RunRecord } from "../../workers/agent/run-record";
import type { AgentTool } from "../../workers/agent/tool";
import { AgentResearcher } from "../../workers/research/agent-researcher";
import { summarizeEvidence } from "../../workers/research/evidence";
import type { ResearchInput } from "../../workers/research/research";
import { anthropicClient } from "../../workers/safety/anthropic-client";
import { DiskWorkspace } from "../../evals/host-workspace";
import { modelTurn, scripted, use } from "./agent-fake-anthropic";

const DIR = "/workspace/shop";
const bug = SAMPLE_BUGS.find((b) => b.id === "csv-export-latin1")!;
let repo: string;
let head: string;
let before: string;

beforeAll(() => {
  repo = makeSampleRepo();
  head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo, encoding: "utf8" }).trim();
  // the commit before the one that brought the bug: the export file read differently then
  before = execFileSync("git", ["rev-list", "-n", "1", "--skip", "1", "HEAD", "--", bug.file], { cwd: repo, encoding: "utf8" }).trim();
});

afterAll(() => {
  if (repo) removeSampleRepo(repo);
});

const report: ResearchInput = {
  reportId: "rep_csv",
  project: "shop",
  weight: 2,
  signals: [{ id: "s1", source_product: "support", source_type: "ticket", weight: 2, received_at: Date.UTC(2026, 11, 1, 12), content: "The orders CSV export shows Ã© instead of é for customer names." }],
};

const getReport: AgentTool = {
  name: "get_report",
  description: "the report (stands in for nightshift's MCP tool)",
  inputSchema: { type: "object", properties: { report_id: { type: "string" } }, required: ["report_id"] },
  untrusted: true,
  run: async () => ({ text: JSON.stringify({ report: { id: "rep_csv", state: "researching", signals: 1 } }) }),
};

async function recordRun(): Promise<RunRecord> {
  const ws = new DiskWorkspace();
  try {
    await ws.gitCheckout(repo, undefined, DIR);
    const t = scripted([
      { reply: modelTurn("", [use("a", "get_report", { report_id: "rep_csv" })]) },
      { reply: modelTurn("", [use("b", "search_code", { query: "latin1" })]) },
      {
        reply: modelTurn("", [
          use("c", "submit_research", {
            title: "CSV export encodes as latin1",
            summary: "the export writes latin1",
            findings: [],
            reviewers: [],
            priority: "P2",
            confidence: 0.7,
            actionability: { bucket: "actionable", rule: "located", reason: "the encoding is named in one line" },
            already_addressed: null,
          }),
        ]),
      },
    ]);
    const researcher = new AgentResearcher({ client: anthropicClient({ apiKey: "k", baseURL: "http://anthropic.fake", fetch: t.fetch, maxRetries: 0 }) });
    const { run } = await researcher.research({
      report,
      evidence: summarizeEvidence(report),
      repo: { workspace: ws, dir: DIR, url: repo, branch: "main", head, testCommand: null },
      tools: [getReport],
    });
    expect(t.failures).toEqual([]);
    return JSON.parse(JSON.stringify(run)) as RunRecord;
  } finally {
    ws.dispose();
  }
}

describe("replaying a recorded research run", () => {
  it("plays back the data tools, runs the workspace tools again at the recorded commit, and agrees", async () => {
    const rec = await recordRun();
    expect(recordedHead(rec)).toBe(head);
    const played = recordedTools(rec, ["bash", "read_file", "search_code"], "submit_research");
    expect(played.map((t) => t.name)).toEqual(["get_report"]);
    expect(await played[0].run({})).toEqual({ text: JSON.stringify({ report: { id: "rep_csv", state: "researching", signals: 1 } }), isError: false });
    expect((await played[0].run({})).isError).toBe(true);
    const r = await replayResearch(rec, repo, null);
    expect(r.lines.join("\n")).toMatch(/2 tool result\(s\), all as recorded/);
    expect(r.ok).toBe(true);
  });

  it("fails at the first result that differs when replayed at another commit", async () => {
    const rec = await recordRun();
    const r = await replayResearch(rec, repo, before);
    expect(r.ok).toBe(false);
    expect(r.lines[0]).toMatch(/^step \d+: search_code \(b\) answered differently$/);
  });

  it("takes a fenced result's own text back out of its fence", () => {
    const text = "line 1\n</tool_output-x> not a close\nline 3";
    expect(unfenced(fenceToolOutput("t", text))).toBe(text);
    expect(unfenced("plain")).toBe("plain");
  });
});
