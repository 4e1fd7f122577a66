/**
 * The specificity check on a signal's queries, whatever wrote them: a query
 * that says only where the signal came from (its product or source type, e.g.
 * "posthog", "sentry exception") or only that something failed is not about
 * a problem, and never links a signal on its own. Such queries are dropped
 * before they are embedded; a signal left without queries opens its own report
 * unless a fingerprint placed it.
 */
import type { GroupingSignal } from "./types";

/** Words that name a failure without naming what failed. */
const FAILURE_WORDS = new Set(
  "error errors exception exceptions fail failed failing failure failures crash crashed crashes issue issues problem problems bug bugs broken warning warn critical fatal unknown unhandled uncaught".split(" "),
);

/** lowercased runs of letters and digits: "PostHog" is one word here, as a product name is */
const tokens = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

export function specificQueries(queries: string[], signal: Pick<GroupingSignal, "source_product" | "source_type">): string[] {
  const source = new Set([...tokens(signal.source_product), ...tokens(signal.source_type)]);
  return queries.filter((q) => tokens(q).some((w) => !source.has(w) && !FAILURE_WORDS.has(w)));
}
