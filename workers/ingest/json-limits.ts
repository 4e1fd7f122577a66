/**
 * Depth limits for parsed JSON, checked without recursion. `JSON.parse` takes
 * 100,000 levels of nesting in workerd, but `JSON.stringify`, zod and any
 * recursive walk do not, and they fail later, in the intake (503) or in the
 * queue consumer (a dead letter). So every ingest route checks what it
 * parsed right away, with an explicit stack: each node is visited once and
 * the walk stops at the first container deeper than the limit.
 */

/** Levels of nesting any ingest request body (or Sentry event, JSON line…) may have. */
export const MAX_JSON_DEPTH = 64;
/** Levels of nesting a signal's `metadata` may have (the object itself is level 1). */
export const MAX_METADATA_DEPTH = 32;
/** Bytes of a signal's `metadata` as JSON. */
export const MAX_METADATA_BYTES = 16 * 1024;

export type JsonPath = (string | number)[];

interface Frame {
  value: object;
  depth: number;
  key: string | number;
  parent: Frame | null;
}

/**
 * The path to the first object or array nested deeper than `maxDepth` in
 * `value` (a top-level object or array is at depth 1), or null when none is.
 * The path has `maxDepth + 1` keys at most.
 */
export function findTooDeep(value: unknown, maxDepth: number): JsonPath | null {
  if (value === null || typeof value !== "object") return null;
  const stack: Frame[] = [{ value, depth: 1, key: "", parent: null }];
  while (stack.length) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) {
      const path: JsonPath = [];
      for (let f: Frame | null = frame; f && f.parent; f = f.parent) path.push(f.key);
      return path.reverse();
    }
    const v = frame.value;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const child: unknown = v[i];
        if (child !== null && typeof child === "object") stack.push({ value: child, depth: frame.depth + 1, key: i, parent: frame });
      }
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const child: unknown = (v as Record<string, unknown>)[keys[i]];
        if (child !== null && typeof child === "object") stack.push({ value: child, depth: frame.depth + 1, key: keys[i], parent: frame });
      }
    }
  }
  return null;
}

/** `signals[0].metadata.a.b`, at most `maxKeys` keys, then `…`. */
export function pathName(path: JsonPath, maxKeys = 8): string {
  const shown = path.slice(0, maxKeys);
  const name = shown.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "") || "body";
  return path.length > maxKeys ? `${name}…` : name;
}

/** JSON.parse that tells a nesting too deep for the parser apart from a syntax error. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; tooDeep: boolean } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, tooDeep: e instanceof RangeError };
  }
}
