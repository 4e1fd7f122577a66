/** Grouping defaults shared by the Worker (overridable by vars) and the eval CLI. */
export const DEFAULT_GROUPING_THRESHOLD = 0.35;
export const DEFAULT_TOP_K = 5;
