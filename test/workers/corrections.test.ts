import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ReportView } from "../../durable-objects/report";
import { api, createProject, deliver, message } from "./helpers";

const CHECKOUT_ERROR =
  "TypeError: Cannot read properties of null (reading 'items')\n    at computeTotals (src/checkout/totals.ts:42:18)\n    at PaymentStep.render (src/checkout/PaymentStep.tsx:88:20)\nurl: https://shop.example.com/checkout/payment";
const CHECKOUT_ISSUE =
  "Title: Checkout payment step crashes computing totals\nBody: computeTotals in src/checkout/totals.ts throws when the cart is null on the payment step.";
const INVOICE_ERROR =
  "RangeError: Invalid time value\n    at formatDueDate (src/billing/invoice-pdf.ts:88:11)\n    at renderInvoice (src/billing/InvoicePdf.tsx:40:7)\nurl: https://shop.example.com/billing/invoices/inv_123.pdf";
const INVOICE_ISSUE =
  "Title: Invoice PDF download fails with invalid time value\nBody: formatDueDate in src/billing/invoice-pdf.ts throws RangeError when the invoice has no due date.";

async function reportOf(project: string, signal: string): Promise<string> {
  const row = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ? AND id = ?").bind(project, signal).first<{ report_id: string }>();
  if (!row?.report_id) throw new Error(`signal ${signal} has no report`);
  return row.report_id;
}

