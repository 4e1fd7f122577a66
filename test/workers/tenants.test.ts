import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, createProject, deliver, message, settle } from "./helpers";

const TRACE = "TypeError: x\n    at checkout (src/checkout/pay.ts:3:1)";

describe("tenant isolation", () => {
  it("a key for project A can neither read nor write project B", async () => {
    const a = await createProject("iso-a", 1);
    const b = await createProject("iso-b", 1);
    await deliver([message("iso-b", { id: "b1", content: TRACE }), message("iso-b", { id: "b2", content: TRACE })]);
    const bReport = (await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = 'iso-b' AND id = 'b1'").first<{ report_id: string }>())!.report_id;
    await settle(bReport);

    // read: B's report, inbox and lists are invisible to A
    expect((await api(a, `/v1/reports/${bReport}`)).status).toBe(404);
    expect((await api(b, `/v1/reports/${bReport}`)).status).toBe(200);
    const inboxA = (await (await api(a, "/v1/inbox")).json()) as { ready: unknown[]; needs_input: unknown[] };
    expect([inboxA.ready, inboxA.needs_input]).toEqual([[], []]);
    const listA = (await (await api(a, "/v1/reports")).json()) as { reports: unknown[] };
    expect(listA.reports).toEqual([]);

    // write: A's signals land in A, even with the same id and content as B's, and never join B's report
    await deliver([message("iso-a", { id: "b1", content: TRACE })]);
    const rows = (await env.DB.prepare("SELECT project_id, report_id FROM signals WHERE id = 'b1' ORDER BY project_id").all<{ project_id: string; report_id: string }>()).results;
    expect(rows.map((r) => r.project_id)).toEqual(["iso-a", "iso-b"]);
    expect(rows[0].report_id).not.toBe(rows[1].report_id);
  });
});
