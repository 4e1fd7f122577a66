/**
 * The Anthropic client the LLM faces share (the safety judge, the query
 * writer, the match judge): the same options, the same SDK retry and timeout
 * defaults, one way to describe an API failure, and one structured call
 * (`askForJson`).
 */
import Anthropic from "@anthropic-ai/sdk";
import type { z } from "zod";
import { parseModelJson } from "./model-json";

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

/** The structured output a request asks for (what `zodOutputFormat` makes: its type and JSON schema). */
export interface JsonFormat {
  type: "json_schema";
  schema: { [key: string]: unknown };
}

/** One Messages API request for a JSON answer: a system prompt, one user turn (already fenced), the output format. */
export function jsonRequest(model: string, maxTokens: number, system: string, user: string, format: JsonFormat): Anthropic.MessageCreateParamsNonStreaming {
  return {
    model,
    max_tokens: maxTokens,
    system,
    messages: [{ role: "user", content: user }],
    output_config: { format: { type: format.type, schema: format.schema } },
  };
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

/**
 * One structured call's outcome: the answer, a malformed one (worth asking
 * again), or none to use — the API failed after the SDK's retries
 * (`unavailable`, `detail` as `describeApiError` puts it) or the model refused.
 */
export type JsonAsk<T> =
  | { kind: "answer"; value: T }
  | { kind: "malformed"; detail: string }
  | { kind: "no_answer"; why: string; failure: "unavailable" | "refused"; detail: string };

/**
 * One Messages API call whose answer must match `schema`: an API failure
 * after the SDK's retries is `no_answer` ("unavailable: …"), so is a refusal
 * ("refused"); anything else the SDK throws is rethrown.
 */
export async function askForJson<T extends z.ZodType>(
  client: Anthropic,
  request: Anthropic.MessageCreateParamsNonStreaming,
  schema: T,
): Promise<JsonAsk<z.infer<T>>> {
  let message: Anthropic.Message;
  try {
    message = await client.messages.create(request);
  } catch (e) {
    const why = describeApiError(e);
    if (why === null) throw e;
    return { kind: "no_answer", why: `unavailable: ${why}`, failure: "unavailable", detail: why };
  }
  if (message.stop_reason === "refusal") return { kind: "no_answer", why: "refused", failure: "refused", detail: "the model refused" };
  const parsed = parseModelJson(message, schema);
  return parsed.ok ? { kind: "answer", value: parsed.value } : { kind: "malformed", detail: parsed.detail };
}

/**
 * `askForJson`, asked once more when the answer is malformed (HTTP-level
 * retries are the SDK's): `request` is called per attempt, so each carries a
 * fresh fence boundary. `calls` counts the model calls made.
 */
export async function askForJsonTwice<T extends z.ZodType>(
  client: Anthropic,
  request: () => Anthropic.MessageCreateParamsNonStreaming,
  schema: T,
): Promise<{ result: JsonAsk<z.infer<T>>; calls: number }> {
  let result = await askForJson(client, request(), schema);
  if (result.kind !== "malformed") return { result, calls: 1 };
  result = await askForJson(client, request(), schema);
  return { result, calls: 2 };
}
