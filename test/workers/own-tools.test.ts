/**
 * nightshift's own MCP tools as agent tools for one research run
 * (workers/mcp/own-tools.ts), in workerd: the same server code as /mcp over the
 * in-memory transport, scoped to one report — it cannot open another report,
 * nor see another project's signals.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ownMcpTools } from "../../workers/mcp/own-tools";
import { createProject, deliver, message } from "./helpers";

const CHECKOUT = "TypeError: Cannot read properties of null (reading 'items')\n    at computeTotals (src/checkout/totals.ts:42:18)";
const UPLOAD = "Error: quota exceeded for workspace acme, uploads rejected (src/upload/quota.ts:12)";

async function reportOf(project: string, id: string): Promise<string> {
  const row = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ? AND id = ?").bind(project, id).first<{ report_id: string }>();
  expect(row?.report_id).toBeTruthy();
  return row!.report_id;
}

let checkout: string;
let upload: string;
let otherProjectReport: string;

beforeAll(async () => {
  await createProject("own-a");
  await createProject("own-b");
  await deliver([
    message("own-a", { id: "a-checkout-1", content: CHECKOUT }),
    message("own-a", { id: "a-checkout-2", content: CHECKOUT }),
    message("own-a", { id: "a-upload", content: UPLOAD }),
    message("own-b", { id: "b-checkout", content: `${CHECKOUT}\nonly in project b` }),
  ]);
  checkout = await reportOf("own-a", "a-checkout-1");
  upload = await reportOf("own-a", "a-upload");
  otherProjectReport = await reportOf("own-b", "b-checkout");
  expect(upload).not.toBe(checkout);
});

describe("ownMcpTools", () => {
  it("offers the server's four tools, untrusted, and reads the run's report", async () => {
    const own = await ownMcpTools(env, { project: "own-a", report: checkout });
    try {
      expect(own.tools.map((t) => t.name).sort()).toEqual(["get_report", "related_signals", "report_timeline", "search_signals"]);
      expect(own.tools.every((t) => t.untrusted)).toBe(true);
      const get = own.tools.find((t) => t.name === "get_report")!;
      const out = await get.run({ report_id: checkout });
      expect(out.isError).toBeUndefined();
      expect(out.text).toContain(checkout);
      expect(out.text).toContain("computeTotals");
      // the server's own fence is kept: the loop fences it once more as untrusted output
      expect(out.text).toMatch(/<nightshift-data/);
    } finally {
      await own.close();
    }
  });

  it("a run-scoped principal cannot open another report, nor another project's", async () => {
    const own = await ownMcpTools(env, { project: "own-a", report: checkout });
    try {
      for (const tool of ["get_report", "report_timeline"]) {
        const t = own.tools.find((x) => x.name === tool)!;
        const other = await t.run({ report_id: upload });
        expect(other.isError).toBe(true);
        expect(other.text).toContain("out_of_scope");
        expect(other.text).not.toContain("quota exceeded");
        const foreign = await t.run({ report_id: otherProjectReport });
        expect(foreign.isError).toBe(true);
        expect(foreign.text).toContain("out_of_scope");
      }
      // signals: the project's own only
      const search = await own.tools.find((t) => t.name === "search_signals")!.run({ query: "computeTotals" });
      expect(search.text).toContain("a-checkout-1");
      expect(search.text).not.toContain("b-checkout");
      expect(search.text).not.toContain("only in project b");
    } finally {
      await own.close();
    }
  });

  it("gives invalid input back as an error result", async () => {
    const own = await ownMcpTools(env, { project: "own-a", report: checkout });
    try {
      const bad = await own.tools.find((t) => t.name === "search_signals")!.run({ query: "" });
      expect(bad.isError).toBe(true);
      expect(bad.text).toMatch(/^search_signals (reported an error|failed): /);
    } finally {
      await own.close();
    }
    await expect(ownMcpTools(env, { project: "own-a", report: "" })).rejects.toThrow(/one report/);
  });
});
