/**
 * Outbound fetches from the Worker under test (runs in Node, via miniflare's
 * outboundService). Everything is refused except two local fakes:
 *  - http://anthropic.fake — the Anthropic Messages API: judges a signal
 *    malicious when its fenced content holds TEST-MALICIOUS-MARKER;
 *  - http://anthropic.down — the same API, overloaded (529) on every call.
 */
export async function fakeOutbound(req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (url.hostname === "anthropic.down") {
    return Response.json({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, { status: 529 });
  }
  if (url.hostname === "anthropic.fake" && url.pathname === "/v1/messages" && req.method === "POST") {
    const body = (await req.json()) as { model: string; messages: { content: unknown }[] };
    const text = JSON.stringify(body.messages);
    const malicious = text.includes("TEST-MALICIOUS-MARKER");
    const verdict = malicious
      ? { verdict: "malicious", reason_code: "agent_steering", confidence: 0.93 }
      : { verdict: "benign", reason_code: "ordinary_signal", confidence: 0.97 };
    return Response.json({
      id: "msg_fake",
      type: "message",
      role: "assistant",
      model: body.model,
      content: [{ type: "text", text: JSON.stringify(verdict) }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 400, output_tokens: 20 },
    });
  }
  return new Response(`blocked outbound request to ${req.url}`, { status: 599 });
}
