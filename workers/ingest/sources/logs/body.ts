/**
 * Reads a log request's body as UTF-8 text with a byte cap, inflating
 * `Content-Encoding: gzip` (the OTLP exporters' `compression: "gzip"`), via
 * the shared capped reader (workers/ingest/body.ts).
 */
import { readBody, type BodyFailure } from "../../body";

export type BodyText = { ok: true; text: string } | BodyFailure;

export async function readLogBody(req: Request, limit: number): Promise<BodyText> {
  const body = await readBody(req, limit);
  return body.ok ? { ok: true, text: new TextDecoder().decode(body.bytes) } : body;
}
