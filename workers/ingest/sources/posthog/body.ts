/**
 * Reads a PostHog capture body as text, whatever way the SDK packed it:
 * plain JSON, gzip (`Content-Encoding: gzip` from posthog-node, or
 * `?compression=gzip-js` from posthog-js; recognised by the gzip magic bytes
 * too, in case a proxy already stripped or never set the header), or the
 * form-encoded `data=<base64 JSON>` of posthog-js' base64 mode. The shared
 * capped reader (workers/ingest/body.ts) caps the bytes on the wire and after
 * decompression, so a small gzip bomb cannot expand past the limit.
 */
import { type BodyFailure, inflateCapped, isGzip, readBody } from "../../body";
import { MAX_BODY_BYTES } from "../../schema";

export type BodyResult = { ok: true; text: string } | BodyFailure;

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
  // the header is only a hint here: gzip is recognised by its magic bytes (a proxy may have inflated it already)
  const body = await readBody(req, limit, { inflate: false });
  if (!body.ok) return body;
  const bytes = isGzip(body.bytes) ? await inflateCapped(body.bytes, "gzip", limit) : body;
  if (!bytes.ok) return bytes;
  const text = new TextDecoder().decode(bytes.bytes);
  return { ok: true, text: formData(text) ?? text };
}
