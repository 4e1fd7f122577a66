/**
 * The Workers AI face of the query writer: the same prompt, fence and answer
 * schema as the Anthropic writer (llm-query-writer.ts), sent to a Workers AI
 * text-generation model in JSON mode (`response_format: json_schema`), over
 * the `AI` binding or the REST API (workers-ai-rest.ts). One retry of a
 * malformed answer; an outage, or a second malformed answer, gets the
 * fallback writer's queries.
 */
import { z } from "zod";
import type { AiBinding } from "../env";
import { head } from "../normalize/reading-window";
import { unfenced } from "../safety/model-json";
import { newBoundary } from "../safety/fence";
import { QUERY_SYSTEM_PROMPT, QueryOutput, queryUserMessage } from "./llm-query-writer";
import type { GroupingSignal, QueryWriter } from "./types";

export const DEFAULT_WORKERS_AI_QUERY_MODEL = "@cf/meta/llama-3.1-8b-instruct";
const QUERY_JSON_SCHEMA = z.toJSONSchema(QueryOutput) as Record<string, unknown>;

/** `{response}` is an object in JSON mode, a string when the model ignored it */
const TextGenerationResponse = z.object({ response: z.union([z.string(), z.record(z.string(), z.unknown())]) });

export class WorkersAiQueryWriter implements QueryWriter {
  readonly name: string;
  readonly usesLlm = true;
  calls = 0;
  fallbacks = 0;
  lastFailure: string | null = null;

  constructor(
    private readonly ai: AiBinding,
    private readonly fallback: QueryWriter,
    readonly model = DEFAULT_WORKERS_AI_QUERY_MODEL,
  ) {
    this.name = `workers-ai-queries:${model}`;
  }

  /** The inputs of one `AI.run` call (a fresh boundary each time). */
  inputs(signal: GroupingSignal) {
    const boundary = newBoundary(`${signal.source_product}\n${signal.source_type}\n${head(signal.content)}`);
    return {
      messages: [
        { role: "system" as const, content: QUERY_SYSTEM_PROMPT },
        { role: "user" as const, content: queryUserMessage(signal, boundary) },
      ],
      response_format: { type: "json_schema" as const, json_schema: QUERY_JSON_SCHEMA },
      max_tokens: 300,
    };
  }

  async write(signal: GroupingSignal): Promise<string[]> {
    let detail = "";
    for (let attempt = 0; attempt < 2; attempt++) {
      let raw: unknown;
      try {
        this.calls++;
        raw = await this.ai.run(this.model, this.inputs(signal));
      } catch (e) {
        return this.fallBack(signal, `unavailable: ${String((e as Error)?.message ?? e)}`);
      }
      const parsed = readAnswer(raw);
      if (parsed.ok) return parsed.queries;
      detail = parsed.detail;
    }
    return this.fallBack(signal, `malformed: ${detail}`);
  }

  private async fallBack(signal: GroupingSignal, why: string): Promise<string[]> {
    this.fallbacks++;
    this.lastFailure = why.slice(0, 300);
    return this.fallback.write(signal);
  }
}

function readAnswer(raw: unknown): { ok: true; queries: string[] } | { ok: false; detail: string } {
  const envelope = TextGenerationResponse.safeParse(raw);
  if (!envelope.success) return { ok: false, detail: "no response field" };
  let value: unknown = envelope.data.response;
  if (typeof value === "string") {
    try {
      value = JSON.parse(unfenced(value.trim()));
    } catch (e) {
      return { ok: false, detail: `not JSON: ${(e as Error).message}` };
    }
  }
  const out = QueryOutput.safeParse(value);
  if (!out.success) return { ok: false, detail: `invalid answer: ${out.error.issues[0]?.path.join(".") || "answer"}: ${out.error.issues[0]?.message}` };
  const seen = new Set<string>();
  return { ok: true, queries: out.data.queries.filter((q) => !seen.has(q.toLowerCase()) && seen.add(q.toLowerCase())) };
}
