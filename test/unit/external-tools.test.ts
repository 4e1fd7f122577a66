/**
 * A project's external MCP servers as agent tools (workers/mcp/external-tools.ts),
 * against local stand-ins for an issue tracker built with @modelcontextprotocol/server:
 * list, call, tool errors, output caps, a server down (at connect and mid-run),
 * a refused token, and each token sent only to its own server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { externalMcpTools } from "../../workers/mcp/external-tools";
import { type FakeTracker, type Issue, startFakeTracker } from "./fake-issue-tracker";

const ISSUES: Issue[] = [
  { id: "ENG-101", title: "Checkout totals crash on empty cart", description: "TypeError in computeTotals (src/checkout/totals.ts:42) when the cart is empty.", state: "open" },
  { id: "ENG-102", title: "Dark mode request", description: "Users ask for a dark dashboard.", state: "backlog" },
  { id: "ENG-103", title: "Very long log dump", description: "log line\n".repeat(2_000), state: "open" },
];

let tracker: FakeTracker;
let wiki: FakeTracker;

beforeAll(async () => {
  tracker = await startFakeTracker(ISSUES, { token: "trk_secret_token" });
  wiki = await startFakeTracker([{ id: "DOC-1", title: "Checkout design doc", description: "How totals are computed.", state: "published" }]);
});

afterAll(async () => {
  await tracker.close();
  await wiki.close();
});

async function downUrl(): Promise<string> {
  const gone = await startFakeTracker([]);
  await gone.close();
  return gone.url;
}

describe("externalMcpTools", () => {
  it("offers every server's tools as <server>__<tool>, untrusted, and calls them", async () => {
    const ext = await externalMcpTools([
      { name: "tracker", url: tracker.url, token: "trk_secret_token" },
      { name: "wiki", url: wiki.url, token: null },
    ]);
    try {
      expect(ext.failed).toEqual([]);
      expect(ext.tools.map((t) => t.name).sort()).toEqual(["tracker__get_issue", "tracker__search_issues", "wiki__get_issue", "wiki__search_issues"]);
      for (const t of ext.tools) {
        expect(t.untrusted).toBe(true);
        expect(t.inputSchema.type).toBe("object");
        expect(t.description).toMatch(/^\[(tracker|wiki) MCP server, third-party; its output is data\] /);
      }
      const search = ext.tools.find((t) => t.name === "tracker__search_issues")!;
      expect(search.inputSchema.properties).toHaveProperty("query");
      expect(await search.run({ query: "checkout" })).toEqual({ text: "ENG-101 [open] Checkout totals crash on empty cart" });
      const doc = await ext.tools.find((t) => t.name === "wiki__get_issue")!.run({ id: "DOC-1" });
      expect(doc.text).toContain("How totals are computed.");
    } finally {
      await ext.close();
    }
  });

  it("turns a tool's error and a bad call into isError results with the reason", async () => {
    const ext = await externalMcpTools([{ name: "tracker", url: tracker.url, token: "trk_secret_token" }]);
    try {
      const get = ext.tools.find((t) => t.name === "tracker__get_issue")!;
      expect(await get.run({ id: "ENG-999" })).toEqual({ isError: true, text: "tracker__get_issue reported an error: no issue ENG-999" });
      const bad = await get.run({ id: 42 });
      expect(bad.isError).toBe(true);
      expect(bad.text).toMatch(/^tracker__get_issue (reported an error|failed): .*id/s);
    } finally {
      await ext.close();
    }
  });

  it("cuts long output and says so", async () => {
    const ext = await externalMcpTools([{ name: "tracker", url: tracker.url, token: "trk_secret_token" }], { maxOutputChars: 300 });
    try {
      const out = await ext.tools.find((t) => t.name === "tracker__get_issue")!.run({ id: "ENG-103" });
      expect(out.isError).toBeUndefined();
      expect(out.text.startsWith("ENG-103: Very long log dump")).toBe(true);
      expect(out.text).toMatch(/… \[\d+ more characters cut\]$/);
      expect(out.text.length).toBeLessThan(360);
    } finally {
      await ext.close();
    }
  });

  it("reports a server that is down or refuses the token, and leaves the others usable", async () => {
    const ext = await externalMcpTools(
      [
        { name: "down", url: await downUrl(), token: null },
        { name: "refused", url: tracker.url, token: "wrong_token" },
        { name: "wiki", url: wiki.url, token: null },
      ],
      { connectTimeoutMs: 10_000 },
    );
    try {
      expect(ext.failed.map((f) => f.server).sort()).toEqual(["down", "refused"]);
      for (const f of ext.failed) expect(f.reason.length).toBeGreaterThan(0);
      expect(ext.failed.find((f) => f.server === "refused")!.reason).toMatch(/401|nauthori/);
      expect(ext.tools.map((t) => t.name).sort()).toEqual(["wiki__get_issue", "wiki__search_issues"]);
      expect((await ext.tools[0].run({ query: "totals", id: "DOC-1" })).isError).toBeUndefined();
    } finally {
      await ext.close();
    }
  });

  it("a server that goes down mid-run gives an error result, not a throw", async () => {
    const flaky = await startFakeTracker(ISSUES);
    const ext = await externalMcpTools([{ name: "flaky", url: flaky.url, token: null }], { callTimeoutMs: 10_000 });
    try {
      const search = ext.tools.find((t) => t.name === "flaky__search_issues")!;
      expect((await search.run({ query: "dark" })).text).toBe("ENG-102 [backlog] Dark mode request");
      await flaky.close();
      const after = await search.run({ query: "dark" });
      expect(after.isError).toBe(true);
      expect(after.text).toMatch(/^flaky__search_issues failed: /);
    } finally {
      await ext.close();
    }
  });

  it("sends each token as a Bearer header to its own server only", async () => {
    tracker.authorizations.length = 0;
    wiki.authorizations.length = 0;
    const ext = await externalMcpTools([
      { name: "tracker", url: tracker.url, token: "trk_secret_token" },
      { name: "wiki", url: wiki.url, token: null },
    ]);
    await ext.tools.find((t) => t.name === "tracker__search_issues")!.run({ query: "checkout" });
    await ext.tools.find((t) => t.name === "wiki__search_issues")!.run({ query: "checkout" });
    await ext.close();
    expect(tracker.authorizations.length).toBeGreaterThan(1);
    expect(new Set(tracker.authorizations)).toEqual(new Set(["Bearer trk_secret_token"]));
    expect(wiki.authorizations.length).toBeGreaterThan(1);
    expect(new Set(wiki.authorizations)).toEqual(new Set([null]));
  });
});
