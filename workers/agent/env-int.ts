/**
 * A positive integer from a Worker var (budgets, attempts, backoffs): unset or
 * blank → the fallback; anything else that is not a positive integer → the
 * error `fail` makes, naming the variable and the value.
 */
export function positiveIntVar(raw: string | undefined, fallback: number, name: string, fail: (message: string) => Error): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw fail(`${name} must be a positive integer, not '${raw}'`);
  return n;
}
