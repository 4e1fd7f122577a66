/**
 * The Anthropic client the LLM faces share (the safety judge, the query
 * writer): the same options, the same SDK retry and timeout defaults, and one
 * way to describe an API failure.
 */
import Anthropic from "@anthropic-ai/sdk";

export interface AnthropicClientOptions {
  apiKey: string;
  baseURL?: string;
  /** HTTP client; tests pass a fake that answers like the Messages API */
  fetch?: typeof fetch;
  model?: string;
  /** SDK-level retries of 408/409/429/5xx/529 and connection errors (default 2) */
  maxRetries?: number;
  /** per HTTP attempt (default 20 s) */
  timeoutMs?: number;
}

export function anthropicClient(opts: AnthropicClientOptions): Anthropic {
  return new Anthropic({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    fetch: opts.fetch,
    maxRetries: opts.maxRetries ?? 2,
    timeout: opts.timeoutMs ?? 20_000,
  });
}

/** "HTTP 529: APIError: …" for an SDK error (after its retries); null for anything else, which callers rethrow. */
export function describeApiError(e: unknown): string | null {
  if (!(e instanceof Anthropic.AnthropicError)) return null;
  const status = e instanceof Anthropic.APIError && e.status ? `HTTP ${e.status}: ` : "";
  return `${status}${e.constructor.name}: ${e.message}`;
}
