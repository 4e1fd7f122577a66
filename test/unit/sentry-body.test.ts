import { gzipSync, deflateSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readBody } from "../../workers/ingest/body";

const LIMIT = 64 * 1024;

function post(body: Uint8Array | ReadableStream<Uint8Array> | null, headers: Record<string, string> = {}): Request {
  return new Request("http://x/api/1/envelope/", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

/** a body that arrives in chunks, like a chunked upload without Content-Length */
function chunked(bytes: Uint8Array, size = 4096): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

const text = (r: Awaited<ReturnType<typeof readBody>>) => (r.ok ? new TextDecoder().decode(r.bytes) : r);

describe("readBody", () => {
  it("reads a plain body, streamed or not", async () => {
    expect(text(await readBody(post(new TextEncoder().encode("hello")), LIMIT))).toBe("hello");
    expect(text(await readBody(post(chunked(new TextEncoder().encode("x".repeat(10_000)))), LIMIT))).toBe("x".repeat(10_000));
    expect(text(await readBody(post(null), LIMIT))).toBe("");
  });

  it("decompresses gzip and deflate", async () => {
    const body = "é".repeat(20_000);
    expect(text(await readBody(post(chunked(gzipSync(body)), { "content-encoding": "gzip" }), LIMIT))).toBe(body);
    expect(text(await readBody(post(gzipSync(body), { "content-encoding": "x-gzip" }), LIMIT))).toBe(body);
    expect(text(await readBody(post(deflateSync(body), { "content-encoding": "Deflate" }), LIMIT))).toBe(body);
  });

  it("refuses an encoding it cannot decode", async () => {
    expect(await readBody(post(new Uint8Array([1]), { "content-encoding": "br" }), LIMIT)).toMatchObject({ ok: false, status: 415, code: "unsupported_encoding" });
  });

  it("refuses a body declared too large before reading it", async () => {
    const r = await readBody(post(new Uint8Array(10), { "content-length": String(LIMIT + 1) }), LIMIT);
    expect(r).toMatchObject({ ok: false, status: 413, code: "body_too_large" });
  });

  it("cuts off a streamed body at the cap", async () => {
    expect(await readBody(post(chunked(new Uint8Array(LIMIT + 1))), LIMIT)).toMatchObject({ ok: false, status: 413, detail: expect.stringContaining("request body") });
    expect((await readBody(post(chunked(new Uint8Array(LIMIT))), LIMIT)).ok).toBe(true);
  });

  it("cuts off a gzip bomb at the decompressed cap", async () => {
    const bomb = gzipSync(new Uint8Array(50 * LIMIT)); // 3.2 MB of zeros in a few KB
    expect(bomb.byteLength).toBeLessThan(LIMIT / 4);
    const r = await readBody(post(chunked(bomb), { "content-encoding": "gzip" }), LIMIT);
    expect(r).toMatchObject({ ok: false, status: 413, code: "body_too_large", detail: expect.stringContaining("decompressed body") });
  });

  it("counts compressed bytes on the wire too", async () => {
    const incompressible = gzipSync(randomBytes(2 * LIMIT));
    const r = await readBody(post(chunked(incompressible), { "content-encoding": "gzip" }), LIMIT);
    expect(r).toMatchObject({ ok: false, status: 413, detail: expect.stringContaining("request body") });
  });

  it("answers 400 for a body that is not what its encoding says", async () => {
    const r = await readBody(post(new TextEncoder().encode("{\"not\":\"gzip\"}"), { "content-encoding": "gzip" }), LIMIT);
    expect(r).toMatchObject({ ok: false, status: 400, code: "invalid_compression" });
    const truncated = gzipSync("hello world".repeat(100)).subarray(0, 20);
    expect(await readBody(post(truncated, { "content-encoding": "gzip" }), LIMIT)).toMatchObject({ ok: false, status: 400 });
  });
});
