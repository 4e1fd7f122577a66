/**
 * "Why was this ignored?" through the real entry points: signals triage
 * keeps as noise are counted on the inbox and listed with their reason
 * (GET /v1/noise, paged); a person says one is not noise
 * (POST /v1/signals/:id/not-noise) and it is grouped into a report through
 * the queue consumer, the nothing-lost ledger stays whole, and the
 * correction comes back as a training line (GET /v1/triage/corrections).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, createProject, postSignals, settled } from "./helpers";

const THANKS = "Thank you so much, that fixed it! You can close this ticket.";
const AUTO_REPLY = "Automatic reply: I am out of the office until Monday 14 December with limited access to e-mail.";
const REAL = "The CSV export button on the orders page downloads an empty file since this morning.";

describe("noise, visible and correctable", () => {
  it("lists noise with its reason, and a person's correction groups the signal and is kept for training", async () => {
    const key = await createProject("noise", 5);
    const sent = [
      { id: "n-thanks", source_product: "zendesk", source_type: "ticket", content: THANKS },
      { id: "n-auto", source_product: "email", source_type: "message", content: AUTO_REPLY },
      { id: "n-real", source_product: "zendesk", source_type: "ticket", content: REAL },
    ];
    expect((await postSignals(key, sent)).status).toBe(202);
    const ledger = await settled(key);
    expect(ledger.noise).toBe(2);

    const inbox = (await (await api(key, "/v1/inbox")).json()) as { noise: { total: number; by_reason: Record<string, number>; list: string } };
    expect(inbox.noise.total).toBe(2);
    expect(inbox.noise.list).toBe("/v1/noise");
    const listed = (await (await api(key, "/v1/noise")).json()) as { noise: { id: string; reason: string; content: string; not_noise: string }[]; next: string | null };
    expect(listed.noise.map((n) => n.id).sort()).toEqual(["n-auto", "n-thanks"]);
    expect(listed.noise.find((n) => n.id === "n-thanks")!.content).toBe(THANKS);
    for (const n of listed.noise) expect(inbox.noise.by_reason[n.reason]).toBeGreaterThan(0);
    // paging and the reason filter
    const page = (await (await api(key, "/v1/noise?limit=1")).json()) as { noise: { id: string }[]; next: string };
    expect(page.noise).toHaveLength(1);
    const rest = (await (await api(key, `/v1/noise?limit=1&before=${encodeURIComponent(page.next)}`)).json()) as { noise: { id: string }[] };
    expect([...page.noise, ...rest.noise].map((n) => n.id).sort()).toEqual(["n-auto", "n-thanks"]);
    const thanksReason = listed.noise.find((n) => n.id === "n-thanks")!.reason;
    const byReason = (await (await api(key, `/v1/noise?reason=${thanksReason}`)).json()) as { noise: { id: string }[] };
    expect(byReason.noise.map((n) => n.id)).toContain("n-thanks");
    expect((await api(key, "/v1/noise?limit=0")).status).toBe(400);
    expect((await api(key, "/v1/noise?before=x")).status).toBe(400);

    // a person says the thank-you is not noise (say, it confirms a fix worked): grouped into a report
    expect((await api(key, "/v1/signals/n-real/not-noise", { method: "POST", body: "{}" })).status).toBe(409);
    expect((await api(key, "/v1/signals/nope/not-noise", { method: "POST", body: "{}" })).status).toBe(404);
    expect((await api(key, "/v1/signals/n-thanks/not-noise", { method: "POST", body: JSON.stringify({ note: 42 }) })).status).toBe(400);
    const res = await api(key, "/v1/signals/n-thanks/not-noise", { method: "POST", body: JSON.stringify({ note: "confirms the export fix" }) });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ signal: "n-thanks", was: thanksReason });
    const again = await api(key, "/v1/signals/n-thanks/not-noise", { method: "POST", body: "{}" });
    expect(again.status).toBe(409);

    let reportId: string | null = null;
    for (let i = 0; i < 500 && !reportId; i++) {
      reportId = (await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ? AND id = ?").bind("noise", "n-thanks").first<{ report_id: string | null }>())?.report_id ?? null;
      if (!reportId) await new Promise((r) => setTimeout(r, 40));
    }
    expect(reportId).not.toBeNull();
    const after = await settled(key);
    expect(after).toMatchObject({ noise: 1, unaccounted: 0, pending: 0 });
    expect(after.in_reports).toBe(ledger.in_reports + 1);
    const report = (await (await api(key, `/v1/reports/${reportId}`)).json()) as { signals: { id: string }[] };
    expect(report.signals.map((s) => s.id)).toContain("n-thanks");
    const left = (await (await api(key, "/v1/noise")).json()) as { noise: { id: string }[] };
    expect(left.noise.map((n) => n.id)).toEqual(["n-auto"]);

    // the correction, as a line the triage trainer reads
    const jsonl = await (await api(key, "/v1/triage/corrections")).text();
    const lines = jsonl.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([{ id: "n-thanks", source_product: "zendesk", source_type: "ticket", content: THANKS, actionable: true, category: `corrected_${thanksReason}` }]);
  });
});
