/**
 * A PostHog `$exception` event as signal content. PostHog error tracking
 * puts the error chain in `properties.$exception_list` (the thrown error
 * first, then its causes), each with `stacktrace.frames` oldest call first;
 * older SDKs send `$exception_type` / `$exception_message` only. The content
 * reads like a V8 stack (newest frame first, `    at fn (file:line:col)`),
 * which is what fingerprints parse (workers/normalize/stack.ts).
 */
import { clip } from "./text";

export interface PostHogFrame {
  filename?: unknown;
  abs_path?: unknown;
  function?: unknown;
  lineno?: unknown;
  colno?: unknown;
  in_app?: unknown;
}

interface PostHogException {
  type?: unknown;
  value?: unknown;
  mechanism?: { handled?: unknown; type?: unknown } | null;
  stacktrace?: { frames?: unknown } | null;
}

const MAX_EXCEPTIONS = 5;
const MAX_FRAMES = 30;

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** `Object.?` → `Object.<anonymous>`; `?` or nothing → null (a bare `at file:line:col`). */
function functionName(fn: unknown): string | null {
  const name = str(fn);
  if (!name || name === "?" || name === "<anonymous>") return null;
  return clip(name.replace(/\.\?$/, ".<anonymous>"), 200);
}

export function frameLine(f: PostHogFrame): string {
  const file = str(f.filename) ?? str(f.abs_path) ?? "<unknown>";
  const line = num(f.lineno);
  const col = num(f.colno);
  const where = `${clip(file, 300)}${line !== undefined ? `:${line}` : ""}${line !== undefined && col !== undefined ? `:${col}` : ""}`;
  const fn = functionName(f.function);
  return fn ? `    at ${fn} (${where})` : `    at ${where}`;
}

/**
 * Frames to print, newest first: the in-app ones when the SDK marked any,
 * else all of them; at most MAX_FRAMES, with a note of what was left out.
 */
export function stackLines(frames: unknown): string[] {
  if (!Array.isArray(frames)) return [];
  const all = frames.filter((f): f is PostHogFrame => !!f && typeof f === "object").reverse();
  const inApp = all.filter((f) => f.in_app === true);
  const candidates = inApp.length ? inApp : all;
  const lines = candidates.slice(0, MAX_FRAMES).map(frameLine);
  const plural = (n: number) => `frame${n === 1 ? "" : "s"}`;
  const capped = candidates.length - Math.min(candidates.length, MAX_FRAMES);
  const library = all.length - candidates.length;
  if (capped > 0) lines.push(`    (${capped} older ${plural(capped)} not shown)`);
  if (library > 0) lines.push(`    (${library} library ${plural(library)} not shown)`);
  return lines;
}

function head(type: string | undefined, value: string | undefined): string {
  const t = type ? clip(type, 200) : "Error";
  const v = value ? value.trim().slice(0, 2000) : "";
  return v ? `${t}: ${v}` : t;
}

/** The error chain as V8-style text: the thrown error, then `Caused by:` each cause. */
export function exceptionText(props: Record<string, unknown>): { text: string; types: string[]; handled?: boolean } {
  const list = Array.isArray(props.$exception_list)
    ? (props.$exception_list.filter((e) => e && typeof e === "object") as PostHogException[])
    : [];
  if (!list.length) {
    const type = str(props.$exception_type);
    const message = str(props.$exception_message);
    let frames: unknown;
    try {
      frames = typeof props.$exception_stack_trace_raw === "string" ? JSON.parse(props.$exception_stack_trace_raw) : undefined;
    } catch {
      frames = undefined;
    }
    return { text: [head(type, message ?? (type ? undefined : "unknown exception")), ...stackLines(frames)].join("\n"), types: type ? [clip(type, 200)] : [] };
  }
  const lines: string[] = [];
  const types: string[] = [];
  list.slice(0, MAX_EXCEPTIONS).forEach((e, i) => {
    const type = str(e.type);
    if (type) types.push(clip(type, 200));
    lines.push(`${i ? "Caused by: " : ""}${head(type, str(e.value))}`);
    lines.push(...stackLines(e.stacktrace?.frames));
  });
  if (list.length > MAX_EXCEPTIONS) lines.push(`(${list.length - MAX_EXCEPTIONS} more chained exceptions not shown)`);
  const handled = list[0].mechanism?.handled;
  return { text: lines.join("\n"), types, ...(typeof handled === "boolean" ? { handled } : {}) };
}
