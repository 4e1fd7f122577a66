/**
 * workers/forge/pkcs8.ts: GitHub's PKCS#1 App keys become PKCS#8 that
 * WebCrypto imports and signs with; the output is byte for byte what
 * node:crypto (OpenSSL) exports; PKCS#8 passes unchanged; env-var mangling is
 * undone; anything else is refused without echoing key material.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import { derLength, PrivateKeyFormatError, toPkcs8Der, toPkcs8Pem } from "../../workers/forge/pkcs8";

const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

function rsaPkcs1(bits: number): { pkcs1: string; spki: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: bits,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { pkcs1: privateKey, spki: publicKey };
}

const pkcs1_2048 = rsaPkcs1(2048);

describe("pkcs8: PKCS#1 → PKCS#8", () => {
  it("wraps a PKCS#1 key so WebCrypto imports it, signs RS256, and the public key verifies", async () => {
    const { pkcs1, spki } = pkcs1_2048;
    expect(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----")).toBe(true);
    const pem = toPkcs8Pem(pkcs1);
    expect(pem.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
    const key = await webcrypto.subtle.importKey("pkcs8", toPkcs8Der(pkcs1), RS256, false, ["sign"]);
    const data = new TextEncoder().encode("header.payload");
    const signature = await webcrypto.subtle.sign(RS256.name, key, data);
    const pub = await webcrypto.subtle.importKey("spki", createPublicKey(spki).export({ type: "spki", format: "der" }), RS256, false, ["verify"]);
    expect(await webcrypto.subtle.verify(RS256.name, pub, signature, data)).toBe(true);
    expect(await webcrypto.subtle.verify(RS256.name, pub, signature, new TextEncoder().encode("header.payloaD"))).toBe(false);
  });

  it("writes exactly what node:crypto (OpenSSL) exports as PKCS#8, for several key sizes", () => {
    for (const { pkcs1 } of [rsaPkcs1(1024), pkcs1_2048, rsaPkcs1(3072)]) {
      const node = createPrivateKey(pkcs1).export({ type: "pkcs8", format: "pem" }) as string;
      expect(toPkcs8Pem(pkcs1)).toBe(node);
    }
  });

  it("passes a PKCS#8 key through unchanged", () => {
    const node = createPrivateKey(pkcs1_2048.pkcs1).export({ type: "pkcs8", format: "pem" }) as string;
    expect(toPkcs8Pem(node)).toBe(node);
  });

  it("undoes what env vars do to PEM: escaped \\n, CRLF, quotes, surrounding blanks", () => {
    const node = createPrivateKey(pkcs1_2048.pkcs1).export({ type: "pkcs8", format: "pem" }) as string;
    const escaped = pkcs1_2048.pkcs1.trim().split("\n").join("\\n");
    expect(escaped.includes("\n")).toBe(false);
    expect(toPkcs8Pem(escaped)).toBe(node);
    expect(toPkcs8Pem(`  "${escaped}"\n`)).toBe(node);
    expect(toPkcs8Pem(pkcs1_2048.pkcs1.replaceAll("\n", "\r\n"))).toBe(node);
    expect(toPkcs8Pem(node.trim().split("\n").join("\\n"))).toBe(node);
  });

  it("encodes DER lengths in the shortest form", () => {
    expect(derLength(0)).toEqual([0]);
    expect(derLength(0x7f)).toEqual([0x7f]);
    expect(derLength(0x80)).toEqual([0x81, 0x80]);
    expect(derLength(0xff)).toEqual([0x81, 0xff]);
    expect(derLength(0x100)).toEqual([0x82, 0x01, 0x00]);
    expect(derLength(0x4a1)).toEqual([0x82, 0x04, 0xa1]);
    expect(derLength(0x10000)).toEqual([0x83, 0x01, 0x00, 0x00]);
  });

  it("refuses everything else with a clear reason and without the key's text", () => {
    const body = pkcs1_2048.pkcs1.split("\n").slice(1, -2).join("\n");
    const secretLine = body.split("\n")[3];
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256", privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const cases: [string, RegExp][] = [
      ["", /empty/],
      ["not a key at all", /does not start/],
      [`-----BEGIN RSA PRIVATE KEY-----\n${body}\n`, /does not end/],
      [`-----BEGIN RSA PRIVATE KEY-----\n${body.slice(0, 200)}\n-----END RSA PRIVATE KEY-----`, /not base64|not a PKCS#1/],
      [`-----BEGIN RSA PRIVATE KEY-----\n${body.replace(/[A-Z]/, "!")}\n-----END RSA PRIVATE KEY-----`, /not base64/],
      [`-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n${body}\n-----END RSA PRIVATE KEY-----`, /encrypted/],
      [`-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body}\n-----END ENCRYPTED PRIVATE KEY-----`, /encrypted/],
      [`-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----`, /OpenSSH/],
      [`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`, /CERTIFICATE/],
      [ec.privateKey, /another algorithm/],
      // a PKCS#8 label over a PKCS#1 body: the structure does not match
      [`-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`, /another algorithm|not a PKCS#8/],
      ["x".repeat(40_000), /longer than/],
    ];
    for (const [input, reason] of cases) {
      let error: unknown;
      try {
        toPkcs8Pem(input);
      } catch (err) {
        error = err;
      }
      expect(error, input.slice(0, 40)).toBeInstanceOf(PrivateKeyFormatError);
      const message = (error as Error).message;
      expect(message).toMatch(reason);
      expect((error as PrivateKeyFormatError).code).toBe("bad_private_key");
      expect(message.includes(secretLine)).toBe(false);
      expect(message.includes(body.slice(0, 24))).toBe(false);
    }
  });
});
