/**
 * Grouping defaults shared by the Worker (overridable by vars) and the eval CLI.
 * The similarity threshold belongs to the embedder (`Embedder.defaultThreshold`):
 * this one is the offline hashed n-gram embedder's, fitted on its fixtures.
 */
export const DEFAULT_GROUPING_THRESHOLD = 0.35;
export const DEFAULT_TOP_K = 5;
