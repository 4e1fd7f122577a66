/**
 * A person dismisses a report and takes it back, through the real entry
 * points (HTTP, the intake outbox and queue, the consumer, the report's
 * alarm, research): a dismissed report leaves the inbox and is listed apart;
 * signals still join it and are counted, never promoting it; reopened, it is
 * researched as any other. One that grows ten times over comes back by
 * itself, and research — reading the dismissal note — asks a person instead
 * of handing it to a fix.
 */
import { describe, expect, it } from "vitest";
import type { ReportView } from "../../durable-objects/report";
import { api, postSignals, settle, settled, waitForReport, createProject } from "./helpers";
import { env } from "cloudflare:test";

const CHECKOUT_ERROR =
  "TypeError: Cannot read properties of null (reading 'items')\n    at computeTotals (src/checkout/totals.ts:42:18)\n    at PaymentStep.render (src/checkout/PaymentStep.tsx:88:20)\nurl: https://shop.example.com/checkout/payment";
const DATE_ERROR = "RangeError: Invalid time value\n    at formatOrderDate (src/orders/format-date.ts:12:9)\n    at OrderRow.render (src/orders/OrderRow.tsx:31:14)\nurl: https://shop.example.com/orders";

async function reportOf(project: string, signalId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ? AND id = ?").bind(project, signalId).first<{ report_id: string | null }>();
  if (!row?.report_id) throw new Error(`signal ${signalId} is in no report`);
  return row.report_id;
}

const errors = (prefix: string, content: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${from + i}`, source_product: "errors", source_type: "exception", content }));

describe("dismissing a report", () => {
  it("keeps a dismissed report out of the inbox, counts what joins it, and researches it again once reopened", async () => {
    const key = await createProject("dismiss", 3);
    expect((await postSignals(key, errors("co", CHECKOUT_ERROR, 3))).status).toBe(202);
    await settled(key);
    const id = await reportOf("dismiss", "co-0");
    expect((await settle(id)).state).toBe("ready");

    // bad bodies and unknown reports: machine-readable answers, nothing changed
    const bad = await api(key, `/v1/reports/${id}/dismiss`, { method: "POST", body: JSON.stringify({ reason: 42 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { type: string }).type).toContain("invalid_dismissal");
    expect((await api(key, "/v1/reports/rep_nope/dismiss", { method: "POST", body: "{}" })).status).toBe(404);
    expect((await api(key, `/v1/reports/${id}/reopen`, { method: "POST", body: "{}" })).status).toBe(409);

    const res = await api(key, `/v1/reports/${id}/dismiss`, { method: "POST", body: JSON.stringify({ reason: "a browser extension's bug, not ours" }) });
    expect(res.status).toBe(200);
    const dismissed = (await res.json()) as ReportView;
    expect(dismissed.state).toBe("dismissed");
    expect(dismissed.dismissed).toMatchObject({ reason: "dismissed by a person: a browser extension's bug, not ours", weight_at: dismissed.weight, signals_since: 0 });
    expect(dismissed.notes.map((n) => n.kind)).toEqual(["dismissed"]);
    const again = await api(key, `/v1/reports/${id}/dismiss`, { method: "POST", body: "{}" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { state: string }).state).toBe("dismissed");

    const inbox = (await (await api(key, "/v1/inbox")).json()) as { ready: { report_id: string }[]; needs_input: unknown[]; dismissed: { id: string; signal_count: number }[] };
    expect(inbox.ready).toEqual([]);
    expect(inbox.dismissed).toEqual([expect.objectContaining({ id, signal_count: 3 })]);

    // the same crash again: it joins the dismissed report, is counted, and promotes nothing
    expect((await postSignals(key, errors("co", CHECKOUT_ERROR, 3, 3))).status).toBe(202);
    await settled(key);
    expect(await reportOf("dismiss", "co-5")).toBe(id);
    const grown = await waitForReport(id, (v) => v.signal_count === 6, "six signals");
    expect(grown.state).toBe("dismissed");
    expect(grown.dismissed!.signals_since).toBe(3);
    expect(grown.history.at(-1)!.to).toBe("dismissed");
    const listed = (await (await api(key, "/v1/inbox")).json()) as { dismissed: { id: string; signal_count: number }[] };
    expect(listed.dismissed).toEqual([expect.objectContaining({ id, signal_count: 6 })]);

    // reopened by a person: promoted on its weight, researched, ready again (the reopening answers the dismissal)
    const reopened = await api(key, `/v1/reports/${id}/reopen`, { method: "POST", body: JSON.stringify({ note: "it is ours after all" }) });
    expect(reopened.status).toBe(200);
    expect(((await reopened.json()) as ReportView).dismissed).toBeNull();
    const ready = await settle(id);
    expect(ready.state).toBe("ready");
    expect(ready.notes.map((n) => n.kind)).toEqual(["dismissed", "reopened"]);
    expect(ready.history.map((h) => h.to).slice(-5)).toEqual(["dismissed", "potential", "candidate", "researching", "ready"]);
  });

  it("brings a dismissed report back when it grows ten times over, and research asks a person about it", async () => {
    const key = await createProject("resurface", 3);
    expect((await postSignals(key, errors("dt", DATE_ERROR, 1))).status).toBe(202);
    await settled(key);
    const id = await reportOf("resurface", "dt-0");
    const res = await api(key, `/v1/reports/${id}/dismiss`, { method: "POST", body: JSON.stringify({ reason: "only our test shop hits this" }) });
    expect(res.status).toBe(200);
    const dismissed = (await res.json()) as ReportView;
    expect(dismissed.state).toBe("dismissed");
    const bar = dismissed.dismissed!.resurface_at;
    expect(bar).toBe(10 * Math.max(dismissed.weight, 3, 1));

    // short of the bar: still dismissed
    const per = dismissed.weight;
    const short = Math.ceil(bar / per) - 2;
    expect((await postSignals(key, errors("dt", DATE_ERROR, short, 1))).status).toBe(202);
    await settled(key);
    const below = await waitForReport(id, (v) => v.signal_count === short + 1, "the signals short of the bar");
    expect(below.state).toBe("dismissed");

    // past it: back in the pool, promoted, researched; the dismissal stands unanswered, so a person is asked
    expect((await postSignals(key, errors("dt", DATE_ERROR, 2, short + 1))).status).toBe(202);
    await settled(key);
    const back = await settle(id);
    expect(back.notes.map((n) => n.kind)).toEqual(["dismissed", "resurfaced"]);
    expect(back.state).toBe("needs_input");
    expect(back.research!.actionability).toMatchObject({ bucket: "needs_human", rule: "dismissed_before" });
    const inbox = (await (await api(key, "/v1/inbox")).json()) as { needs_input: { report_id: string }[]; dismissed: unknown[] };
    expect(inbox.needs_input.map((e) => e.report_id)).toEqual([id]);
    expect(inbox.dismissed).toEqual([]);
  });
});
