/**
 * A scripted coding agent behind http://anthropic.fix.fake, for the fix
 * tests (runs in Node as part of miniflare's outbound service). It plays the
 * fix of the sample app's checkout crash (src/checkout/totals.js:42 reads
 * `cart.items` of a null cart) and checks each previous tool result before
 * its next turn, so the loop and the tools cannot pass blindly:
 *   turn 0  read_file src/checkout/totals.js
 *   turn 1  expects `const lines = cart.items;` → edit_file (null-safe items)
 *   turn 2  expects "edited src/checkout/totals.js" → edit_file (null-safe coupon)
 *   turn 3  → bash `node --test`
 *   turn 4  expects the payment-page test passing (`ok … no cart`) → submit_fix
 * A report whose signals hold FIX-SCENARIO-WORKFLOW also writes a CI workflow
 * (bash) before submitting: the diff guard must refuse it. Requests without
 * tools (the safety judge) get a benign verdict; the research face stays
 * offline in these tests. `GET /__log` lists what each turn saw.
 */
const TOOL_FENCE = /<tool_output-[0-9a-f]{32}>/;

export interface FixTurnLog {
  report: string | null;
  turn: number;
  tools: string[];
  results: string;
  /** the injection marker appears only inside the report fence of the first turn */
  injectionFenced: boolean | null;
}

const log: FixTurnLog[] = [];

function reply(content: unknown[], stop: string) {
  return Response.json({
    id: `msg_fix_${log.length}`,
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-6",
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: { input_tokens: 2000, output_tokens: 200 },
  });
}

const toolUse = (name: string, input: unknown) => reply([{ type: "tool_use", id: `toolu_fix_${log.length}_${name}`, name, input }], "tool_use");
const refuse = (message: string) => Response.json({ type: "error", error: { type: "invalid_request_error", message: `scripted fix model: ${message}` } }, { status: 400 });

function text(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((b: { type?: string; text?: string; content?: unknown }) => (b.type === "text" ? (b.text ?? "") : b.type === "tool_result" ? text(b.content) : "")).join("\n");
}

export async function scriptedFixModel(req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (url.pathname === "/__log") return Response.json(log);
  const body = (await req.json()) as { system?: string; tools?: { name: string }[]; messages: { role: string; content: unknown }[] };
  if (!body.tools?.length) {
    return reply([{ type: "text", text: JSON.stringify({ verdict: "benign", reason_code: "ordinary_signal", confidence: 0.97 }) }], "end_turn");
  }
  const first = text(body.messages[0].content);
  const fenced = /<report-([0-9a-f]{32})>\n([\s\S]*)\n<\/report-\1>/.exec(first);
  const data = fenced
    ? (JSON.parse(fenced[2]) as { report_id: string; signals: { content: string }[]; test_command: string | null; feedback: { kind: string; from: string; text: string }[] })
    : null;
  const turn = body.messages.filter((m) => m.role === "assistant").length;
  const results = turn > 0 ? text(body.messages.at(-1)!.content) : "";
  const marker = "INJECTION-MARKER";
  const outside = fenced ? first.replace(fenced[0], "") : first;
  log.push({ report: data?.report_id ?? null, turn, tools: body.tools.map((t) => t.name), results, injectionFenced: first.includes(marker) ? !outside.includes(marker) : null });
  if (!data) return refuse("the report is not fenced as JSON data in the first user turn");
  if (turn > 0 && !TOOL_FENCE.test(results)) return refuse("the previous tool result is not fenced");
  const workflow = data.signals.some((s) => s.content.includes("FIX-SCENARIO-WORKFLOW"));
  if (data.feedback.length) return laterRound(data.feedback, turn, results, data.test_command);
  switch (turn) {
    case 0:
      for (const t of ["read_file", "edit_file", "bash", "submit_fix"]) if (!body.tools.some((x) => x.name === t)) return refuse(`missing tool ${t}`);
      return toolUse("read_file", { path: "src/checkout/totals.js" });
    case 1:
      if (!results.includes("const lines = cart.items;")) return refuse(`read_file did not show totals.js:42: ${results.slice(0, 300)}`);
      return toolUse("edit_file", { path: "src/checkout/totals.js", old_string: "  const lines = cart.items;", new_string: "  const lines = cart?.items ?? [];" });
    case 2:
      if (!results.includes("edited src/checkout/totals.js")) return refuse(`the first edit failed: ${results.slice(0, 300)}`);
      return toolUse("edit_file", { path: "src/checkout/totals.js", old_string: "percentOff(cart.coupon)", new_string: "percentOff(cart?.coupon)" });
    case 3:
      if (!results.includes("edited src/checkout/totals.js")) return refuse(`the second edit failed: ${results.slice(0, 300)}`);
      if (workflow) return toolUse("bash", { command: "mkdir -p .github/workflows && printf 'on: push\\njobs: {}\\n' > .github/workflows/ci.yml && node --test" });
      return toolUse("bash", { command: data.test_command ?? "node --test" });
    case 4:
      if (!/\bok \d+ - the payment page opens for a session that has no cart/.test(results)) return refuse(`the payment-page test does not pass: ${results.slice(0, 500)}`);
      return toolUse("submit_fix", {
        summary: "computeTotals now treats a missing cart as empty, so the payment page renders $0.00 for a session without a cart.",
        root_cause: "hydrateCart returns null for a session without a cart and computeTotals read cart.items of it (src/checkout/totals.js:42).",
        tests: ["test/checkout.test.js"],
        commit_message: "Treat a missing cart as empty in computeTotals",
      });
  }
  return refuse(`unexpected turn ${turn}`);
}

