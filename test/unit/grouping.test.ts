import { describe, expect, it } from "vitest";
import { assignSignal, conflicting } from "../../workers/grouping/assign";
import { cosine, HashedNgramEmbedder } from "../../workers/grouping/hashed-embedder";
import { MemoryFingerprintStore } from "../../workers/grouping/memory-fingerprints";
import { MinedFingerprinter } from "../../workers/grouping/fingerprinter";
import { MemoryLogTemplateStore } from "../../workers/grouping/memory-log-templates";
import { MemoryVectorIndex } from "../../workers/grouping/memory-index";
import { OfflineQueryWriter, writeQueries } from "../../workers/grouping/offline-query-writer";
import type { Embedder, GroupingDeps } from "../../workers/grouping/types";

describe("HashedNgramEmbedder", () => {
  const e = new HashedNgramEmbedder();
  it("is deterministic and unit length", async () => {
    const [a, b] = await e.embed(["checkout payment totals", "checkout payment totals"]);
    expect(a).toEqual(b);
    expect(Math.hypot(...a)).toBeCloseTo(1, 9);
  });
  it("scores plurals and shared words above unrelated text", () => {
    const q = e.embedOne("search shoes zero results");
    expect(cosine(q, e.embedOne("search shoe results"))).toBeGreaterThan(cosine(q, e.embedOne("dark mode dashboard")) + 0.4);
  });
});

describe("OfflineQueryWriter", () => {
  it("writes a place and a symptom query for a stack trace", () => {
    const q = writeQueries(
      "TypeError: Cannot read properties of undefined (reading 'uri')\n    at uploadAvatar (src/profile/avatar.ts:19:24)\nurl: https://app.example.com/settings/profile",
    );
    expect(q.length).toBeGreaterThanOrEqual(2);
    expect(q[0]).toContain("profile");
    expect(q[0]).toContain("avatar");
    expect(q.join(" ")).toContain("uri");
  });
  it("reads a log line's place fields and message, without its timestamp, level and variable fields", () => {
    const src = { source_product: "logs", source_type: "log" };
    expect(writeQueries("2026-06-10T11:33:21.000Z ERROR [checkout] upstream tax-service responded 500 route=/checkout/payment duration_ms=381 request_id=req_6k6qr9p7spam client_ip=10.80.132.157 host=checkout-12", src)).toEqual([
      "checkout payment",
      "upstream tax responded unavailable",
      // where and how, the angle a customer's message shares: "the payment page shows a server error"
      "checkout payment unavailable",
    ]);
    expect(writeQueries('ts=2026-06-03T18:54:56Z level=warn service=search msg="request to ranker exceeded deadline" route=/api/search duration_ms=9120', src)).toEqual([
      "search",
      "request ranker exceeded deadline timeout",
    ]);
  });
  it("names in-app files without deployment prefixes or layout words", () => {
    const [place] = writeQueries('Traceback (most recent call last):\n  File "/srv/app/checkout/views.py", line 99, in compute_totals\n    x = 1\nKeyError: \'sku\'');
    expect(place).toBe("checkout compute totals");
  });
  it("spells a verb and its particle as code does: check out → checkout, sign in → signin", () => {
    const [topic] = writeQueries("#support — Olu: i get a 502 error when I check out, and signing in is slow");
    expect(topic.split(" ")).toEqual(expect.arrayContaining(["checkout", "signin"]));
    // how people say they tried is no compound
    expect(writeQueries("Logged out and back in, the invoices page is still blank").join(" ")).not.toContain("logout");
  });
  it("writes a topic query for free text, without chat boilerplate", () => {
    const [q] = writeQueries("#product — Sam (PM): we're losing sales on search: 'shirts' returns zero, 'shirt' returns plenty.");
    expect(q).toContain("search");
    expect(q).not.toContain("product");
  });
});

