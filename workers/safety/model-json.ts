/**
 * The JSON answer of a Messages API reply, validated with a zod schema: the
 * text blocks joined and trimmed, a ```json fence around them tolerated. The
 * safety judge and the LLM query writer read their answers through this.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { z } from "zod";

/**
 * The text inside a ```json fence, trimmed; the text itself when it is not
 * fenced. Same as `.replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, "$1")` on
 * trimmed text, in linear time (that regex re-read the rest of the answer
 * from every split of a run of spaces when the closing fence was missing).
 */
export function unfenced(text: string): string {
  if (text.length < 6 || !text.startsWith("```") || !text.endsWith("```")) return text;
  const inner = text.slice(3, -3);
  return (inner.startsWith("json") ? inner.slice(4) : inner).trim();
}

export function parseModelJson<T extends z.ZodType>(
  message: Pick<Anthropic.Message, "content">,
  schema: T,
): { ok: true; value: z.infer<T> } | { ok: false; detail: string } {
  const answer = message.content
    .filter((b): b is Anthropic.TextBlock => b.type === "text")
    .map((b) => b.text)
    .join("")
    .trim();
  const text = unfenced(answer);
  if (!text) return { ok: false, detail: "no text in the answer" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, detail: `not JSON: ${(e as Error).message}` };
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, detail: `invalid answer: ${issue.path.join(".") || "answer"}: ${issue.message}` };
  }
  return { ok: true, value: result.data };
}
