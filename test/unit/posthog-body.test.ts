import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readPostHogBody } from "../../workers/ingest/sources/posthog/body";

const post = (body: BodyInit, headers: Record<string, string> = {}) => new Request("http://x/batch/", { method: "POST", body, headers });

describe("readPostHogBody", () => {
  const json = JSON.stringify({ api_key: "k", batch: [{ event: "$exception" }] });

  it("reads plain, gzip (by header or by magic bytes) and posthog-js' base64 form", async () => {
    expect(await readPostHogBody(post(json))).toEqual({ ok: true, text: json });
    expect(await readPostHogBody(post(gzipSync(json), { "content-encoding": "gzip" }))).toEqual({ ok: true, text: json });
    expect(await readPostHogBody(post(gzipSync(json)))).toEqual({ ok: true, text: json });
    // a proxy that already inflated the body but kept the header
    expect(await readPostHogBody(post(json, { "content-encoding": "gzip" }))).toEqual({ ok: true, text: json });
    const form = `data=${encodeURIComponent(Buffer.from(json).toString("base64"))}`;
    expect(await readPostHogBody(post(form, { "content-type": "application/x-www-form-urlencoded" }))).toEqual({ ok: true, text: json });
  });

  it("caps the bytes on the wire and after decompression", async () => {
    expect(await readPostHogBody(post("x".repeat(2000)), 1000)).toMatchObject({ ok: false, status: 413, code: "body_too_large" });
    const bomb = gzipSync(Buffer.alloc(50_000, 32));
    expect(bomb.byteLength).toBeLessThan(1000);
    expect(await readPostHogBody(post(bomb), 10_000)).toMatchObject({ ok: false, status: 413, code: "body_too_large" });
    expect(await readPostHogBody(post(gzipSync(json)), 10_000)).toMatchObject({ ok: true });
  });

  it("rejects a corrupt gzip stream and unknown encodings", async () => {
    const broken = gzipSync(json).subarray(0, 20);
    expect(await readPostHogBody(post(broken))).toMatchObject({ ok: false, status: 400, code: "invalid_compression" });
    expect(await readPostHogBody(post(json, { "content-encoding": "deflate" }))).toMatchObject({ ok: false, status: 415 });
  });
});
