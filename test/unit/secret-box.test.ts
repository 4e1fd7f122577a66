/** Secrets at rest (workers/admin/secret-box.ts): round trip, tamper, wrong key, wrong context, legacy plaintext, no key. */
import { describe, expect, it } from "vitest";
import { isSealed, open, seal, SecretsKeyMissing, SecretUnreadable } from "../../workers/admin/secret-box";

const env = { SECRETS_KEY: "a-long-random-test-key-0123456789" };
const CTX = "projects/p1/slack_signing_secret";

describe("secret box", () => {
  it("seals into the versioned format and opens back, with a fresh IV each time", async () => {
    const a = await seal(env, "s3cret-value ✓", CTX);
    const b = await seal(env, "s3cret-value ✓", CTX);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$/);
    expect(a).not.toContain("s3cret");
    expect(a).not.toBe(b);
    expect(isSealed(a)).toBe(true);
    expect(await open(env, a, CTX)).toBe("s3cret-value ✓");
    expect(await open(env, b, CTX)).toBe("s3cret-value ✓");
  });

  it("refuses a tampered ciphertext or IV", async () => {
    const sealed = await seal(env, "s3cret-value", CTX);
    const [v, iv, ct] = sealed.split(":");
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    await expect(open(env, `${v}:${iv}:${flip(ct, 2)}`, CTX)).rejects.toThrow(SecretUnreadable);
    await expect(open(env, `${v}:${flip(iv, 0)}:${ct}`, CTX)).rejects.toThrow(SecretUnreadable);
    await expect(open(env, `${v}:${iv}:${ct.slice(0, 8)}`, CTX)).rejects.toThrow(/malformed/);
    await expect(open(env, `${v}:${iv}:not*base64`, CTX)).rejects.toThrow(/malformed/);
  });

  it("does not open under another key or for another field or project", async () => {
    const sealed = await seal(env, "s3cret-value", CTX);
    await expect(open({ SECRETS_KEY: "another-key-entirely-987654321" }, sealed, CTX)).rejects.toThrow(/another SECRETS_KEY/);
    await expect(open(env, sealed, "projects/p1/github_webhook_secret")).rejects.toThrow(SecretUnreadable);
    await expect(open(env, sealed, "projects/p2/slack_signing_secret")).rejects.toThrow(SecretUnreadable);
  });

  it("reads a legacy plaintext row as it is, with or without a key", async () => {
    expect(isSealed("8f742231b10e8888abcd99yyyzzz")).toBe(false);
    expect(await open(env, "8f742231b10e8888abcd99yyyzzz", CTX)).toBe("8f742231b10e8888abcd99yyyzzz");
    expect(await open({}, "legacy-webhook-secret", CTX)).toBe("legacy-webhook-secret");
  });

  it("says SECRETS_KEY is missing when it must seal or open without one", async () => {
    await expect(seal({}, "s3cret-value", CTX)).rejects.toThrow(SecretsKeyMissing);
    await expect(seal({ SECRETS_KEY: "  " }, "s3cret-value", CTX)).rejects.toThrow(/wrangler secret put SECRETS_KEY/);
    const sealed = await seal(env, "s3cret-value", CTX);
    await expect(open({}, sealed, CTX)).rejects.toThrow(SecretsKeyMissing);
  });
});
