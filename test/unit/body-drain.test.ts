import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DRAIN_LIMIT, inflateCapped, readBody } from "../../workers/ingest/body";

const LIMIT = 64 * 1024;

/** A chunked body that records how far it was read and whether it was cancelled. */
function tracked(total: number, chunk = 4096, bytes?: Uint8Array) {
  const state = { read: 0, cancelled: false, done: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.read >= total) {
        state.done = true;
        return controller.close();
      }
      const n = Math.min(chunk, total - state.read);
      controller.enqueue(bytes ? bytes.slice(state.read, state.read + n) : new Uint8Array(n));
      state.read += n;
    },
    cancel() {
      state.cancelled = true;
    },
  });
  const req = new Request("http://x/v1/signals", { method: "POST", body: stream, duplex: "half" } as RequestInit);
  return { req, state };
}

describe("readBody past the cap", () => {
  it("reads the rest of a body over the cap to its end instead of cancelling it (keeps the connection reusable)", async () => {
    const { req, state } = tracked(3 * LIMIT);
    expect(await readBody(req, LIMIT)).toMatchObject({ ok: false, status: 413, code: "body_too_large" });
    expect(state).toMatchObject({ read: 3 * LIMIT, done: true, cancelled: false });
  });

  it("drains a gzip body whose inflated bytes went over the cap", async () => {
    const bomb = gzipSync(new Uint8Array(50 * LIMIT));
    const { req, state } = tracked(bomb.byteLength, 256, bomb);
    const gz = new Request(req, { headers: { "content-encoding": "gzip" } });
    expect(await readBody(gz, LIMIT)).toMatchObject({ ok: false, status: 413, detail: expect.stringContaining("decompressed") });
    expect(state).toMatchObject({ read: bomb.byteLength, done: true, cancelled: false });
  });

  it("drains a body that is not what its encoding says", async () => {
    const junk = new TextEncoder().encode("not gzip at all ".repeat(1000));
    const { req, state } = tracked(junk.byteLength, 512, junk);
    const gz = new Request(req, { headers: { "content-encoding": "gzip" } });
    expect(await readBody(gz, LIMIT)).toMatchObject({ ok: false, status: 400, code: "invalid_compression" });
    expect(state).toMatchObject({ done: true, cancelled: false });
  });

  it("gives up draining past DRAIN_LIMIT and cancels", async () => {
    const { req, state } = tracked(LIMIT + DRAIN_LIMIT + 10 * 65536, 65536);
    expect(await readBody(req, LIMIT)).toMatchObject({ ok: false, status: 413 });
    expect(state.cancelled).toBe(true);
    expect(state.read).toBeLessThan(LIMIT + DRAIN_LIMIT + 10 * 65536);
  });

  it("inflates bytes already read with the same cap", async () => {
    const body = gzipSync("hello ".repeat(100));
    const ok = await inflateCapped(body, "gzip", LIMIT);
    expect(ok.ok && new TextDecoder().decode(ok.bytes)).toBe("hello ".repeat(100));
    expect(await inflateCapped(gzipSync(new Uint8Array(2 * LIMIT)), "gzip", LIMIT)).toMatchObject({ ok: false, status: 413 });
  });
});
