/**
 * Reads a PostHog capture body as text, whatever way the SDK packed it:
 * plain JSON, gzip (`Content-Encoding: gzip` from posthog-node, or
 * `?compression=gzip-js` from posthog-js; recognised by the gzip magic bytes
 * too, in case a proxy already stripped or never set the header), or the
 * form-encoded `data=<base64 JSON>` of posthog-js' base64 mode. Both the bytes
 * on the wire and the bytes after decompression are capped, so a small gzip
 * bomb cannot expand past the limit.
 */
import { MAX_BODY_BYTES } from "../../schema";

export type BodyResult =
  | { ok: true; text: string }
  | { ok: false; status: 400 | 413 | 415; code: string; detail: string };

class TooLarge extends Error {}

const tooLarge = (limit: number): BodyResult => ({
  ok: false,
  status: 413,
  code: "body_too_large",
  detail: `the body may be at most ${limit} bytes, also after decompression`,
});

/** Every byte of `stream`, or TooLarge once more than `limit` bytes arrived. */
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
      throw new TooLarge();
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

function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function gunzip(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return readCapped(stream, limit);
}

/** `data=<base64 or JSON>` (posthog-js without gzip) → the JSON text, else null. */
function formData(text: string): string | null {
  if (!/^data=/.test(text)) return null;
  const data = new URLSearchParams(text).get("data");
  if (data === null) return null;
  const trimmed = data.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return trimmed;
  try {
    const bin = atob(trimmed.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
}

export async function readPostHogBody(req: Request, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding && encoding !== "gzip" && encoding !== "identity") {
    return { ok: false, status: 415, code: "unsupported_encoding", detail: `Content-Encoding ${encoding} is not supported; send gzip or none` };
  }
  if (Number(req.headers.get("content-length") ?? "0") > limit) return tooLarge(limit);
  let bytes: Uint8Array;
  try {
    bytes = req.body ? await readCapped(req.body, limit) : new Uint8Array();
    if (isGzip(bytes)) bytes = await gunzip(bytes, limit);
  } catch (e) {
    if (e instanceof TooLarge) return tooLarge(limit);
    return { ok: false, status: 400, code: "invalid_compression", detail: "the body could not be decompressed as gzip" };
  }
  const text = new TextDecoder().decode(bytes);
  return { ok: true, text: formData(text) ?? text };
}
