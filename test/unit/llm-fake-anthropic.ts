/**
 * A local fake of the Anthropic Messages API for unit tests: a `fetch` that
 * records every request the SDK makes and answers from a script (a message,
 * an API error, a hang until the SDK's timeout aborts, a network error).
 * Also a zod schema of the Messages API request, written from the SDK's
 * `MessageCreateParamsNonStreaming`, checked against it at compile time.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

export type FakeReply =
  | { status: 200; message: Anthropic.Message }
  | { status: number; error: { type: string; message: string }; headers?: Record<string, string> }
  | { hang: true }
  | { networkError: string };

export function fakeAnthropic(script: FakeReply[] | ((req: RecordedRequest, i: number) => FakeReply)) {
  const requests: RecordedRequest[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const req: RecordedRequest = {
      url,
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers as HeadersInit),
      body: typeof init?.body === "string" ? JSON.parse(init.body) : init?.body,
    };
    requests.push(req);
    const i = requests.length - 1;
    const reply = typeof script === "function" ? script(req, i) : script[Math.min(i, script.length - 1)];
    if ("hang" in reply) {
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal;
        const abort = () => reject(new DOMException("The operation was aborted.", "AbortError"));
        if (signal?.aborted) abort();
        signal?.addEventListener("abort", abort, { once: true });
      });
    }
    if ("networkError" in reply) throw new TypeError(reply.networkError);
    if ("message" in reply) {
      return new Response(JSON.stringify(reply.message), { status: 200, headers: { "content-type": "application/json", "request-id": `req_${i}` } });
    }
    return new Response(JSON.stringify({ type: "error", error: reply.error, request_id: `req_${i}` }), {
      status: reply.status,
      headers: { "content-type": "application/json", ...reply.headers },
    });
  };
  return { fetch: fetchImpl as typeof fetch, requests };
}

/** A complete Messages API response carrying `text`. */
export function messageWith(text: string, over: Partial<Anthropic.Message> = {}): Anthropic.Message {
  return {
    id: "msg_fake",
    type: "message",
    role: "assistant",
    model: "claude-haiku-4-5",
    container: null,
    diagnostics: null,
    content: [{ type: "text", text, citations: null }],
    stop_details: null,
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: {
      cache_creation: null,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
      inference_geo: null,
      input_tokens: 420,
      output_tokens: 24,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: "standard",
      speed: null,
    },
    ...over,
  };
}

export const ok = (answer: unknown): FakeReply => ({ status: 200, message: messageWith(typeof answer === "string" ? answer : JSON.stringify(answer)) });
export const apiError = (status: number, type: string, headers: Record<string, string> = { "retry-after-ms": "5" }): FakeReply => ({
  status,
  error: { type, message: `${type} (fake)` },
  headers,
});

const TextBlockParam = z.object({ type: z.literal("text"), text: z.string() }).strict();

/** The Messages API request the judge may send: non-streaming, text only. */
export const MessagesRequest = z
  .object({
    model: z.string().min(1),
    max_tokens: z.number().int().positive(),
    system: z.union([z.string(), z.array(TextBlockParam)]).optional(),
    messages: z
      .array(
        z
          .object({
            role: z.enum(["user", "assistant"]),
            content: z.union([z.string(), z.array(TextBlockParam)]),
          })
          .strict(),
      )
      .min(1),
    output_config: z
      .object({
        format: z.object({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) }).strict(),
      })
      .strict()
      .optional(),
    stream: z.literal(false).optional(),
  })
  .strict();
export type MessagesRequest = z.infer<typeof MessagesRequest>;

// compile-time: every body that passes the schema is a valid SDK request param
type Assignable<T, U> = [T] extends [U] ? true : false;
export const REQUEST_SCHEMA_MATCHES_SDK: Assignable<MessagesRequest, Anthropic.MessageCreateParamsNonStreaming> = true;
