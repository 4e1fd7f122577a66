/** The metric table the eval CLI prints: one row per metric, one column per run. */

export type MetricRow = Record<string, number | null | undefined>;

function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return "-";
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

export function metricTable(keys: readonly string[], columns: [string, MetricRow][]): string {
  const header = ["metric", ...columns.map(([name]) => name)];
  const body = keys.filter((k) => columns.some(([, r]) => k in r)).map((k) => [k, ...columns.map(([, r]) => fmt(r[k]))]);
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