const NULL_SAFE = "  const lines = cart?.items ?? [];";
const PLAIN = "  const lines = cart ? cart.items : [];";
const EXPLAINED = "  // a session without a cart pays nothing: a missing cart reads as an empty one\n" + PLAIN;
const passing = (results: string) => /\bok \d+ - the payment page opens for a session that has no cart/.test(results);

/**
 * Rounds on the open pull request. A CI failure whose log says
 * CI-LOG-MARKER (the runtime lacks `??`) → the line rewritten without it; a
 * review comment asking why → a comment line above it. Each runs the tests
 * and submits.
 */
function laterRound(feedback: { kind: string; from: string; text: string }[], turn: number, results: string, testCommand: string | null): Response {
  const ci = feedback[0]!.kind === "ci_failure";
  if (ci && !feedback[0]!.text.includes("CI-LOG-MARKER")) return refuse(`the CI round did not get the failing log: ${feedback[0]!.text.slice(0, 300)}`);
  if (!ci && !feedback[0]!.text.includes("why")) return refuse(`the review round did not get the comment: ${feedback[0]!.text.slice(0, 300)}`);
  switch (turn) {
    case 0:
      return toolUse("read_file", { path: "src/checkout/totals.js", start_line: 38, end_line: 46 });
    case 1:
      if (ci) {
        if (!results.includes("cart?.items ?? []")) return refuse(`the branch does not hold the first fix: ${results.slice(0, 300)}`);
        return toolUse("edit_file", { path: "src/checkout/totals.js", old_string: NULL_SAFE, new_string: PLAIN });
      }
      if (!results.includes("cart ? cart.items : []")) return refuse(`the branch does not hold the CI round's commit: ${results.slice(0, 300)}`);
      return toolUse("edit_file", { path: "src/checkout/totals.js", old_string: PLAIN, new_string: EXPLAINED });
    case 2:
      if (!results.includes("edited src/checkout/totals.js")) return refuse(`the edit failed: ${results.slice(0, 300)}`);
      return toolUse("bash", { command: testCommand ?? "node --test" });
    case 3:
      if (!passing(results)) return refuse(`the payment-page test does not pass: ${results.slice(0, 300)}`);
      return toolUse("submit_fix", {
        summary: ci ? "computeTotals no longer uses ?? (CI's runtime lacks it)." : "Says why a missing cart reads as empty.",
        root_cause: "hydrateCart returns null for a session without a cart.",
        tests: ["test/checkout.test.js"],
        commit_message: ci ? "Avoid ?? in computeTotals for the CI runtime" : "Explain the empty-cart default in computeTotals",
      });
  }
  return refuse(`unexpected later-round turn ${turn}`);
}
