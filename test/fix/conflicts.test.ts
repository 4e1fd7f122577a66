/**
 * The base branch moving under the fix's pull request, through the real
 * entry points: a person commits to main (forge-control.ts `commit`, with the
 * push webhook GitHub sends, posted signed to POST /github/webhooks/:project),
 * the fix run wakes, reads the pull request's `mergeable` from the forge and
 * answers with a merge commit (fix/merge-base.ts):
 *   GitHub says it does not merge, while git merges it cleanly → a merge
 *   commit without the agent, pushed (never forced), CI green;
 *   a base commit that changes the line the fix changed → the agent gets the
 *   conflict markers (fenced feedback), resolves them, a merge commit with
 *   both parents and no markers is pushed, CI green; the same push webhook
 *   again → nothing; a new delivery of it → a look, no second round;
 *   a conflict the agent cannot decide → the run stops, and the inbox says
 *   "conflicts with main: …".
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { FixSummary } from "../../workers/fix/summary";
import { api, createProject, deliver, message, settle } from "../workers/helpers";
import { forgeSession, turns, until } from "./forge-session";

const SECRET = "fix-conflict-webhook-secret";
const PROJECT = "fx-conf";
/** this file's own copy of the sample app on the forge */
const REPO = "sample-app-conflict";
const stream = inject("sampleStream");
const demo = (id: string) => stream.find((x) => x.id === id)!;

const { control, post } = forgeSession({ project: PROJECT, repo: REPO, secret: SECRET });
const parents = async (sha: string) => ((await control("git", { what: "parents", rev: sha })).result.out as string).trim().split(" ");
const fileAt = async (rev: string, path: string) => (await control("git", { what: "show", rev, path })).result.out as string;

async function ciGreen(id: string, head: string): Promise<FixSummary> {
  const green = await control("check-run", { name: "test", head_sha: head, conclusion: "success", summary: "all passed" });
  await post(green.webhooks.filter((w) => w.name === "check_run"));
  return until(id, (f) => f.status === "green" && f.pull?.head_sha === head, `turned green on ${head.slice(0, 12)}`);
}

