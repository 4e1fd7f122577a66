/**
 * Reads a request body with a byte cap, decompressing `Content-Encoding:
 * gzip` / `deflate` with DecompressionStream. The cap applies to the bytes on
 * the wire and again to the decompressed bytes, counted while streaming, so a
 * gzip bomb is cut off at the cap instead of being inflated into memory.
 * Shared by every source that takes compressed bodies (Sentry, PostHog, logs).
 */

export type BodyFailure =
  | { ok: false; status: 413; code: "body_too_large"; detail: string }
  | { ok: false; status: 415; code: "unsupported_encoding"; detail: string }
  | { ok: false; status: 400; code: "invalid_compression"; detail: string };

export type BodyResult = { ok: true; bytes: Uint8Array } | BodyFailure;

const FORMATS: Record<string, "gzip" | "deflate" | null> = {
  "": null,
  identity: null,
  gzip: "gzip",
  "x-gzip": "gzip",
  deflate: "deflate",
};

/**
 * `inflate: false` reads the bytes as sent whatever Content-Encoding says
 * (for signed bodies, and sources that sniff the format themselves); the cap
 * still applies, counted while streaming.
 */
export async function readBody(req: Request, limit: number, opts: { inflate?: boolean } = {}): Promise<BodyResult> {
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (opts.inflate !== false && !(encoding in FORMATS)) {
    return {
      ok: false,
      status: 415,
      code: "unsupported_encoding",
      detail: `Content-Encoding ${encoding} is not supported; send gzip, deflate or none`,
    };
  }
  const format = opts.inflate === false ? null : FORMATS[encoding];
  const declared = Number(req.headers.get("content-length") ?? "0");
  // refused before a byte is read: the runtime discards the unread body itself
  if (declared > limit) return tooLarge(limit, "request");
  if (!req.body) return { ok: true, bytes: new Uint8Array(0) };
  const wire = req.body.getReader();
  return format ? inflateWire(wire, limit, format) : collectWire(wire, limit);
}

/**
 * Past a cap, the rest of the request body is read and discarded (up to
 * DRAIN_LIMIT more bytes) before the answer goes out, instead of cancelling
 * the stream: a request body cancelled half-read cannot be reused by the
 * connection, and under `wrangler dev` the next request on that keep-alive
 * connection then fails with 503 "Your worker restarted mid-request" (the dev
 * proxy reuses the broken connection). A body longer than that is cancelled.
 */
export const DRAIN_LIMIT = 32 * 1024 * 1024;

async function drain(wire: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let drained = 0;
  try {
    for (;;) {
      const { done, value } = await wire.read();
      if (done) return;
      drained += value.byteLength;
      if (drained > DRAIN_LIMIT) break;
    }
  } catch {
    return; // the stream failed: nothing left to drain
  }
  await wire.cancel().catch(() => {});
}

/** The wire bytes as they are, failing (after draining) once more than `limit` came. */
async function collectWire(wire: ReadableStreamDefaultReader<Uint8Array>, limit: number): Promise<BodyResult> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await wire.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await drain(wire);
      return tooLarge(limit, "request");
    }
    chunks.push(value);
  }
  return { ok: true, bytes: concat(chunks, total) };
}

/**
 * The wire bytes inflated: the wire is pumped into a DecompressionStream by
 * hand while its output is collected, so both caps are counted as the bytes
 * go and the wire can still be drained when either is exceeded.
 */
async function inflateWire(
  wire: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
  format: "gzip" | "deflate",
  inflatedLimit = limit,
): Promise<BodyResult> {
  const inflate = new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>;
  const writer = inflate.writable.getWriter();
  const out = collectInflated(inflate.readable.getReader(), inflatedLimit, format);
  let failure: BodyFailure | null = null;
  let total = 0;
  for (;;) {
    const { done, value } = await wire.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      failure = tooLarge(limit, "request");
      break;
    }
    // rejects once the inflater failed (bad data) or its output was cut off at the cap
    const written = await writer.write(value).then(
      () => true,
      () => false,
    );
    if (!written) break;
  }
  if (failure) {
    await writer.abort(failure.detail).catch(() => {});
    await out.catch(() => {});
  } else {
    await writer.close().catch(() => {});
    const result = await out;
    if (result.ok) return result;
    failure = result;
  }
  await drain(wire);
  return failure;
}

/** The inflater's output; a failure of the inflater is invalid data. */
async function collectInflated(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number, format: "gzip" | "deflate"): Promise<BodyResult> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return tooLarge(limit, "decompressed");
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, status: 400, code: "invalid_compression", detail: `the body is not valid ${format} data` };
  }
  return { ok: true, bytes: concat(chunks, total) };
}

/** Inflates bytes that arrived already read (e.g. gzip recognised by its magic bytes), with the same cap. */
export async function inflateCapped(bytes: Uint8Array, format: "gzip" | "deflate", limit: number): Promise<BodyResult> {
  return inflateWire(new Blob([bytes]).stream().getReader(), Number.MAX_SAFE_INTEGER, format, limit);
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function tooLarge(limit: number, what: string): BodyFailure {
  return { ok: false, status: 413, code: "body_too_large", detail: `the ${what} body may be at most ${limit} bytes` };
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}
