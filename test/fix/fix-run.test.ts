/**
 * The fix loop through the real entry points: a project connects the sample
 * app on the local forge (PATCH /v1/project), the demo's checkout-crash
 * signals arrive through the queue, research (offline) finds it actionable,
 * the report starts its fix run, the run checks the app out of the forge in
 * its own Workspace, a scripted coding agent (anthropic face, scripted-fix-
 * model.ts) fixes it, the fix procedure runs the app's real tests before and
 * after, the branch is pushed host-side with the forge token and a draft
 * pull request opened on the forge's REST API (bodies checked against
 * GitHub's schema there) with reviewers and the label. A workflow edit is
 * refused by the diff guard and nothing is pushed; a redelivered start
 * opens no second pull request. A pull request a member closes without
 * merging is remembered: asked again, the next attempt's agent reads why.
 */
import { env, SELF } from "cloudflare:test";
import { sign } from "@octokit/webhooks-methods";
import { describe, expect, inject, it } from "vitest";
import type { ReportView } from "../../durable-objects/report";
import type { FixSummary } from "../../workers/fix/summary";
import { api, createProject, deliver, message, settle, waitForReport } from "../workers/helpers";
import { FORGE_TOKEN } from "./forge-token";
import type { FixTurnLog } from "./scripted-fix-model";

const stream = inject("sampleStream");
const demo = (id: string) => {
  const s = stream.find((x) => x.id === id);
  if (!s) throw new Error(`no demo signal ${id}`);
  return s;
};

const FINAL: FixSummary["status"][] = ["pr_open", "stopped", "failed", "needs_llm_key", "no_forge", "stale"];

async function connect(project: string): Promise<string> {
  const key = await createProject(project, 2);
  const res = await api(key, "/v1/project", { method: "PATCH", body: JSON.stringify({ repository: { url: inject("forgeRepoUrl"), default_branch: "main", test_command: "node --test" } }) });
  expect(res.status, await res.clone().text()).toBe(200);
  return key;
}

async function reportOf(project: string, signal: string): Promise<string> {
  const row = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ? AND id = ?").bind(project, signal).first<{ report_id: string }>();
  if (!row) throw new Error(`no signal ${signal}`);
  return row.report_id;
}

