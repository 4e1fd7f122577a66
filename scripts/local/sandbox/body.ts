/**
 * Reads a request's JSON object body with a byte cap (413 past it) and one
 * JSON.parse (linear in the body). Anything but an object is a 400.
 */
import type { IncomingMessage } from "node:http";
import { SandboxHttpError } from "./errors";

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBytes) {
    req.resume();
    throw new SandboxHttpError("FILE_TOO_LARGE", "body_too_large", `request body over ${maxBytes} bytes`, { maxBytes });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      throw new SandboxHttpError("FILE_TOO_LARGE", "body_too_large", `request body over ${maxBytes} bytes`, { maxBytes });
    }
    chunks.push(chunk);
  }
  if (size === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks, size).toString("utf8"));
  } catch {
    throw new SandboxHttpError("VALIDATION_FAILED", "invalid_json", "request body is not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new SandboxHttpError("VALIDATION_FAILED", "body_not_object", "request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** A field that must be a string (optional unless `required`). */
export function stringField(body: Record<string, unknown>, name: string, required: true): string;
export function stringField(body: Record<string, unknown>, name: string, required?: false): string | undefined;
export function stringField(body: Record<string, unknown>, name: string, required = false): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) {
    if (required) throw new SandboxHttpError("VALIDATION_FAILED", `missing_${name}`, `${name} is required`, { field: name });
    return undefined;
  }
  if (typeof v !== "string") throw new SandboxHttpError("VALIDATION_FAILED", `invalid_${name}`, `${name} must be a string`, { field: name });
  return v;
}

/** A positive integer field (optional). */
export function positiveIntField(body: Record<string, unknown>, name: string): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    throw new SandboxHttpError("VALIDATION_FAILED", `invalid_${name}`, `${name} must be a positive integer`, { field: name });
  }
  return v;
}

/** An env map: string values kept, undefined/null skipped, anything else a 400. */
export function envField(body: Record<string, unknown>, name: string): Record<string, string> | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw new SandboxHttpError("VALIDATION_FAILED", `invalid_${name}`, `${name} must be an object`, { field: name });
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val === undefined || val === null) continue;
    if (typeof val !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(k) || k.length === 0) {
      throw new SandboxHttpError("VALIDATION_FAILED", `invalid_${name}`, `${name}.${k.slice(0, 64)} must be a string under a shell-safe name`, { field: name });
    }
    out[k] = val;
  }
  return out;
}