describe("assignSignal", () => {
  function deps(embedder: Embedder = new HashedNgramEmbedder()): GroupingDeps & { calls: number[] } {
    const calls: number[] = [];
    return {
      calls,
      queryWriter: new OfflineQueryWriter(),
      embedder: { model: embedder.model, dimensions: embedder.dimensions, defaultThreshold: embedder.defaultThreshold, embed: (t) => (calls.push(t.length), embedder.embed(t)) },
      index: new MemoryVectorIndex(),
      fingerprints: new MemoryFingerprintStore(),
      fingerprinter: new MinedFingerprinter(new MemoryLogTemplateStore()),
    };
  }
  const s = (id: string, content: string, project = "p") => ({ id, project, content, source_product: "errors", source_type: "exception", weight: 1 });
  let n = 0;
  const opts = { threshold: 0.5, newReportId: () => `r${++n}` };

  it("joins repeats by fingerprint with no embedding call", async () => {
    const d = deps();
    const trace = "RangeError: boom\n    at resizeImage (src/workers/thumbnail.ts:52:17)";
    const first = await assignSignal(s("a", trace), d, opts);
    const calls = d.calls.length;
    const second = await assignSignal(s("b", trace.replace("52", "60")), d, opts);
    expect(second).toMatchObject({ reportId: first.reportId, method: "fingerprint", score: 1 });
    expect(d.calls.length).toBe(calls);
    expect(second.embedding).toEqual(first.embedding);
  });

  it("does not index a vector its report already holds at cosine ≥ 0.99, and still groups by it", async () => {
    const d = deps();
    const upserted: string[] = [];
    const index = d.index;
    d.index = { query: (p, v, k) => index.query(p, v, k), upsert: (p, rs) => (upserted.push(...rs.map((r) => r.id)), index.upsert(p, rs)) };
    const ticket = (id: string, extra: string) => ({ ...s(id, `search for plurals returns zero results: shoes, shirts ${extra}`), source_type: "ticket" });
    const first = await assignSignal(ticket("a", ""), d, opts);
    expect(upserted.length).toBeGreaterThan(0);
    const before = upserted.length;
    const again = await assignSignal(ticket("b", ""), d, opts);
    expect(again).toMatchObject({ reportId: first.reportId, method: "vector" });
    expect(again.score).toBeCloseTo(1, 10);
    expect(upserted.length).toBe(before);
    // a new report indexes everything; a threshold above 1 turns the check off
    const other = await assignSignal(ticket("c", ""), d, { ...opts, nearDuplicate: 1.01 });
    expect(other.reportId).toBe(first.reportId);
    expect(upserted.length).toBe(before * 2);
  });

  it("keeps projects apart even for identical content", async () => {
    const d = deps();
    const text = "search for plurals returns zero results: shoes, shirts";
    const a = await assignSignal({ ...s("a", text, "p1"), source_type: "ticket" }, d, opts);
    const b = await assignSignal({ ...s("b", text, "p2"), source_type: "ticket" }, d, opts);
    expect(b.reportId).not.toBe(a.reportId);
    expect(b.method).toBe("new");
  });

  it("lets a conflicting fingerprint veto a vector match: another exception in the same file opens its own report", async () => {
    const d = deps();
    const loose = { ...opts, threshold: 0.05 };
    const a = await assignSignal(s("a", "TypeError: cart is null\n    at computeTotals (src/checkout/totals.ts:41:7)"), d, loose);
    const b = await assignSignal(s("b", "RangeError: invalid currency code\n    at computeTotals (src/checkout/totals.ts:88:3)"), d, loose);
    const c = await assignSignal(s("c", "TypeError: cart is null\n    at applyCoupon (src/checkout/totals.ts:12:9)"), d, loose);
    expect(b).toMatchObject({ method: "new" });
    expect(b.reportId).not.toBe(a.reportId);
    expect(c.reportId).not.toBe(a.reportId);
    // the same type and top frame, a different caller below: no veto, the vector may join
    const e = await assignSignal(s("e", "TypeError: cart is null\n    at computeTotals (src/checkout/totals.ts:41:7)\n    at submitOrder (src/checkout/submit.ts:9:1)"), d, loose);
    expect(e.reportId).toBe(a.reportId);
  });

  it("keeps two failure classes in one place apart: a timeout does not join a report of 502s", async () => {
    const d = deps();
    const loose = { ...opts, threshold: 0.05 };
    const t = (id: string, content: string) => ({ ...s(id, content), source_product: "support", source_type: "ticket" });
    const bad = await assignSignal(t("g1", "Search results page shows 502 bad gateway when filtering search results by facets"), d, loose);
    const slow = await assignSignal(t("g2", "Search results page times out when filtering search results by facets"), d, loose);
    const badAgain = await assignSignal(t("g3", "Search results page: 502 bad gateway again when filtering search results by facets"), d, loose);
    expect(slow.reportId).not.toBe(bad.reportId);
    expect(badAgain.reportId).toBe(bad.reportId);
  });
});

