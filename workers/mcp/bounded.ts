/**
 * Bounds a JSON value for a tool result: strings cut at `maxString`
 * characters (with how much was cut), arrays cut at `maxItems` (with how
 * many were left out), and if the whole still serializes longer than
 * `maxTotal`, the same again with half the string length. One pass each;
 * the input is never parsed by a regex.
 */
export interface Bounds {
  maxString: number;
  maxItems: number;
  maxTotal: number;
}

export const DEFAULT_BOUNDS: Bounds = { maxString: 2_000, maxItems: 50, maxTotal: 64_000 };

function cut(value: unknown, maxString: number, maxItems: number): unknown {
  if (typeof value === "string") {
    return value.length <= maxString ? value : `${value.slice(0, maxString)}… [${value.length - maxString} more characters]`;
  }
  if (Array.isArray(value)) {
    const kept = value.slice(0, maxItems).map((v) => cut(v, maxString, maxItems));
    if (value.length > maxItems) kept.push(`[${value.length - maxItems} more items left out]`);
    return kept;
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v, maxString, maxItems)]));
  }
  return value;
}

export function bounded<T>(value: T, bounds: Bounds = DEFAULT_BOUNDS): { value: T; json: string } {
  let maxString = bounds.maxString;
  let maxItems = bounds.maxItems;
  for (;;) {
    const v = cut(value, maxString, maxItems) as T;
    const json = JSON.stringify(v);
    if (json.length <= bounds.maxTotal || (maxString <= 16 && maxItems <= 1)) return { value: v, json };
    if (maxString > 16) maxString = Math.max(16, Math.floor(maxString / 2));
    else maxItems = Math.max(1, Math.floor(maxItems / 2));
  }
}
