/**
 * A small JSON request body for the management API (projects, corrections):
 * `Content-Type: application/json` required (415), at most `limit` bytes
 * (413, counted while streaming), valid JSON (400 `invalid_json`).
 */
import type { Context } from "hono";
import { readBody } from "./body";
import { problem } from "./problem";

export const MANAGEMENT_BODY_LIMIT = 64 * 1024;

export async function jsonBody(c: Context, limit = MANAGEMENT_BODY_LIMIT): Promise<{ ok: true; value: unknown } | { ok: false; res: Response }> {
  if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
    return { ok: false, res: problem(c, 415, "unsupported_media_type", "send `Content-Type: application/json`") };
  }
  const body = await readBody(c.req.raw, limit, { inflate: false });
  if (!body.ok) return { ok: false, res: problem(c, body.status, body.code, body.detail) };
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(body.bytes)) };
  } catch {
    return { ok: false, res: problem(c, 400, "invalid_json", "the body is not valid JSON") };
  }
}