/** polls the report until its fix run reports a final status (bounded by attempts, generous for a loaded machine) */
async function fixed(id: string): Promise<ReportView> {
  const stub = env.REPORTS.get(env.REPORTS.idFromName(id));
  let last: ReportView | null = null;
  for (let i = 0; i < 6000; i++) {
    last = await stub.snapshot();
    if (last?.fix && FINAL.includes(last.fix.status)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`report ${id}: the fix run never finished; last fix ${JSON.stringify(last?.fix)}`);
}

async function forgeApi(path: string): Promise<any> {
  const res = await fetch(`http://forge.test/api/v3${path}`, { headers: { authorization: `token ${FORGE_TOKEN}`, accept: "application/vnd.github+json" } });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json();
}

describe("the fix loop on the local forge", () => {
  it("fixes the checkout crash: tests before and after, a pushed branch, a draft pull request with reviewers and the label", async () => {
    const key = await connect("fx-ready");
    await deliver(["s01", "s04", "s32"].map((id) => message("fx-ready", { id, source_product: demo(id).source_product, source_type: demo(id).source_type, content: demo(id).content })));
    const id = await reportOf("fx-ready", "s01");
    expect((await settle(id)).state).toBe("ready");
    const view = await fixed(id);
    const fix = view.fix!;
    expect(fix.status, fix.reason).toBe("pr_open");
    expect(fix.outcome).toBe("fixed");
    expect(fix.branch).toBe(`nightshift/${id}`);
    expect(fix.pushes).toBe(1);
    // the app's real tests: main is green with the bug's test marked a known bug (todo); the fix turns it on
    expect(fix.tests.baseline).toMatchObject({ exit_code: 0, failed: 0, passed: 11 });
    expect(fix.tests.after).toMatchObject({ exit_code: 0, failed: 0, passed: 12 });
    expect(fix.run).toMatchObject({ agent: "anthropic:claude-sonnet-4-6", stop_reason: "done", tool_calls: 6 });
    expect(fix.reason).toContain("tests changed: test/checkout.test.js");

    const pull = await forgeApi(`/repos/shop/sample-app/pulls/${fix.pull!.number}`);
    expect(pull).toMatchObject({ draft: true, state: "open", head: { ref: `nightshift/${id}`, sha: fix.pull!.head_sha }, base: { ref: "main" } });
    expect(pull.body).toContain(`/reports/${id}`);
    expect(pull.body).toContain("## Tests");
    expect(pull.labels.map((l: { name: string }) => l.name)).toEqual(["nightshift"]);
    expect(pull.requested_reviewers.map((u: { login: string }) => u.login)).toEqual(["maya-chen"]);
    expect(pull.requested_teams.map((t: { slug: string }) => t.slug)).toEqual(["payments"]);

    // the run, with the agent's record, and the inbox entry
    const run = (await (await api(key, `/v1/reports/${id}/fix-run`)).json()) as { fix: { commit_sha: string }; run: { purpose: string; steps: { kind: string; name?: string }[] } };
    expect(run.fix.commit_sha).toBe(fix.pull!.head_sha);
    expect(run.run.purpose).toBe("fix");
    expect(run.run.steps.filter((s) => s.kind === "tool_call").map((s) => s.name)).toEqual(["read_file", "edit_file", "edit_file", "read_file", "edit_file", "bash", "submit_fix"]);
    const inbox = (await (await api(key, "/v1/inbox")).json()) as { ready: { report_id: string; fix: FixSummary | null; cost: ReportView["cost"] }[] };
    expect(inbox.ready.find((e) => e.report_id === id)?.fix?.pull?.number).toBe(fix.pull!.number);
    // what the report cost: offline research (one run, no tokens) and the fix agent's turns (2000 in, 200 out each)
    const cost = inbox.ready.find((e) => e.report_id === id)!.cost;
    expect(cost.research).toMatchObject({ runs: 1, input_tokens: 0, cost_usd: 0 });
    expect(cost.fix).toMatchObject({ runs: 1, tool_calls: 6, input_tokens: 7 * 2000, output_tokens: 7 * 200 });
    expect(cost.fix.cost_usd).toBeGreaterThan(0);
    expect(cost.total_usd).toBe(cost.fix.cost_usd);
    expect(cost.report_judge_llm_calls).toBe(0);

    // asking for the fix again while its pull request is open: refused, nothing restarts
    const busy = await api(key, `/v1/reports/${id}/fix`, { method: "POST" });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ code: "fix_in_progress", fix_status: "pr_open" });

    // a redelivered start changes nothing: no second pull request
    await env.FIX_RUNS!.get(env.FIX_RUNS!.idFromName(id)).start({ v: 1, project: "fx-ready", report: id, revision: view.revision });
    const open = await forgeApi(`/repos/shop/sample-app/pulls?state=open&head=shop:nightshift/${id}`);
    expect(open).toHaveLength(1);
    // every request nightshift sent the forge matched GitHub's published request schemas
    const checked = await fetch("http://forge-control.test/schema-failures", { method: "POST", body: "{}" });
    expect(((await checked.json()) as { result: { failures: number } }).result.failures).toBe(0);
  });

  it("stops before any push when the agent edits a CI workflow: the diff guard says why", async () => {
    await connect("fx-guard");
    const marked = { ...demo("s01"), id: "s01-guard", content: `${demo("s01").content}\nFIX-SCENARIO-WORKFLOW` };
    await deliver([marked, demo("s04"), demo("s32")].map((s) => message("fx-guard", { id: s.id, source_product: s.source_product, source_type: s.source_type, content: s.content })));
    const id = await reportOf("fx-guard", "s04");
    expect((await settle(id)).state).toBe("ready");
    const fix = (await fixed(id)).fix!;
    expect(fix.status).toBe("stopped");
    expect(fix.outcome).toBe("guard_refused");
    expect(fix.reason).toContain(".github/workflows/ci.yml (ci_config)");
    expect(fix.pull).toBeNull();
    expect(fix.pushes).toBe(0);
    expect(await forgeApi(`/repos/shop/sample-app/pulls?state=all&head=shop:nightshift/${id}`)).toEqual([]);
  });

  it("a pull request closed without merging teaches: asked again, the agent reads why it was rejected", async () => {
    const key = await createProject("fx-close", 2);
    const repoUrl = inject("forgeRepoUrl").replace("/sample-app.git", "/sample-app-close.git");
    const res = await api(key, "/v1/project", { method: "PATCH", body: JSON.stringify({ github_webhook_secret: "fx-close-webhook-secret", repository: { url: repoUrl, default_branch: "main", test_command: "node --test" } }) });
    expect(res.status).toBe(200);
    await deliver(["s01", "s04", "s32"].map((id) => message("fx-close", { id: `${id}-close`, source_product: demo(id).source_product, source_type: demo(id).source_type, content: demo(id).content })));
    const id = await reportOf("fx-close", "s01-close");
    expect((await settle(id)).state).toBe("ready");
    const first = (await fixed(id)).fix!;
    expect(first.status, first.reason).toBe("pr_open");

    // a member explains and closes it; the webhook (the store's own) reaches the Worker signed
    const control = async (action: string, body: Record<string, unknown>) =>
      (await (await fetch(`http://forge-control.test/${action}`, { method: "POST", body: JSON.stringify({ owner: "shop", repo: "sample-app-close", number: first.pull!.number, login: "maya-chen", association: "MEMBER", ...body }) })).json()) as { webhooks: { name: string; payload: unknown }[] };
    await control("issue-comment", { body: "An empty cart hides the real problem: the session should get a cart at sign-in." });
    const closed = await control("close", {});
    const hook = closed.webhooks.find((w) => w.name === "pull_request")!;
    const raw = JSON.stringify(hook.payload);
    const posted = await SELF.fetch("https://nightshift.test/github/webhooks/fx-close", {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": crypto.randomUUID(), "x-hub-signature-256": await sign("fx-close-webhook-secret", raw) },
      body: raw,
    });
    expect(((await posted.json()) as { fix_run?: string }).fix_run).toBe(id);
    const stub = env.REPORTS.get(env.REPORTS.idFromName(id));
    let view = await stub.snapshot();
    for (let i = 0; i < 6000 && view?.fix?.status !== "closed"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      view = await stub.snapshot();
    }
    expect(view!.fix!.reason).toContain("the session should get a cart at sign-in");
    // the rejection teaches the report: back to the pool with a higher bar, and a note research reads
    const rejected = await waitForReport(id, (v) => v.state === "potential", "back in the pool");
    expect(rejected.notes).toEqual([expect.objectContaining({ kind: "fix_rejected", pull: first.pull!.number, text: expect.stringContaining("the session should get a cart at sign-in") })]);
    expect(rejected.promote_at).toBe(rejected.weight + 2); // the threshold (2) once more, for the first rejection
    expect(rejected.history.at(-1)!.note).toContain(`fix rejected (pull request #${first.pull!.number} closed without merging)`);

    // asked again: a new attempt, whose agent is told why the first was rejected (inside the report fence)
    const again = await api(key, `/v1/reports/${id}/fix`, { method: "POST" });
    expect(again.status).toBe(202);
    expect((await stub.snapshot())!.history.at(-1)).toMatchObject({ from: "potential", to: "ready", note: "a person asked for another fix" });
    let second = view!.fix!;
    for (let i = 0; i < 6000 && !(second.status === "pr_open" && second.pull!.number !== first.pull!.number); i++) {
      await new Promise((r) => setTimeout(r, 50));
      second = (await stub.snapshot())!.fix!;
      if (second.status === "stopped" || second.status === "failed") break;
    }
    expect(second.status, second.reason).toBe("pr_open");
    const turns = (await (await fetch("http://anthropic.fix.fake/__log")).json()) as FixTurnLog[];
    const firstTurns = turns.filter((t) => t.report === id && t.turn === 0);
    expect(firstTurns).toHaveLength(2);
    expect(firstTurns[0]!.rejected).toEqual([]);
    expect(firstTurns[1]!.rejected[0]).toContain("the session should get a cart at sign-in");
  });
});
