/**
 * Vectorize shows an upsert to queries only seconds later. This project runs
 * the Worker with the local vector face delaying every upsert by an hour
 * (LOCAL_VECTORIZE_DELAY_MS, vitest.config.ts), so no batch ever sees what an
 * earlier one indexed, and checks that related signals arriving in separate
 * batches still land in one report through the consumer's recent vectors.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createProject, deliver, message } from "../workers/helpers";

const CHECKOUT_ERROR =
  "TypeError: Cannot read properties of null (reading 'items')\n    at computeTotals (src/checkout/totals.ts:42:18)\n    at PaymentStep.render (src/checkout/PaymentStep.tsx:88:20)\nurl: https://shop.example.com/checkout/payment";
const CHECKOUT_ISSUE =
  "Title: Checkout payment step crashes computing totals\nBody: computeTotals in src/checkout/totals.ts throws when the cart is null on the payment step.";

async function row(project: string, id: string) {
  return env.DB.prepare("SELECT report_id, link_method FROM signals WHERE project_id = ? AND id = ?")
    .bind(project, id)
    .first<{ report_id: string | null; link_method: string | null }>();
}

describe("an eventually consistent vector index", () => {
  it("related signals in consecutive batches join one report although the index shows neither batch's vectors yet", async () => {
    await createProject("eventual");
    expect((await deliver([message("eventual", { id: "e1", content: CHECKOUT_ERROR })])).explicitAcks).toEqual(["m0-e1"]);
    const first = await row("eventual", "e1");
    expect(first?.link_method).toBe("new");

    // the local index holds the vectors but, like Vectorize seconds after an upsert, does not show them
    const store = env.LOCAL_VECTORS!.get(env.LOCAL_VECTORS!.idFromName("nightshift-about"));
    expect(await store.count("eventual")).toBeGreaterThan(0);
    const probe = Array.from({ length: 768 }, (_, i) => (i === 0 ? 1 : 0));
    expect((await store.query(probe, "eventual", 5)).count).toBe(0);
    // the recent vectors keep the queries too: what the match judge reads of a report this young
    const recent = await env.DB.prepare("SELECT query FROM recent_vectors WHERE project_id = ? AND id LIKE 'e1:%' ORDER BY id").bind("eventual").all<{ query: string | null }>();
    expect(recent.results.length).toBeGreaterThan(0);
    expect(recent.results.every((r) => typeof r.query === "string" && r.query.length > 0)).toBe(true);

    await deliver([message("eventual", { id: "e2", source_product: "github", source_type: "issue", content: CHECKOUT_ISSUE })]);
    expect(await row("eventual", "e2")).toEqual({ report_id: first!.report_id, link_method: "vector" });
  });

  it("without the recent vectors the same signal would open a second report (the control)", async () => {
    await createProject("eventual-control");
    await deliver([message("eventual-control", { id: "c1", content: CHECKOUT_ERROR })]);
    const first = await row("eventual-control", "c1");
    // forget what the consumer wrote: what a consumer that relied on the index alone would see
    await env.DB.prepare("DELETE FROM recent_vectors WHERE project_id = ?").bind("eventual-control").run();
    await deliver([message("eventual-control", { id: "c2", source_product: "github", source_type: "issue", content: CHECKOUT_ISSUE })]);
    const second = await row("eventual-control", "c2");
    expect(second?.link_method).toBe("new");
    expect(second?.report_id).not.toBe(first!.report_id);
  });
});
