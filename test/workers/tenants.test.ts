import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADMIN, api, BASE, createProject, deliver, message, postSignals, settle } from "./helpers";

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

describe("key scopes", () => {
  it("an ingest key sends signals but cannot read the project or change it", async () => {
    const res = await SELF.fetch(`${BASE}/v1/admin/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "scoped" }),
    });
    const { project, api_key, ingest_key } = (await res.json()) as { project: { id: string }; api_key: string; ingest_key: string };
    expect(ingest_key).toMatch(/^ns_[0-9a-f]{64}$/);
    expect(ingest_key).not.toBe(api_key);

    const sent = await postSignals(ingest_key, [{ source_product: "errors", source_type: "exception", content: TRACE }]);
    expect(sent.status).toBe(202);
    for (const [path, init] of [
      ["/v1/inbox", {}],
      ["/v1/reports", {}],
      ["/v1/dropped", {}],
      ["/v1/dead-letters", {}],
      ["/v1/forge-events", {}],
      ["/v1/project", { method: "PATCH", body: JSON.stringify({ promotion_threshold: 1 }) }],
    ] as [string, RequestInit][]) {
      const r = await api(ingest_key, path, init);
      expect([path, r.status]).toEqual([path, 403]);
      expect(((await r.json()) as { code: string }).code).toBe("insufficient_scope");
      expect((await api(api_key, path, init)).status).toBe(200);
    }
    const keys = await env.DB.prepare("SELECT scope FROM api_keys WHERE project_id = ? ORDER BY scope").bind(project.id).all<{ scope: string }>();
    expect(keys.results.map((k) => k.scope)).toEqual(["full", "ingest"]);
  });
});
