/** The pure parts of the MCP server: result bounds, LIKE escaping, run tokens. */
import { describe, expect, it } from "vitest";
import { bounded } from "../../workers/mcp/bounded";
import { containsPattern } from "../../workers/mcp/like-pattern";
import { MAX_RUN_TOKEN_TTL_MS, mintRunToken, verifyRunToken } from "../../workers/mcp/run-token";

describe("bounded", () => {
  it("cuts long strings and long lists, and says how much it cut", () => {
    const { value } = bounded({ s: "x".repeat(30), list: [1, 2, 3, 4], n: 7, ok: null }, { maxString: 10, maxItems: 2, maxTotal: 10_000 });
    expect(value).toEqual({ s: `${"x".repeat(10)}… [20 more characters]`, list: [1, 2, "[2 more items left out]"], n: 7, ok: null });
  });

  it("keeps a result under the total however large the input", () => {
    const huge = { signals: Array.from({ length: 500 }, (_, i) => ({ id: `s${i}`, content: "A.".repeat(32_000) })) };
    const { value, json } = bounded(huge, { maxString: 2_000, maxItems: 50, maxTotal: 64_000 });
    expect(json.length).toBeLessThanOrEqual(64_000);
    expect(JSON.parse(json)).toEqual(value);
    expect(value.signals[0].id).toBe("s0");
    expect(value.signals).toHaveLength(51);
  });

  it("leaves a small value as it is", () => {
    const small = { a: "b", c: [1, { d: "e" }] };
    expect(bounded(small).value).toEqual(small);
  });
});

describe("containsPattern", () => {
  it("escapes LIKE wildcards and the escape character", () => {
    expect(containsPattern("100%")).toBe("%100\\%%");
    expect(containsPattern("a_b\\c")).toBe("%a\\_b\\\\c%");
    expect(containsPattern("plain")).toBe("%plain%");
  });
});

describe("run tokens", () => {
  const secret = "s3cret";
  const claims = { project: "p1", report: "r1", expires_at: 1_000_000 + 60_000 };

  it("verify what they minted, until they expire", async () => {
    const token = await mintRunToken(secret, claims, 1_000_000);
    expect(token).toMatch(/^nsr1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(await verifyRunToken(secret, token, 1_000_000)).toEqual({ ok: true, claims });
    expect(await verifyRunToken(secret, token, claims.expires_at)).toMatchObject({ ok: false, code: "expired_run_token" });
  });

  it("reject another secret, an edited payload, garbage, and a deployment without a secret", async () => {
    const token = await mintRunToken(secret, claims, 1_000_000);
    expect(await verifyRunToken("other", token, 1_000_000)).toMatchObject({ ok: false, code: "invalid_run_token" });
    const [head, payload, mac] = token.split(".");
    const edited = `${head}.${payload.slice(0, -2)}${payload.endsWith("A") ? "B" : "A"}${payload.slice(-1)}.${mac}`;
    expect(await verifyRunToken(secret, edited, 1_000_000)).toMatchObject({ ok: false, code: "invalid_run_token" });
    for (const junk of ["nsr1.", "nsr1.a.b", "nsr1.a.b.c", `nsr1.${payload}.${"!".repeat(43)}`, `nsr1.${"A".repeat(4000)}.${mac}`]) {
      expect(await verifyRunToken(secret, junk, 1_000_000)).toMatchObject({ ok: false, code: "invalid_run_token" });
    }
    expect(await verifyRunToken(undefined, token, 1_000_000)).toMatchObject({ ok: false, code: "run_tokens_disabled" });
  });

  it("are not minted without a secret, already expired, or for longer than the maximum", async () => {
    await expect(mintRunToken(undefined, claims, 1_000_000)).rejects.toThrow(/MCP_TOKEN_SECRET/);
    await expect(mintRunToken(secret, claims, claims.expires_at)).rejects.toThrow(/expires/);
    await expect(mintRunToken(secret, { ...claims, expires_at: 1_000_000 + MAX_RUN_TOKEN_TTL_MS + 1 }, 1_000_000)).rejects.toThrow(/expires/);
  });
});
