/**
 * The Workers AI face of the query writer: the same prompt, fence and answer
 * schema as the Anthropic writer (llm-query-writer.ts), sent to a Workers AI
 * text-generation model in JSON mode (`response_format: json_schema`), over
 * the `AI` binding or the REST API (workers-ai-rest.ts); retries and the
 * fallback as model-query-writer.ts does them.
 */
import { z } from "zod";
import type { AiBinding } from "../env";
import { unfenced } from "../safety/model-json";
import { QUERY_SYSTEM_PROMPT, QueryOutput, queryUserMessage, signalBoundary } from "./llm-query-writer";
import { type ModelAnswer, ModelQueryWriter, NoAnswer } from "./model-query-writer";
import type { GroupingSignal, QueryWriter } from "./types";

export const DEFAULT_WORKERS_AI_QUERY_MODEL = "@cf/meta/llama-3.1-8b-instruct";
const QUERY_JSON_SCHEMA = z.toJSONSchema(QueryOutput) as Record<string, unknown>;

/** `{response}` is an object in JSON mode, a string when the model ignored it */
const TextGenerationResponse = z.object({ response: z.union([z.string(), z.record(z.string(), z.unknown())]) });

export class WorkersAiQueryWriter extends ModelQueryWriter {
  readonly name: string;

  constructor(
    private readonly ai: AiBinding,
    fallback: QueryWriter,
    readonly model = DEFAULT_WORKERS_AI_QUERY_MODEL,
  ) {
    super(fallback);
    this.name = `workers-ai-queries:${model}`;
  }

  /** The inputs of one `AI.run` call (a fresh boundary each time). */
  inputs(signal: GroupingSignal) {
    return {
      messages: [
        { role: "system" as const, content: QUERY_SYSTEM_PROMPT },
        { role: "user" as const, content: queryUserMessage(signal, signalBoundary(signal)) },
      ],
      response_format: { type: "json_schema" as const, json_schema: QUERY_JSON_SCHEMA },
      max_tokens: 300,
    };
  }

  protected async ask(signal: GroupingSignal): Promise<ModelAnswer> {
    let raw: unknown;
    try {
      raw = await this.ai.run(this.model, this.inputs(signal));
    } catch (e) {
      throw new NoAnswer(`unavailable: ${String((e as Error)?.message ?? e)}`);
    }
    return readAnswer(raw);
  }
}

function readAnswer(raw: unknown): ModelAnswer {
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
  return { ok: true, queries: out.data.queries };
}
