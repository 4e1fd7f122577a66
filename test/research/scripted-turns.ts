/**
 * What the scripted Messages API models of the workerd tests share (research:
 * scripted-research-model.ts, fix: ../fix/scripted-fix-model.ts): an
 * assistant reply, a tool call, a refusal (HTTP 400 naming what was wrong),
 * and the text of a turn's content blocks (tool results included).
 */
export interface ScriptedModel {
  /** message and tool-use id prefix */
  prefix: string;
  /** the refusal's opening words */
  name: string;
  usage: { input_tokens: number; output_tokens: number };
}

export function scriptedTurns(model: ScriptedModel, turnNumber: () => number) {
  const reply = (content: unknown[], stop: string) =>
    Response.json({
      id: `msg_${model.prefix}${turnNumber()}`,
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-6",
      content,
      stop_reason: stop,
      stop_sequence: null,
      usage: model.usage,
    });
  return {
    reply,
    toolUse: (name: string, input: unknown) => reply([{ type: "tool_use", id: `toolu_${model.prefix}${turnNumber()}_${name}`, name, input }], "tool_use"),
    refuse: (message: string) => Response.json({ type: "error", error: { type: "invalid_request_error", message: `${model.name}: ${message}` } }, { status: 400 }),
  };
}

/** a content field's text: strings, text blocks and tool results' own content, joined by lines */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((b: { type?: string; text?: string; content?: unknown }) => (b.type === "text" ? (b.text ?? "") : b.type === "tool_result" ? contentText(b.content) : "")).join("\n");
}
