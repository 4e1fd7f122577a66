/**
 * Replaying a recorded agent run (workers/agent/replay.ts): a research run on
 * the sample app is recorded (through JSON, as it is stored), replayed with
 * the tools running again (passes, same answer, same steps), then replayed
 * after one file of the checkout changed (fails at the step whose tool result
 * differs, with both texts); runs that stopped at a budget or on an API
 * failure replay to the same stop.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordedTurns, replayRun } from "../../workers/agent/replay";
import type { RunRecord } from "../../workers/agent/run-record";
import { workspaceTools } from "../../workers/agent/workspace-tools";
import { AgentResearcher, AgentResearchError, SUBMIT_RESEARCH } from "../../workers/research/agent-researcher";
import { summarizeEvidence } from "../../workers/research/evidence";
import type { CodeResearchInput, ResearchInput } from "../../workers/research/research";
import { anthropicClient } from "../../workers/safety/anthropic-client";
import { makeSampleRepo, removeSampleRepo, SAMPLE_BUGS } from "../../scripts/local/make-sample-repo";
import { modelTurn, scripted, use, type Turn } from "./agent-fake-anthropic";
import { DiskWorkspace } from "../../evals/host-workspace";
import { apiError } from "./llm-fake-anthropic";

const DIR = "/workspace/shop";
const bug = SAMPLE_BUGS.find((b) => b.id === "csv-export-latin1")!;
let repo: string;
let ws: DiskWorkspace;
let line: number;

beforeAll(async () => {
  repo = makeSampleRepo();
  ws = new DiskWorkspace();
  await ws.gitCheckout(repo, undefined, DIR);
  line = Number(execFileSync("git", ["grep", "-n", "-F", "-e", bug.line, "--", bug.file], { cwd: repo, encoding: "utf8" }).split(":")[1]);
});

afterAll(() => {
  ws?.dispose();
  if (repo) removeSampleRepo(repo);
});

const report: ResearchInput = {
  reportId: "rep_csv",
  project: "shop",
  weight: 2,
  signals: [{ id: "s1", source_product: "support", source_type: "ticket", weight: 2, received_at: Date.UTC(2026, 11, 1), content: "The orders CSV export shows Ã© instead of é for customer names." }],
};
const input = (): CodeResearchInput => ({
  report,
  evidence: summarizeEvidence(report),
  repo: { workspace: ws, dir: DIR, url: "https://git.example/shop.git", branch: "main", head: "abc1234", testCommand: null },
  tools: [],
});

const answer = () => ({
  title: "CSV export encodes as latin1, mangling accented names",
  summary: "ordersCsvBuffer writes latin1.",
  findings: [{ signal_ids: ["s1"], what: "latin1 buffer", locations: [{ path: bug.file, line, snippet: bug.line.trim() }], commits: [] }],
  reviewers: [{ handle: "@ben-okafor", email: null, sources: ["codeowners" as const], reason: "owns src/reports/" }],
  priority: "P2",
  confidence: 0.7,
  actionability: { bucket: "actionable", rule: "file and line", reason: "the encoding is named in one line" },
  already_addressed: null,
});

function researchTurns(): Turn[] {
  return [
    { reply: modelTurn("Looking for the export.", [use("a", "search_code", { query: "latin1" })]) },
    { reply: modelTurn("", [use("b", "read_file", { path: bug.file, start_line: line - 1, end_line: line + 1 }), use("c", "bash", { command: `git log -n 3 --format='%h %an %s' -- ${bug.file}` })]) },
    { reply: modelTurn("", [use("d", "submit_research", answer())]) },
  ];
}

async function record(turns: Turn[], budgets = {}): Promise<RunRecord> {
  const t = scripted(turns);
  const researcher = new AgentResearcher({ client: anthropicClient({ apiKey: "k", baseURL: "http://anthropic.fake", fetch: t.fetch, maxRetries: 0 }), budgets });
  const run = await researcher.research(input()).then(
    (r) => r.run,
    (e) => {
      if (e instanceof AgentResearchError) return e.run;
      throw e;
    },
  );
  expect(t.failures).toEqual([]);
  // stored as JSON, replayed from JSON
  return JSON.parse(JSON.stringify(run)) as RunRecord;
}

const tools = () => workspaceTools(ws, DIR, { write: false });

describe("replayRun", () => {
  it("replays a recorded run: the same tool results, the same answer, no model and no key", async () => {
    const rec = await record(researchTurns());
    expect(rec.stop_reason).toBe("done");
    expect(recordedTurns(rec).map((m) => m.content.map((b) => b.type))).toEqual([["text", "tool_use"], ["tool_use", "tool_use"], ["tool_use"]]);
    const r = await replayRun(rec, { tools: tools(), finalTool: SUBMIT_RESEARCH });
    expect(r.ok).toBe(true);
    expect(r.run.answer).toEqual(answer());
    expect(r.run.record.stop_reason).toBe("done");
    expect(r.run.record.steps.map((s) => s.kind)).toEqual(rec.steps.map((s) => s.kind));
    expect(r.run.record.system).toBe(rec.system);
    expect(r.run.record.input_tokens).toBe(rec.input_tokens);
  });

  it("fails at the step whose tool result differs when the checkout changed", async () => {
    const rec = await record(researchTurns());
    const path = `${DIR}/${bug.file}`;
    const original = await ws.readFile(path);
    try {
      await ws.writeFile(path, original.replace(bug.line, bug.line.replace('"latin1"', '"utf8"')));
      const r = await replayRun(rec, { tools: tools(), finalTool: SUBMIT_RESEARCH });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      // steps: 0 model, 1 call a, 2 result a (search: the working tree's latin1 line is gone)
      expect(rec.steps[r.step]).toMatchObject({ kind: "tool_result", id: "a", name: "search_code" });
      expect(r.step).toBe(2);
      expect(r.reason).toBe("search_code (a) answered differently");
      expect(r.expected).toContain(bug.file);
      expect(r.actual).not.toContain(`${bug.file}:${line}:`);
    } finally {
      await ws.writeFile(path, original);
    }
    // a change only the read sees: the first two results agree, the read differs
    await ws.writeFile(path, original.split("\n").map((l, i) => (i === line - 2 ? `${l} // touched` : l)).join("\n"));
    try {
      const r = await replayRun(rec, { tools: tools(), finalTool: SUBMIT_RESEARCH });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(rec.steps[r.step]).toMatchObject({ kind: "tool_result", id: "b", name: "read_file" });
    } finally {
      await ws.writeFile(path, original);
    }
    expect((await replayRun(rec, { tools: tools(), finalTool: SUBMIT_RESEARCH })).ok).toBe(true);
  });

  it("replays runs that stopped at the tool-call budget and on an API failure to the same stop", async () => {
    const budget = await record(researchTurns(), { maxToolCalls: 2 });
    expect(budget.stop_reason).toBe("budget_tool_calls");
    const rb = await replayRun(budget, { tools: tools(), finalTool: SUBMIT_RESEARCH });
    expect(rb.ok).toBe(true);
    expect(rb.run.record.stop_reason).toBe("budget_tool_calls");
    expect(rb.run.record.tool_calls).toBe(2);

    const failed = await record([researchTurns()[0], { reply: apiError(500, "api_error") }]);
    expect(failed.stop_reason).toBe("model_error");
    const rf = await replayRun(failed, { tools: tools(), finalTool: SUBMIT_RESEARCH });
    expect(rf.ok).toBe(true);
    expect(rf.run.record.stop_reason).toBe("model_error");
  });

  it("fails when a tool the run used is missing: its result differs", async () => {
    const rec = await record(researchTurns());
    const r = await replayRun(rec, { tools: tools().filter((t) => t.name !== "bash"), finalTool: SUBMIT_RESEARCH });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(rec.steps[r.step]).toMatchObject({ kind: "tool_result", id: "c", name: "bash" });
      expect(r.actual).toBe("There is no tool named bash.");
    }
  });
});
