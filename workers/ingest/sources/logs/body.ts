/**
 * Reads a log request's body as UTF-8 text with a byte cap, inflating
 * `Content-Encoding: gzip` (the OTLP exporters' `compression: "gzip"`). The
 * cap is counted while streaming, on the wire and again after inflating, so a
 * gzip bomb stops at the cap.
 */

export type BodyText =
  | { ok: true; text: string }
  | { ok: false; status: 400 | 413 | 415; code: "body_too_large" | "unsupported_encoding" | "invalid_compression"; detail: string };

class OverLimit extends Error {}

async function readCapped(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new OverLimit();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export async function readLogBody(req: Request, limit: number): Promise<BodyText> {
  const tooLarge = { ok: false, status: 413, code: "body_too_large", detail: `the body may be at most ${limit} bytes` } as const;
  if (Number(req.headers.get("content-length") ?? "0") > limit) return tooLarge;
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding && encoding !== "identity" && encoding !== "gzip" && encoding !== "x-gzip") {
    return { ok: false, status: 415, code: "unsupported_encoding", detail: "Content-Encoding may be gzip or none" };
  }
  if (!req.body) return { ok: true, text: "" };
  try {
    let stream: ReadableStream<Uint8Array> = req.body;
    if (encoding === "gzip" || encoding === "x-gzip") {
      const wire = await readCapped(stream, limit);
      stream = new Blob([wire]).stream().pipeThrough(new DecompressionStream("gzip"));
    }
    const bytes = await readCapped(stream, limit);
    return { ok: true, text: new TextDecoder().decode(bytes) };
  } catch (e) {
    if (e instanceof OverLimit) return tooLarge;
    return { ok: false, status: 400, code: "invalid_compression", detail: "the body is not valid gzip" };
  }
}
