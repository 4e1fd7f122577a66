/**
 * Research that reads the project's repository, through the real entry
 * points: a project connects the sample app (PATCH /v1/project), the demo's
 * signals arrive through the queue, the report is promoted, its research run
 * checks the repository out in a Workspace (the local sandbox service) and
 * the offline code researcher follows the signals to files, lines, commits
 * and reviewers; the three buckets are routed by the report Durable Object
 * (ready; needs_input with the question; back to the pool), and the whole
 * run is recorded.
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { ReportView } from "../../durable-objects/report";
import { api, createProject, deliver, message, settle, waitForReport } from "../workers/helpers";

const stream = inject("sampleStream");
const demo = (id: string) => {
  const s = stream.find((x) => x.id === id);
  if (!s) throw new Error(`no demo signal ${id}`);
  return s;
};

async function connect(project: string, threshold = 2): Promise<string> {
  const key = await createProject(project, threshold);
  const res = await api(key, "/v1/project", { method: "PATCH", body: JSON.stringify({ repository: { url: inject("sampleRepoUrl"), default_branch: "main", test_command: "npm test" } }) });
  expect(res.status, await res.clone().text()).toBe(200);
  return key;
}

async function reportOf(project: string, signal: string): Promise<string> {
  const row = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ? AND id = ?").bind(project, signal).first<{ report_id: string }>();
  if (!row) throw new Error(`no signal ${signal}`);
  return row.report_id;
}

async function send(project: string, ids: string[], as: (id: string) => string = (id) => id) {
  await deliver(ids.map((id) => message(project, { id: as(id), source_product: demo(id).source_product, source_type: demo(id).source_type, content: demo(id).content })));
}

describe("research with the project's repository", () => {
  it("follows a checkout crash into the sample app: the line, its commit, its author and owners; the run is recorded", async () => {
    const key = await connect("rr-repo-ready");
    await send("rr-repo-ready", ["s01", "s04", "s32"]);
    const id = await reportOf("rr-repo-ready", "s01");
    const view: ReportView = await settle(id);
    expect(view.state, JSON.stringify(view.history)).toBe("ready");
    const research = view.research!;
    expect(research.actionability).toMatchObject({ bucket: "actionable", rule: "located_in_code" });
    const finding = research.findings[0];
    expect(finding.locations[0]).toEqual({ path: "src/checkout/totals.js", line: 42, snippet: "const lines = cart.items;" });
    expect(finding.commits[0]).toMatchObject({ author: "Maya Chen", sha: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(research.reviewers.map((r) => r.handle)).toEqual(expect.arrayContaining(["@maya-chen", "@shop/payments"]));
    expect(research.priority).toMatch(/^P[0-4]$/);
    expect(view.research_run).toMatchObject({ agent: "offline-code-v1", stop_reason: "done" });
    expect(view.research_run!.tool_calls).toBeGreaterThan(3);

    const inbox = (await (await api(key, "/v1/inbox")).json()) as { ready: { report_id: string; research: { where: string[]; reviewers: string[] } }[] };
    const entry = inbox.ready.find((e) => e.report_id === id)!;
    expect(entry.research.where[0]).toBe("src/checkout/totals.js:42");
    expect(entry.research.reviewers[0]).toBe("@maya-chen");

    const recorded = (await (await api(key, `/v1/reports/${id}/research-run`)).json()) as { run: { steps: { kind: string; name?: string; output?: string; is_error?: boolean }[] } };
    const blame = recorded.run.steps.find((s) => s.kind === "tool_result" && s.name === "git_blame");
    expect(blame?.output).toContain("author Maya Chen");
    // related signals asked through nightshift's own MCP server, in process, scoped to the report
    const related = recorded.run.steps.filter((s) => s.kind === "tool_result" && s.name === "related_signals");
    expect(related.length).toBeGreaterThan(0);
    expect(related.every((s) => s.is_error === false)).toBe(true);

    // no LLM key here: the fix run stops at once and the inbox says why, instead of a pull request
    const fixed = await waitForReport(id, (v) => v.fix?.status === "needs_llm_key", "told that its fix needs an LLM key");
    expect(fixed.fix).toMatchObject({ pull: null, pushes: 0, reason: expect.stringContaining("ANTHROPIC_API_KEY") });
    const after = (await (await api(key, "/v1/inbox")).json()) as { ready: { report_id: string; fix: { status: string } | null }[] };
    expect(after.ready.find((e) => e.report_id === id)?.fix?.status).toBe("needs_llm_key");

    // a person asks again (say, after adding a key): the run starts over, and without a key stops the same way
    const again = await api(key, `/v1/reports/${id}/fix`, { method: "POST" });
    expect(again.status, await again.clone().text()).toBe(202);
    expect(((await again.json()) as { fix: { status: string } }).fix.status).toBe("queued");
    await waitForReport(id, (v) => v.fix?.status === "needs_llm_key" && v.fix.updated_at > fixed.fix!.updated_at, "stopped again for the key");
  });

  it("asks a person which repository holds code the signals point at, and keeps the question on the inbox entry", async () => {
    const key = await connect("rr-repo-elsewhere");
    // the thumbnail worker's crash, seen twice: code the sample app does not hold
    await send("rr-repo-elsewhere", ["s29", "s29"], (id) => `${id}-${Math.random().toString(36).slice(2, 8)}`);
    const [first] = (await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ?").bind("rr-repo-elsewhere").all<{ report_id: string }>()).results;
    const view = await settle(first.report_id);
    expect(view.state).toBe("needs_input");
    expect(view.research?.actionability).toMatchObject({ bucket: "needs_human", rule: "code_not_in_repository" });
    const inbox = (await (await api(key, "/v1/inbox")).json()) as { needs_input: { report_id: string; research: { question: string } }[] };
    expect(inbox.needs_input.find((e) => e.report_id === first.report_id)?.research.question).toContain("src/workers/thumbnail.ts");
    // only a ready report is fixed
    const refused = await api(key, `/v1/reports/${first.report_id}/fix`, { method: "POST" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "report_not_ready", state: "needs_input" });
  });

  it("sends a report whose code changed after its last signal back to the pool as already addressed", async () => {
    await connect("rr-repo-addressed");
    // signals from long before the sample app's last commits
    const old = Date.parse("2020-01-01T00:00:00Z");
    await deliver(["s01", "s04"].map((id) => ({ ...message("rr-repo-addressed", { id, source_product: "errors", source_type: "exception", content: demo(id).content, timestamp: old }), received_at: old })));
    const id = await reportOf("rr-repo-addressed", "s01");
    const view = await settle(id);
    expect(view.state).toBe("potential");
    expect(view.decision).toMatchObject({ bucket: "not_actionable", rule: "already_addressed" });
    expect(view.research?.already_addressed?.commit.author).toBe("Maya Chen");
    expect(view.history.map((h) => h.to)).toEqual(expect.arrayContaining(["not_actionable", "potential"]));
  });
});