async function view(key: string, id: string): Promise<ReportView> {
  const res = await api(key, `/v1/reports/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ReportView;
}

const post = (key: string, path: string, body: unknown) => api(key, path, { method: "POST", body: JSON.stringify(body) });

describe("corrections", () => {
  it("merges one report into another: its signals, weight and links move, and the merge is remembered", async () => {
    const key = await createProject("merge");
    await deliver([message("merge", { id: "a1", content: CHECKOUT_ERROR }), message("merge", { id: "b1", content: INVOICE_ERROR })]);
    const a = await reportOf("merge", "a1");
    const b = await reportOf("merge", "b1");
    expect(a).not.toBe(b);

    const res = await post(key, `/v1/reports/${a}/merge`, { into: b, note: "same release broke both" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ merged: a, into: b, signals_moved: 1 });
    // a retry finishes nothing twice
    expect(await (await post(key, `/v1/reports/${a}/merge`, { into: b })).json()).toEqual({ merged: a, into: b, signals_moved: 1 });

    const gone = await api(key, `/v1/reports/${a}`);
    expect(gone.status).toBe(410);
    expect(gone.headers.get("location")).toBe(`/v1/reports/${b}`);
    expect(await gone.json()).toMatchObject({ code: "report_merged", merged_into: b });
    const merged = await view(key, b);
    expect(merged.signals.map((s) => [s.id, s.link_method])).toEqual([
      ["a1", "merge"],
      ["b1", "new"],
    ]);
    expect([merged.weight, merged.signal_count]).toEqual([2, 2]);
    const listing = (await (await api(key, "/v1/reports")).json()) as { reports: { id: string; signal_count: number }[] };
    expect(listing.reports.map((r) => [r.id, r.signal_count])).toEqual([[b, 2]]);
    expect(await reportOf("merge", "a1")).toBe(b);

    // remembered: a repeat (fingerprint) and a related issue (vectors that still name the old report) land in the target
    await deliver([message("merge", { id: "a2", content: CHECKOUT_ERROR.replace(":42:18", ":45:2") })]);
    await deliver([message("merge", { id: "a3", source_product: "github", source_type: "issue", content: CHECKOUT_ISSUE })]);
    expect(await reportOf("merge", "a2")).toBe(b);
    expect(await reportOf("merge", "a3")).toBe(b);
    expect((await view(key, b)).signal_count).toBe(4);
    const stats = ((await (await api(key, "/v1/stats")).json()) as { signals: Record<string, number> }).signals;
    expect([stats.in_reports, stats.unaccounted]).toEqual([4, 0]);

    // a consumer that grouped into the old report just before the merge: its signals are forwarded
    const late = await env.REPORTS.get(env.REPORTS.idFromName(a)).addSignals({
      reportId: a,
      project: "merge",
      threshold: 100,
      items: [{ signal: { id: "late", source_product: "errors", source_type: "exception", content: "late", weight: 1, received_at: Date.now() }, link: { method: "vector", query: "q", score: 0.9 } }],
    });
    expect([late.id, late.signal_count]).toEqual([b, 5]);

    const corrections = (await (await api(key, "/v1/corrections")).json()) as { corrections: Record<string, unknown>[] };
    expect(corrections.corrections).toEqual([{ kind: "merge", signal: null, from: a, to: b, note: "same release broke both", at: expect.any(Number) }]);
  });

  it("refuses merges it cannot do, with a reason", async () => {
    const key = await createProject("merge-bad");
    await deliver([message("merge-bad", { id: "x1", content: CHECKOUT_ERROR }), message("merge-bad", { id: "y1", content: INVOICE_ERROR })]);
    const x = await reportOf("merge-bad", "x1");
    const y = await reportOf("merge-bad", "y1");
    const code = async (res: Response) => [res.status, ((await res.json()) as { code: string }).code];
    expect(await code(await post(key, `/v1/reports/${x}/merge`, { into: x }))).toEqual([400, "same_report"]);
    expect(await code(await post(key, `/v1/reports/${x}/merge`, { into: "nope" }))).toEqual([404, "report_not_found"]);
    expect(await code(await post(key, `/v1/reports/nope/merge`, { into: y }))).toEqual([404, "report_not_found"]);
    expect(await code(await post(key, `/v1/reports/${x}/merge`, { to: y }))).toEqual([400, "invalid_correction"]);
    expect(await code(await api(key, `/v1/reports/${x}/merge`, { method: "POST", body: "{", headers: { "content-type": "application/json" } }))).toEqual([400, "invalid_json"]);
    expect(await code(await api(key, `/v1/reports/${x}/merge`, { method: "POST", body: "into", headers: { "content-type": "text/plain" } }))).toEqual([415, "unsupported_media_type"]);
    // another project's report is not there
    const other = await createProject("merge-other");
    expect(await code(await post(other, `/v1/reports/${x}/merge`, { into: y }))).toEqual([404, "report_not_found"]);
    await post(key, `/v1/reports/${x}/merge`, { into: y });
    expect(await code(await post(key, `/v1/reports/${y}/merge`, { into: x }))).toEqual([410, "report_merged"]);
  });

  it("moves a signal out of its report, and a signal that close to it never joins that report again", async () => {
    const key = await createProject("move");
    await deliver([message("move", { id: "m1", content: CHECKOUT_ERROR })]);
    await deliver([message("move", { id: "m2", source_product: "github", source_type: "issue", content: CHECKOUT_ISSUE })]);
    const a = await reportOf("move", "m1");
    // before the correction the issue joins the error's report: what the move must stop
    expect(await reportOf("move", "m2")).toBe(a);

    const res = await post(key, `/v1/reports/${a}/signals/m2/move`, { note: "the issue is about the coupon field, not the cart" });
    expect(res.status).toBe(200);
    const moved = (await res.json()) as { signal: string; from: string; to: string; new_report: boolean };
    expect(moved).toMatchObject({ signal: "m2", from: a, new_report: true });
    const c = moved.to;
    expect((await view(key, a)).signals.map((s) => s.id)).toEqual(["m1"]);
    expect([(await view(key, a)).weight, (await view(key, a)).signal_count]).toEqual([1, 1]);
    expect((await view(key, c)).signals.map((s) => [s.id, s.link_method])).toEqual([["m2", "move"]]);
    expect((await view(key, a)).history.at(-1)?.note).toMatch(/signal m2 moved to report/);

    // the same issue filed again (another id): not back into the report it was moved out of
    await deliver([message("move", { id: "m3", source_product: "github", source_type: "issue", content: CHECKOUT_ISSUE.replace("payment step.", "payment step!") })]);
    expect(await reportOf("move", "m3")).not.toBe(a);
    expect(await reportOf("move", "m3")).toBe(c);
    // the error's own repeats still go to the error's report
    await deliver([message("move", { id: "m4", content: CHECKOUT_ERROR.replace(":42:18", ":43:1") })]);
    expect(await reportOf("move", "m4")).toBe(a);
    const stats = ((await (await api(key, "/v1/stats")).json()) as { signals: Record<string, number> }).signals;
    expect([stats.in_reports, stats.unaccounted]).toEqual([4, 0]);
  });

  it("moves a signal into another report, and refuses moves it cannot do", async () => {
    const key = await createProject("move-to");
    await deliver([message("move-to", { id: "t1", content: CHECKOUT_ERROR }), message("move-to", { id: "t2", content: INVOICE_ERROR })]);
    await deliver([message("move-to", { id: "t3", source_product: "github", source_type: "issue", content: INVOICE_ISSUE })]);
    const a = await reportOf("move-to", "t1");
    const b = await reportOf("move-to", "t2");
    const code = async (res: Response) => [res.status, ((await res.json()) as { code: string }).code];
    expect(await code(await post(key, `/v1/reports/${a}/signals/t2/move`, {}))).toEqual([404, "signal_not_found"]);
    expect(await code(await post(key, `/v1/reports/${a}/signals/t1/move`, { to: a }))).toEqual([400, "same_report"]);
    expect(await code(await post(key, `/v1/reports/${a}/signals/t1/move`, { to: "nope" }))).toEqual([404, "report_not_found"]);
    expect(await code(await post(key, `/v1/reports/${a}/signals/t1/move`, { to: b, extra: 1 }))).toEqual([400, "invalid_correction"]);

    const res = await post(key, `/v1/reports/${b}/signals/t3/move`, { to: a });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ signal: "t3", from: b, to: a, new_report: false });
    expect((await view(key, a)).signals.map((s) => s.id).sort()).toEqual(["t1", "t3"]);
    expect((await view(key, b)).signals.map((s) => s.id)).toEqual(["t2"]);
    const corrections = (await (await api(key, "/v1/corrections")).json()) as { corrections: { kind: string; signal: string }[] };
    expect(corrections.corrections.map((x) => [x.kind, x.signal])).toEqual([["move", "t3"]]);
  });
});
