/**
 * A small JSON request body for the management API (projects, corrections):
 * `Content-Type: application/json` required (415), at most `limit` bytes
 * (413, counted while streaming), valid JSON (400 `invalid_json`); and
 * `parsedBody`, that JSON read by a zod schema (400 with the caller's code and
 * every wrong field).
 */
import type { Context } from "hono";
import type { z } from "zod";
import { readBody } from "./body";
import { problem } from "./problem";
import { fieldName } from "./schema";

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

/** The JSON body as `schema` reads it, or a 400 `code` that names the first wrong field and lists them all. */
export async function parsedBody<T extends z.ZodType>(c: Context, schema: T, code: string): Promise<{ ok: true; value: z.infer<T> } | { ok: false; res: Response }> {
  const body = await jsonBody(c);
  if (!body.ok) return body;
  const parsed = schema.safeParse(body.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors = parsed.error.issues.map((i) => ({ field: fieldName(i.path), message: i.message }));
  return { ok: false, res: problem(c, 400, code, `${errors[0].field}: ${errors[0].message}`, errors) };
}
