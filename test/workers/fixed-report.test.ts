/**
 * A report whose merged fix held: the fix run's `verified` summary reaches
 * the report (its Durable Object entry point, as the fix run calls it after
 * the soak window — days, so not waited for here), which becomes `fixed` and
 * leaves the inbox. The same crash seen later, through the real ingest path,
 * sends it back to the pool with a note; a threshold's worth more promotes
 * it, and research says the earlier fix held and the problem came back.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { FixSummary } from "../../workers/fix/summary";
import { api, createProject, postSignals, settle, settled, waitForReport } from "./helpers";

const CHECKOUT_ERROR =
  "TypeError: Cannot read properties of null (reading 'items')\n    at computeTotals (src/checkout/totals.ts:42:18)\n    at PaymentStep.render (src/checkout/PaymentStep.tsx:88:20)\nurl: https://shop.example.com/checkout/payment";

const errors = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `fx-${from + i}`, source_product: "errors", source_type: "exception", content: CHECKOUT_ERROR }));

function verified(pull: number): FixSummary {
  return {
    status: "verified",
    reason: "no signal of this problem in the 7 days after the merge",
    outcome: "fixed",
    branch: "nightshift/x",
    pull: { number: pull, url: `https://api.example/pulls/${pull}`, html_url: `https://forge.example/pull/${pull}`, head_sha: "a".repeat(40), draft: true },
    pushes: 1,
    tests: { baseline: null, after: null },
    run: null,
    cost: { rounds: 1, ci_rounds: 0, tool_calls: 6, input_tokens: 14_000, output_tokens: 1_400, cost_usd: 0.063 },
    ignored_comments: [],
    attempts: 1,
    updated_at: Date.now(),
  };
}

describe("a fixed report", () => {
  it("leaves the inbox once its fix is verified, and comes back to the pool when its problem is seen again", async () => {
    const key = await createProject("fixed", 3);
    expect((await postSignals(key, errors(0, 3))).status).toBe(202);
    await settled(key);
    const id = (await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ? AND id = ?").bind("fixed", "fx-0").first<{ report_id: string }>())!.report_id;
    expect((await settle(id)).state).toBe("ready");
    // the fix run in this project stops without a key; its summary arrives first
    await waitForReport(id, (v) => v.fix?.status === "needs_llm_key", "the fix run's first summary");

    const stub = env.REPORTS.get(env.REPORTS.idFromName(id));
    await stub.fixUpdate(verified(7));
    await stub.fixUpdate(verified(7)); // delivered again: nothing more
    const fixed = (await stub.snapshot())!;
    expect(fixed.state).toBe("fixed");
    expect(fixed.notes.map((n) => [n.kind, n.pull])).toEqual([["fix_verified", 7]]);
    expect(fixed.history.at(-1)!.note).toContain("fixed by pull request #7");
    expect(fixed.cost.fix).toMatchObject({ runs: 1, input_tokens: 14_000, cost_usd: 0.063 });
    const inbox = (await (await api(key, "/v1/inbox")).json()) as { ready: unknown[]; needs_input: unknown[] };
    expect([...inbox.ready, ...inbox.needs_input]).toEqual([]);
    const listed = (await (await api(key, "/v1/reports?state=fixed")).json()) as { reports: { id: string }[] };
    expect(listed.reports.map((r) => r.id)).toEqual([id]);

    // seen again later: back to the pool with a bar a threshold above its weight before
    const before = fixed.weight;
    expect((await postSignals(key, errors(3, 1))).status).toBe(202);
    await settled(key);
    const back = await waitForReport(id, (v) => v.state === "potential", "back in the pool");
    expect(back.notes.at(-1)!.kind).toBe("seen_after_fix");
    expect(back.promote_at).toBe(before + 3);
    // a threshold's worth more: promoted and researched; research knows the earlier fix held
    const more = Math.ceil((back.promote_at - back.weight) / (back.weight - before));
    expect((await postSignals(key, errors(4, more))).status).toBe(202);
    await settled(key);
    const again = await settle(id);
    expect(again.state).toBe("ready");
    expect(again.research!.summary).toContain("An earlier fix (pull request #7) held through its soak window; the problem was seen again later.");
  });
});
