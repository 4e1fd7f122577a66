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

/** Raised inside the stream when a cap is exceeded; `message` names which bytes were counted. */
class OverLimit extends Error {}

/** A pass-through stream that fails once more than `limit` bytes went through it. */
function byteCap(limit: number, what: string): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > limit) controller.error(new OverLimit(what));
      else controller.enqueue(chunk);
    },
  });
}

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
  if (declared > limit) return tooLarge(limit, "request");
  if (!req.body) return { ok: true, bytes: new Uint8Array(0) };

  if (!format) return collect(req.body, limit, "request", null);
  // the wire bytes are capped on their way into the inflater, the inflated bytes while collected
  const inflate = new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>;
  return collect(req.body.pipeThrough(byteCap(limit, "request")).pipeThrough(inflate), limit, "decompressed", format);
}

/** Inflates bytes that arrived already read (e.g. gzip recognised by its magic bytes), with the same cap. */
export async function inflateCapped(bytes: Uint8Array, format: "gzip" | "deflate", limit: number): Promise<BodyResult> {
  const inflate = new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>;
  return collect(new Blob([bytes]).stream().pipeThrough(inflate), limit, "decompressed", format);
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function tooLarge(limit: number, what: string): BodyFailure {
  return { ok: false, status: 413, code: "body_too_large", detail: `the ${what} body may be at most ${limit} bytes` };
}

/** Every byte of `stream`, failing once more than `limit` bytes (`what`) came through. */
async function collect(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  what: string,
  format: "gzip" | "deflate" | null,
): Promise<BodyResult> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw new OverLimit(what);
      chunks.push(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    if (e instanceof OverLimit) return tooLarge(limit, e.message);
    if (format) return { ok: false, status: 400, code: "invalid_compression", detail: `the body is not valid ${format} data` };
    throw e;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, bytes };
}