describe("the base branch moving under the fix's pull request", () => {
  it("merges it in: cleanly without the agent, then with the agent resolving a conflict; a redelivered push is a no-op; an undecidable one stops", async () => {
    const key = await createProject(PROJECT, 2);
    const patch = await api(key, "/v1/project", {
      method: "PATCH",
      body: JSON.stringify({ github_webhook_secret: SECRET, repository: { url: inject("forgeRepoUrl").replace("/sample-app.git", `/${REPO}.git`), default_branch: "main", test_command: "node --test" } }),
    });
    expect(patch.status, await patch.clone().text()).toBe(200);
    await deliver(["s01", "s04", "s32"].map((id) => message(PROJECT, { id: `${id}-conf`, source_product: demo(id).source_product, source_type: demo(id).source_type, content: demo(id).content })));
    const row = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ? AND id = ?").bind(PROJECT, "s01-conf").first<{ report_id: string }>();
    const id = row!.report_id;
    expect((await settle(id)).state).toBe("ready");
    const opened = await until(id, (f) => f.status === "pr_open" || f.status === "stopped" || f.status === "failed", "opened its pull request");
    expect(opened.status, opened.reason).toBe("pr_open");
    const number = opened.pull!.number;
    const head1 = opened.pull!.head_sha;
    await ciGreen(id, head1);
    expect((await control("state", { number })).result.pull).toMatchObject({ mergeable: true });

    // 1. main moves elsewhere (README); GitHub says the pull request does not merge, git merges it cleanly
    const readme = await fileAt("main", "README.md");
    const base1 = await control("commit", { branch: "main", files: { "README.md": `${readme}\nReleases are cut from main every Tuesday.\n` }, message: "docs: release day", login: "tomas-ruiz", association: "MEMBER" });
    await control("mergeable", { number, value: false });
    const woke = await post(base1.webhooks);
    expect(woke[0].fix_run).toBe(id);
    const clean = await until(id, (f) => f.pushes === 2 && f.status === "pr_open", "merged main in cleanly");
    expect(clean.reason).toContain("merging main cleanly");
    expect(clean.cost).toMatchObject({ rounds: 2, ci_rounds: 0 });
    const head2 = (await control("state", { number })).result.pull.headSha as string;
    expect(await parents(head2)).toEqual([head2, head1, base1.result.sha]);
    // no agent for a clean merge: the only agent run is the first fix
    expect((await turns()).filter((t) => t.report === id && t.turn === 0)).toHaveLength(1);
    await ciGreen(id, head2);

    // 2. main changes the very line the fix changed: a conflict the agent resolves
    const totals = await fileAt("main", "src/checkout/totals.js");
    expect(totals).toContain("  const lines = cart.items;\n");
    const base2 = await control("commit", { branch: "main", files: { "src/checkout/totals.js": totals.replace("  const lines = cart.items;\n", "  const lines = cart.items; // the cart's line items\n") }, message: "Note what a cart's lines are", login: "tomas-ruiz", association: "MEMBER" });
    const delivery = crypto.randomUUID();
    expect((await post(base2.webhooks, delivery))[0].fix_run).toBe(id);
    const resolved = await until(id, (f) => f.pushes === 3 && (f.status === "pr_open" || f.status === "stopped"), "resolved the conflict");
    expect(resolved.status, resolved.reason).toBe("pr_open");
    expect(resolved.reason).toContain("merging main resolving conflicts in src/checkout/totals.js");
    expect(resolved.cost).toMatchObject({ rounds: 3, ci_rounds: 0 });
    const head3 = (await control("state", { number })).result.pull.headSha as string;
    expect(await parents(head3)).toEqual([head3, head2, base2.result.sha]);
    const merged = await fileAt(head3, "src/checkout/totals.js");
    expect(merged).toContain("const lines = cart?.items ?? []; // the cart's line items");
    expect(merged).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    // the agent saw the conflict, fenced: its first turn of the round read the conflicted file
    const conflictTurns = (await turns()).filter((t) => t.report === id);
    expect(conflictTurns.filter((t) => t.turn === 0)).toHaveLength(2);
    expect(conflictTurns.some((t) => t.turn === 1 && t.results.includes("<<<<<<<"))).toBe(true);
    expect((await control("state", { number })).result.pull).toMatchObject({ mergeable: true });

    // the same push webhook again: the journal refuses the delivery
    const again = await post(base2.webhooks, delivery);
    expect(again[0].fix_run).toBeUndefined();
    // a new delivery of it: the run looks, the pull request merges, no second round
    expect((await post(base2.webhooks))[0].fix_run).toBe(id);
    const looked = await until(id, (f) => f.reason.startsWith(`waiting for CI on ${head3.slice(0, 12)}`), "looked again");
    expect(looked).toMatchObject({ pushes: 3, cost: { rounds: 3 } });

    const green = await ciGreen(id, head3);
    expect(green.reason).toContain("CI green");
    expect(green.pushes).toBe(3);
    // 3. main changes the coupon line the fix changed too: the agent cannot decide, the run stops and the inbox says why
    const totals2 = await fileAt("main", "src/checkout/totals.js");
    expect(totals2).toContain("percentOff(cart.coupon)");
    const base3 = await control("commit", { branch: "main", files: { "src/checkout/totals.js": totals2.replace("percentOff(cart.coupon)", "percentOff(cart.coupon ?? null)") }, message: "Coupons may be null", login: "tomas-ruiz", association: "MEMBER" });
    expect((await post(base3.webhooks))[0].fix_run).toBe(id);
    const stuck = await until(id, (f) => f.status !== "green" && f.status !== "pr_open", "stopped on the conflict");
    expect(stuck.status).toBe("stopped");
    expect(stuck.outcome).toBe("conflict_unresolved");
    expect(stuck.reason).toMatch(/^conflicts with main: src\/checkout\/totals\.js: the fix agent stopped \(invalid_output\)/);
    expect(stuck).toMatchObject({ pushes: 3, cost: { rounds: 4 } });
    expect((await control("state", { number })).result.pull).toMatchObject({ headSha: head3, mergeable: false, state: "open" });
    const inbox = (await (await api(key, "/v1/inbox")).json()) as { ready: { report_id: string; fix: FixSummary | null }[] };
    expect(inbox.ready.find((e) => e.report_id === id)?.fix?.reason).toContain("conflicts with main");

    // every request nightshift sent the forge matched GitHub's published request schemas
    expect((await control("schema-failures", {})).result.failures).toBe(0);
    const runs = (await (await api(key, `/v1/reports/${id}/fix-run`)).json()) as { runs: { stop_reason: string }[] };
    expect(runs.runs.map((r) => r.stop_reason)).toEqual(["done", "done", "invalid_output"]);
  });
});
