/**
 * A scripted research model behind http://anthropic.research.fake, for the
 * research-agent tests (runs in Node as part of miniflare's outbound
 * service). It plays one transcript and checks each previous tool result
 * before its next turn, so the agent loop cannot pass blindly:
 *   turn 0  search_code "cart.items"            (a workspace tool)
 *   turn 1  expects "src/checkout/totals.js:42" in that result → get_report  (nightshift's MCP tool)
 *   turn 2  expects the report's id in that result → submit_research
 * A report whose signals hold LOOP-SCENARIO gets the same search forever (the
 * loop stops it). A failed check answers HTTP 400 with what was missing.
 * Requests without tools (the safety judge) get a benign verdict.
 * `GET /__log` lists what each turn saw, for the test to assert on.
 */
import { contentText, scriptedTurns } from "./scripted-turns";

const TOOL_FENCE = /<tool_output-[0-9a-f]{32}>/;

export interface TurnLog {
  report: string | null;
  turn: number;
  tools: string[];
  /** the previous turn's tool results as sent, joined */
  results: string;
  /** every occurrence of an injection marker in the first user turn sits inside the report fence */
  injectionFenced: boolean | null;
  system: string;
}

const log: TurnLog[] = [];

const { reply, toolUse, refuse } = scriptedTurns({ prefix: "", name: "scripted model", usage: { input_tokens: 1200, output_tokens: 150 } }, () => log.length);
const text = contentText;

export async function scriptedResearchModel(req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (url.pathname === "/__log") return Response.json(log);
  const body = (await req.json()) as { system?: string; tools?: { name: string }[]; messages: { role: string; content: unknown }[] };
  if (!body.tools?.length) {
    return reply([{ type: "text", text: JSON.stringify({ verdict: "benign", reason_code: "ordinary_signal", confidence: 0.97 }) }], "end_turn");
  }
  const first = text(body.messages[0].content);
  const fenced = /<report-([0-9a-f]{32})>\n([\s\S]*)\n<\/report-\1>/.exec(first);
  const data = fenced ? (JSON.parse(fenced[2]) as { report_id: string; signals: { id: string; content: string }[] }) : null;
  const turn = body.messages.filter((m) => m.role === "assistant").length;
  const results = turn > 0 ? text(body.messages.at(-1)!.content) : "";
  const marker = "INJECTION-MARKER";
  const outside = fenced ? first.replace(fenced[0], "") : first;
  const entry: TurnLog = {
    report: data?.report_id ?? null,
    turn,
    tools: body.tools.map((t) => t.name),
    results,
    injectionFenced: first.includes(marker) ? !outside.includes(marker) : null,
    system: body.system ?? "",
  };
  log.push(entry);
  if (!data) return refuse("the report is not fenced as JSON data in the first user turn");
  if (turn > 0 && !TOOL_FENCE.test(results)) return refuse("the previous tool result is not fenced");
  if (data.signals.some((s) => s.content.includes("LOOP-SCENARIO"))) return toolUse("search_code", { query: "cart.items" });
  if (turn === 0) {
    if (!entry.tools.includes("search_code") || !entry.tools.includes("get_report")) return refuse(`missing tools: have ${entry.tools.join(", ")}`);
    return toolUse("search_code", { query: "cart.items" });
  }
  if (turn === 1) {
    if (!results.includes("src/checkout/totals.js:42")) return refuse(`search_code did not find totals.js:42: ${results.slice(0, 300)}`);
    return toolUse("get_report", { report_id: data.report_id });
  }
  if (turn === 2) {
    if (!results.includes(data.report_id)) return refuse(`get_report did not return the report: ${results.slice(0, 300)}`);
    return toolUse("submit_research", {
      title: "Payment page crashes on a session without a cart",
      summary: "computeTotals reads cart.items of a null cart (src/checkout/totals.js:42).",
      findings: [
        {
          signal_ids: data.signals.map((s) => s.id),
          what: "TypeError: cart is null when the payment step renders",
          locations: [{ path: "src/checkout/totals.js", line: 42, snippet: "const lines = cart.items;" }],
          commits: [],
        },
      ],
      reviewers: [{ handle: "@maya-chen", email: null, sources: ["codeowners"], reason: "owns src/checkout/" }],
      priority: "P1",
      confidence: 0.8,
      actionability: { bucket: "actionable", rule: "agent_located", reason: "the crash is at src/checkout/totals.js:42" },
      already_addressed: null,
    });
  }
  return refuse(`unexpected turn ${turn}`);
}
