/**
 * The offline code researcher's pure parts: where signals point (frames,
 * named files, identifiers an error names), a trace's path matched to a
 * checkout's file, git's blame and log output, and reviewers from commit
 * authors and CODEOWNERS.
 */
import { describe, expect, it } from "vitest";
import { parseCodeowners } from "../../workers/research/codeowners";
import { LOG_FORMAT, parseBlamePorcelain, parseLog } from "../../workers/research/git-output";
import { namedIdentifiers, PathIndex, pointersOf, quotedLabels } from "../../workers/research/locate";
import { isBot, suggestReviewers } from "../../workers/research/reviewers";

const sig = (id: string, content: string) => ({ id, source_product: "errors", source_type: "exception", content, weight: 1, received_at: 0 });
const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);

describe("where signals point", () => {
  it("merges one frame cited by several signals and keeps in-app frames only", () => {
    const trace = "TypeError: x is null\n    at computeTotals (src/checkout/totals.ts:42:18)\n    at render (node_modules/react-dom/index.js:1:1)";
    const ps = pointersOf([sig("a", trace), sig("b", trace), sig("c", "Subject: broken\nsee src/search/index.ts please")]);
    expect(ps[0]).toMatchObject({ kind: "frame", target: "src/checkout/totals.ts", line: 42, fn: "computeTotals", signalIds: ["a", "b"], error: "TypeError: x is null" });
    expect(ps.map((p) => p.target)).toEqual(["src/checkout/totals.ts", "src/search/index.ts"]);
  });

  it("reads the identifiers errors name, in JS, Python and Ruby", () => {
    expect(namedIdentifiers("ReferenceError: trackTrialClick is not defined")).toEqual(["trackTrialClick"]);
    expect(namedIdentifiers("TypeError: api.fetchCart is not a function")).toEqual(["fetchCart"]);
    expect(namedIdentifiers("NameError: name 'compute_total' is not defined")).toEqual(["compute_total"]);
    expect(namedIdentifiers("AttributeError: 'NoneType' object has no attribute 'items'")).toEqual(["items"]);
    expect(namedIdentifiers("NoMethodError: undefined method `total_cents' for nil:NilClass")).toEqual(["total_cents"]);
    expect(namedIdentifiers("the page is not defined well")).toEqual([]);
  });

  it("reads labels users quote from the screen, not contractions or one word", () => {
    expect(quotedLabels("the 'Start free trial' button does nothing; I can't pay, we're stuck")).toEqual(["Start free trial"]);
    expect(quotedLabels('a red toast “Something went wrong” and "Pick up in store"')).toEqual(["Something went wrong", "Pick up in store"]);
    expect(quotedLabels("search 'boots' gives nothing, 'a\nb c d e' either")).toEqual([]);
    expect(quotedLabels("it's the user's 'settings page' isn't it")).toEqual(["settings page"]);
  });

  it("stays linear on adversarial text", () => {
    const evil = `${"a".repeat(200_000)} is not defined${" is not a function".repeat(20_000)}has no attribute '${"b".repeat(100_000)}`;
    const t = performance.now();
    namedIdentifiers(evil);
    quotedLabels(`${"'a ".repeat(300_000)}`);
    quotedLabels("\u2018".repeat(400_000));
    pointersOf([sig("x", evil), sig("y", `${"a/".repeat(50_000)}x.tsx`)]);
    // a quadratic scan of 1.2 MB takes minutes; this bound holds on a loaded machine
    expect(performance.now() - t).toBeLessThan(5_000);
  });
});

describe("a trace's path in the checkout", () => {
  const index = new PathIndex(["src/checkout/totals.js", "src/checkout/payment-step.js", "src/pricing/variant-b.js", "src/a/util.js", "src/b/util.js", "README.md"]);
  it("matches up to extension, case, separators and a deploy prefix", () => {
    expect(index.resolve("src/checkout/totals.js")).toBe("src/checkout/totals.js");
    expect(index.resolve("src/checkout/totals.ts")).toBe("src/checkout/totals.js");
    expect(index.resolve("src/checkout/PaymentStep.tsx")).toBe("src/checkout/payment-step.js");
    expect(index.resolve("/app/src/pricing/VariantB.tsx")).toBe("src/pricing/variant-b.js");
    expect(index.resolve("./src/checkout/totals.ts")).toBe("src/checkout/totals.js");
  });
  it("refuses an ambiguous or absent file", () => {
    expect(index.resolve("lib/util.ts")).toBeNull();
    expect(index.resolve("src/workers/thumbnail.ts")).toBeNull();
  });
});

describe("git output", () => {
  it("reads a porcelain blame", () => {
    const out = [`${SHA_A} 42 42 1`, "author Maya Chen", "author-mail <maya.chen@shop.example>", "author-time 1764586500", "author-tz +0000", "summary checkout: cart hydration", "filename src/checkout/totals.js", "\tconst lines = cart.items;", ""].join("\n");
    expect(parseBlamePorcelain(out)).toEqual({
      commit: { sha: SHA_A, author: "Maya Chen", email: "maya.chen@shop.example", date: new Date(1764586500 * 1000).toISOString(), subject: "checkout: cart hydration" },
      text: "const lines = cart.items;",
      uncommitted: false,
    });
    expect(parseBlamePorcelain("fatal: no such path")).toBeNull();
  });
  it("reads the log format it asks for", () => {
    expect(LOG_FORMAT).toContain("%x1e");
    const out = `${SHA_A}\x1fMaya Chen\x1fmaya@x.io\x1f2026-11-30T18:22:00+00:00\x1fcheckout: fix\x1e\n${SHA_B}\x1fdependabot[bot]\x1f\x1f2026-11-01T00:00:00+00:00\x1fbump: a \x1f b\x1e\n`;
    expect(parseLog(out)).toEqual([
      { sha: SHA_A, author: "Maya Chen", email: "maya@x.io", date: "2026-11-30T18:22:00+00:00", subject: "checkout: fix" },
      { sha: SHA_B, author: "dependabot[bot]", email: null, date: "2026-11-01T00:00:00+00:00", subject: "bump: a   b" },
    ]);
  });
});

describe("reviewers", () => {
  const owners = parseCodeowners("*  @shop/web\n/src/checkout/ @maya-chen @shop/payments\n");
  const commit = (sha: string, author: string, email: string | null) => ({ sha, author, email, date: "2026-11-30T00:00:00Z", subject: "s" });
  it("joins a blamed author to her CODEOWNERS login, leaves bots out, then the owners", () => {
    const r = suggestReviewers(
      [{ path: "src/checkout/totals.js", commits: [commit(SHA_A, "Maya Chen", "maya.chen@shop.example"), commit(SHA_B, "dependabot[bot]", "1+dependabot[bot]@users.noreply.github.com"), commit("c".repeat(40), "Ben Okafor", "ben@shop.example")] }],
      owners,
    );
    expect(r.map((x) => [x.handle, x.sources.join("+")])).toEqual([
      ["@maya-chen", "blame+codeowners"],
      ["@shop/payments", "codeowners"],
      ["Ben Okafor", "blame"],
    ]);
  });
  it("knows bots", () => {
    expect(isBot("renovate[bot]", null)).toBe(true);
    expect(isBot("github-actions", null)).toBe(true);
    expect(isBot("Maya Chen", "maya@x.io")).toBe(false);
  });
});
