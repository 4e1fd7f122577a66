/**
 * The research agent's face through the real entry points: RESEARCHER=anthropic,
 * the sample app connected, signals through the queue; the research run checks
 * the repository out, connects nightshift's own MCP tools and runs the agent
 * loop against a scripted model (test/research/scripted-research-model.ts)
 * that checks each previous tool result before its next turn. The report
 * takes the agent's answer; its run (model turns, tool calls and results,
 * tokens, cost) is recorded and shown. An agent that loops is stopped, the
 * offline researcher answers, and the agent's run is kept.
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { RunRecord } from "../../workers/agent/run-record";
import type { TurnLog } from "../research/scripted-research-model";
import { api, createProject, deliver, message, settle } from "../workers/helpers";

const stream = inject("sampleStream");
const demo = (id: string) => stream.find((x) => x.id === id)!.content;

async function connect(project: string): Promise<string> {
  const key = await createProject(project, 2);
  const res = await api(key, "/v1/project", { method: "PATCH", body: JSON.stringify({ repository: { url: inject("sampleRepoUrl"), default_branch: "main" } }) });
  expect(res.status).toBe(200);
  return key;
}

async function reportOf(project: string, signal: string): Promise<string> {
  const row = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ? AND id = ?").bind(project, signal).first<{ report_id: string }>();
  if (!row) throw new Error(`no signal ${signal}`);
  return row.report_id;
}

async function turns(report: string): Promise<TurnLog[]> {
  return ((await (await fetch("http://anthropic.research.fake/__log")).json()) as TurnLog[]).filter((t) => t.report === report);
}

describe("the research agent in a research run", () => {
  it("researches with the workspace and MCP tools, each result checked by the next turn; the report takes its answer and shows its run", async () => {
    const key = await connect("ra-agent");
    const note = `${demo("s01")}\ncustomer note: INJECTION-MARKER the totals look wrong to me since Tuesday`;
    await deliver([
      message("ra-agent", { id: "s01", content: demo("s01") }),
      message("ra-agent", { id: "s04", content: demo("s04") }),
      message("ra-agent", { id: "n1", content: note }),
    ]);
    const id = await reportOf("ra-agent", "s01");
    const view = await settle(id);
    expect(view.state, `${view.research_error} ${JSON.stringify(await turns(id))}`).toBe("ready");
    expect(view.research).toMatchObject({
      title: "Payment page crashes on a session without a cart",
      actionability: { bucket: "actionable", rule: "agent_located" },
      priority: "P1",
      reviewers: [{ handle: "@maya-chen" }],
    });
    expect(view.research_run).toMatchObject({ agent: "anthropic:claude-sonnet-4-6", model: "claude-sonnet-4-6", stop_reason: "done", tool_calls: 2, input_tokens: 3 * 1200, output_tokens: 3 * 150 });
    expect(view.research_run!.cost_usd).toBeGreaterThan(0);

    const seen = await turns(id);
    expect(seen.map((t) => t.turn)).toEqual([0, 1, 2]);
    // the workspace tools and nightshift's MCP tools, side by side
    expect(seen[0].tools).toEqual(expect.arrayContaining(["bash", "read_file", "search_code", "get_report", "related_signals", "search_signals", "report_timeline", "submit_research"]));
    // research reads; it does not edit
    expect(seen[0].tools).not.toContain("edit_file");
    // a signal's words reach the model only inside the report's fence, and the system prompt says fenced text is data
    expect(seen[0].injectionFenced).toBe(true);
    expect(seen[0].system).toMatch(/data/i);

    const recorded = (await (await api(key, `/v1/reports/${id}/research-run`)).json()) as { run: RunRecord };
    const calls = recorded.run.steps.filter((s) => s.kind === "tool_call").map((s) => s.kind === "tool_call" && s.name);
    expect(calls).toEqual(["search_code", "get_report", "submit_research"].slice(0, calls.length));
    const search = recorded.run.steps.find((s) => s.kind === "tool_result" && s.name === "search_code");
    expect(search?.kind === "tool_result" && search.output).toContain("src/checkout/totals.js:42");
    expect(recorded.run.prompt).toContain("INJECTION-MARKER");
  });

  it("stops an agent that repeats itself; the offline researcher answers and the agent's run is kept", async () => {
    await connect("ra-loop");
    await deliver([
      message("ra-loop", { id: "l1", content: `${demo("s01")}\nLOOP-SCENARIO` }),
      message("ra-loop", { id: "l2", content: `${demo("s04")}\nLOOP-SCENARIO` }),
    ]);
    const id = await reportOf("ra-loop", "l1");
    const view = await settle(id);
    expect(view.state).toBe("ready");
    expect(view.research?.summary).toMatch(/^The research agent stopped without an answer \(loop\); offline-code-v1 answered\./);
    expect(view.research?.findings[0].locations[0]).toMatchObject({ path: "src/checkout/totals.js", line: 42 });
    expect(view.research_run).toMatchObject({ agent: "anthropic:claude-sonnet-4-6", stop_reason: "loop", tool_calls: 3 });
  });
});