describe("conflicting fingerprints", () => {
  it("are two templates, or two exceptions with another type or top frame", () => {
    expect(conflicting("log:aa", "log:bb")).toBe(true);
    expect(conflicting("log:aa", "log:aa")).toBe(false);
    expect(conflicting("stack:TypeError:f@a.ts", "stack:RangeError:f@a.ts")).toBe(true);
    expect(conflicting("stack:TypeError:f@a.ts|g@b.ts", "stack:TypeError:f@a.ts|h@c.ts")).toBe(false);
    expect(conflicting("stack:TypeError:f@a.ts", "log:aa")).toBe(false);
    expect(conflicting(null, "log:aa")).toBe(false);
  });
});

describe("assignSignal: evidence combined across queries", () => {
  // an index that answers each query vector (by its first coordinate) with scripted matches
  function scripted(scores: Record<string, number>[]) {
    const embedder: Embedder = {
      model: "scripted",
      dimensions: 2,
      defaultThreshold: 0.35,
      embed: async (texts) => texts.map((_, i) => [i, 0]),
    };
    const deps: GroupingDeps = {
      queryWriter: { name: "two", usesLlm: false, write: async () => scores.map((_, i) => `query ${i}`) },
      embedder,
      index: {
        query: async (_p, v) => Object.entries(scores[v[0]]).map(([reportId, score]) => ({ id: `${reportId}-v`, reportId, score })),
        upsert: async () => undefined,
      },
      fingerprints: new MemoryFingerprintStore(),
      fingerprinter: { fingerprints: async (list) => list.map(() => null) },
    };
    return (s: Record<string, number>[] = scores) =>
      assignSignal({ id: "s", project: "p", source_product: "support", source_type: "ticket", content: "x", weight: 1 }, { ...deps }, { threshold: 0.35, newReportId: () => "new" });
  }

  it("does not link on one query between the threshold and the strong score", async () => {
    expect((await scripted([{ a: 0.4 }, { b: 0.1 }])()).reportId).toBe("new");
  });
  it("links when a second query of the signal finds the same report", async () => {
    const d = await scripted([{ a: 0.4 }, { a: 0.3 }])();
    expect([d.reportId, d.method, d.query]).toEqual(["a", "vector", "query 0"]);
  });
  it("links on one query alone when it is strong, or when the signal has one query", async () => {
    expect((await scripted([{ a: 0.46 }, { b: 0.1 }])()).reportId).toBe("a");
    expect((await scripted([{ a: 0.36 }])()).reportId).toBe("a");
  });
  it("prefers the best supported report over a better single weak one", async () => {
    expect((await scripted([{ a: 0.42, b: 0.38 }, { b: 0.3 }])()).reportId).toBe("b");
  });
});

describe("specificity check", () => {
  it("drops queries that only name the source or a failure", async () => {
    const { specificQueries } = await import("../../workers/grouping/specificity");
    const signal = { source_product: "posthog", source_type: "exception" };
    expect(specificQueries(["posthog", "PostHog exception error", "checkout coupon posthog", "failed"], signal)).toEqual(["checkout coupon posthog"]);
  });

  it("never links a signal whose queries are all generic: it opens its own report", async () => {
    const index = new MemoryVectorIndex();
    const embedder = new HashedNgramEmbedder();
    await index.upsert("p", [{ id: "old:0", reportId: "r-old", values: (await embedder.embed(["posthog"]))[0], query: "posthog" }]);
    const deps: GroupingDeps = {
      queryWriter: { name: "generic", usesLlm: false, write: async () => ["posthog", "error"] },
      embedder,
      index,
      fingerprints: new MemoryFingerprintStore(),
      fingerprinter: { fingerprints: async (list) => list.map(() => null) },
    };
    const d = await assignSignal(
      { id: "s", project: "p", source_product: "posthog", source_type: "exception", content: "posthog error", weight: 1 },
      deps,
      { threshold: 0.35, newReportId: () => "r-new" },
    );
    expect([d.reportId, d.method, d.isNewReport]).toEqual(["r-new", "new", true]);
  });
});
