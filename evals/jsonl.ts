/** Reads a JSON Lines file; a malformed line is an error naming its number. */
import { readFileSync } from "node:fs";
import type { z } from "zod";

export class EvalDataError extends Error {}

export function readJsonl<T>(path: string, schema: z.ZodType<T>): T[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new EvalDataError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const out: T[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new EvalDataError(`${path}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EvalDataError(`${path}:${i + 1}: ${issue.path.join(".") || "line"}: ${issue.message}`);
    }
    out.push(parsed.data);
  });
  if (out.length === 0) throw new EvalDataError(`${path}: no lines`);
  return out;
}
