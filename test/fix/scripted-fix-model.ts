/**
 * A scripted coding agent behind http://anthropic.fix.fake, for the fix
 * tests (runs in Node as part of miniflare's outbound service). It plays the
 * fix of the sample app's checkout crash (src/checkout/totals.js:42 reads
 * `cart.items` of a null cart) and checks each previous tool result before
 * its next turn, so the loop and the tools cannot pass blindly:
 *   turn 0  read_file src/checkout/totals.js
 *   turn 1  expects `const lines = cart.items;` → edit_file (null-safe items, and a
 *           debugging console.log left in: CI's lint catches it, the CI round removes it)
 *   turn 2  expects "edited src/checkout/totals.js" → edit_file (null-safe coupon)
 *   turn 3  read_file test/checkout.test.js
 *   turn 4  the payment test's known-bug `todo` marker removed when it has one, then
 *           bash with the test command → expects the payment-page test passing → submit_fix
 * A report whose signals hold FIX-SCENARIO-WORKFLOW also writes a CI workflow
 * (bash) before submitting: the diff guard must refuse it. Requests without
 * tools (the safety judge) get a benign verdict; the research face stays
 * offline in these tests. `GET /__log` lists what each turn saw.
 */
import { contentText, scriptedTurns } from "../research/scripted-turns";

const TOOL_FENCE = /<tool_output-[0-9a-f]{32}>/;

export interface FixTurnLog {
  report: string | null;
  turn: number;
  tools: string[];
  results: string;
  /** the injection marker appears only inside the report fence of the first turn */
  injectionFenced: boolean | null;
  /** the rejected attempts' reasons the first turn carried (inside the fence) */
  rejected: string[];
}

const log: FixTurnLog[] = [];

const { reply, toolUse, refuse } = scriptedTurns({ prefix: "fix_", name: "scripted fix model", usage: { input_tokens: 2000, output_tokens: 200 } }, () => log.length);
const text = contentText;

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
    ? (JSON.parse(fenced[2]) as {
        report_id: string;
        signals: { content: string }[];
        test_command: string | null;
        feedback: { kind: string; from: string; text: string }[];
        rejected_attempts: { reason: string }[];
      })
    : null;
  const turn = body.messages.filter((m) => m.role === "assistant").length;
  const results = turn > 0 ? text(body.messages.at(-1)!.content) : "";
  const marker = "INJECTION-MARKER";
  const outside = fenced ? first.replace(fenced[0], "") : first;
  log.push({
    report: data?.report_id ?? null,
    turn,
    tools: body.tools.map((t) => t.name),
    results,
    injectionFenced: first.includes(marker) ? !outside.includes(marker) : null,
    rejected: (data?.rejected_attempts ?? []).map((r) => r.reason),
  });
  if (!data) return refuse("the report is not fenced as JSON data in the first user turn");
  // a conflict it cannot decide (not on the line with the cart's items): it says so on every turn and never submits
  if (data.feedback.some((f) => f.kind === "conflict" && f.text.includes("<<<<<<<") && !f.text.includes("const lines"))) {
    return reply([{ type: "text", text: "I cannot tell which side of this conflict is right; a person should decide." }], "end_turn");
  }
  if (turn > 0 && !TOOL_FENCE.test(results)) return refuse("the previous tool result is not fenced");
  const workflow = data.signals.some((s) => s.content.includes("FIX-SCENARIO-WORKFLOW"));
  if (data.feedback.some((f) => f.kind === "conflict")) return conflictRound(data.feedback, turn, results, data.test_command);
  if (data.feedback.length) return laterRound(data.feedback, turn, results, data.test_command);
  return firstRound({ tools: body.tools, messages: body.messages }, turn, results, data.test_command, workflow);
}

const DEBUG = '  if (cart === null) console.log("computeTotals: session without a cart");';
const NULL_SAFE = "  const lines = cart?.items ?? [];";
const EXPLAINED = "  // a session without a cart pays nothing: a missing cart reads as an empty one\n" + NULL_SAFE;
const PAYMENT_TEST = "the payment page opens for a session that has no cart";
const passing = (results: string) => new RegExp(`^ok \\d+ - ${PAYMENT_TEST}$`, "m").test(results);
/** `, { todo: "…" }` after the payment test's name, when the app marks it as a known bug */
const TODO = new RegExp(`test\\("${PAYMENT_TEST}"(, \\{ todo: "[^"\\n]{0,200}" \\})`);

/** the tool the previous assistant turn called */
function lastTool(messages: { role: string; content: unknown }[]): string | null {
  const last = [...messages].reverse().find((m) => m.role === "assistant");
  const blocks = Array.isArray(last?.content) ? (last!.content as { type?: string; name?: string }[]) : [];
  return blocks.find((b) => b.type === "tool_use")?.name ?? null;
}

/**
 * The first fix, as an agent in a hurry writes it: null-safe totals, with a
 * debugging line left in (CI's lint catches it), the known-bug marker taken
 * off the payment test when the app has one, the tests run, the answer.
 */
function firstRound(body: { tools: { name: string }[]; messages: { role: string; content: unknown }[] }, turn: number, results: string, testCommand: string | null, workflow: boolean): Response {
  const tests = () => toolUse("bash", { command: workflow ? "mkdir -p .github/workflows && printf 'on: push\\njobs: {}\\n' > .github/workflows/ci.yml && node --test" : (testCommand ?? "node --test") });
  switch (turn) {
    case 0:
      for (const t of ["read_file", "edit_file", "bash", "submit_fix"]) if (!body.tools.some((x) => x.name === t)) return refuse(`missing tool ${t}`);
      return toolUse("read_file", { path: "src/checkout/totals.js" });
    case 1:
      if (!results.includes("const lines = cart.items;")) return refuse(`read_file did not show totals.js:42: ${results.slice(0, 300)}`);
      return toolUse("edit_file", { path: "src/checkout/totals.js", old_string: "  const lines = cart.items;", new_string: `${DEBUG}\n${NULL_SAFE}` });
    case 2:
      if (!results.includes("edited src/checkout/totals.js")) return refuse(`the first edit failed: ${results.slice(0, 300)}`);
      return toolUse("edit_file", { path: "src/checkout/totals.js", old_string: "percentOff(cart.coupon)", new_string: "percentOff(cart?.coupon)" });
    case 3:
      if (!results.includes("edited src/checkout/totals.js")) return refuse(`the second edit failed: ${results.slice(0, 300)}`);
      return toolUse("read_file", { path: "test/checkout.test.js" });
    case 4: {
      const todo = TODO.exec(results);
      if (todo) return toolUse("edit_file", { path: "test/checkout.test.js", old_string: `${todo[0]}`, new_string: `test("${PAYMENT_TEST}"` });
      return tests();
    }
    default: {
      if (lastTool(body.messages) === "edit_file") {
        if (!results.includes("edited test/checkout.test.js")) return refuse(`the test edit failed: ${results.slice(0, 300)}`);
        return tests();
      }
      if (lastTool(body.messages) !== "bash") return refuse(`unexpected turn ${turn}`);
      if (!passing(results)) return refuse(`the payment-page test does not pass: ${results.slice(0, 500)}`);
      return toolUse("submit_fix", {
        summary: "computeTotals now treats a missing cart as empty, so the payment page renders $0.00 for a session without a cart.",
        root_cause: "hydrateCart returns null for a session without a cart and computeTotals read cart.items of it (src/checkout/totals.js:42).",
        tests: ["test/checkout.test.js"],
        commit_message: "Treat a missing cart as empty in computeTotals",
      });
    }
  }
}

/**
 * The base branch moved and merging it stopped on conflicts: the feedback
 * holds each conflicted file's hunks as numbered lines. The agent reads the
 * file (the markers must be there), replaces the conflict block with the
 * fix's side, keeping a trailing `// comment` the base added to a line both
 * changed, runs the tests and submits. A conflict elsewhere (not on the line
 * with the cart's items) it cannot decide: it answers in words, never submits.
 */
function conflictRound(feedback: { kind: string; from: string; text: string; path?: string | null }[], turn: number, results: string, testCommand: string | null): Response {
  const f = feedback.find((x) => x.kind === "conflict" && x.path)!;
  if (!f || !f.text.includes("<<<<<<<")) return refuse(`the conflict round did not get the markers: ${JSON.stringify(feedback).slice(0, 300)}`);
  const lines = f.text.split("\n").flatMap((l) => {
    const m = /^\d+: (.*)$/.exec(l);
    return m ? [m[1]!] : [];
  });
  const start = lines.findIndex((l) => l.startsWith("<<<<<<<"));
  const mid = lines.findIndex((l) => l === "=======");
  const end = lines.findIndex((l) => l.startsWith(">>>>>>>"));
  if (start < 0 || mid < start || end < mid) return refuse(`no conflict block in the feedback: ${f.text.slice(0, 300)}`);
  const ours = lines.slice(start + 1, mid);
  const theirs = lines.slice(mid + 1, end);
  const noted = theirs.find((l) => l.includes(" // "));
  const note = noted ? noted.slice(noted.indexOf(" // ")) : "";
  const resolved = ours.map((l) => (note && l.includes("const lines") ? `${l}${note}` : l));
  switch (turn) {
    case 0:
      return toolUse("read_file", { path: f.path });
    case 1:
      if (!results.includes("<<<<<<<")) return refuse(`the checkout does not hold the conflict: ${results.slice(0, 300)}`);
      return toolUse("edit_file", { path: f.path, old_string: lines.slice(start, end + 1).join("\n"), new_string: resolved.join("\n") });
    case 2:
      if (!results.includes(`edited ${f.path}`)) return refuse(`the resolution failed: ${results.slice(0, 300)}`);
      return toolUse("bash", { command: testCommand ?? "node --test" });
    case 3:
      if (!passing(results)) return refuse(`the payment-page test does not pass after the merge: ${results.slice(0, 300)}`);
      return toolUse("submit_fix", {
        summary: "Keeps the fix and the base branch's note on the line both changed.",
        root_cause: "hydrateCart returns null for a session without a cart.",
        tests: ["test/checkout.test.js"],
        commit_message: "Merge the base branch",
      });
  }
  return refuse(`unexpected conflict-round turn ${turn}`);
}

/**
 * Rounds on the open pull request. A CI failure whose log is the lint's
 * "debugging left in shipped code" → the debugging line removed; a review
 * comment asking why → a comment line above the default. Each runs the tests
 * and submits.
 */
function laterRound(feedback: { kind: string; from: string; text: string }[], turn: number, results: string, testCommand: string | null): Response {
  const ci = feedback[0]!.kind === "ci_failure";
  if (ci && !feedback[0]!.text.includes("debugging left in shipped code")) return refuse(`the CI round did not get the failing log: ${feedback[0]!.text.slice(0, 300)}`);
  if (!ci && !feedback[0]!.text.includes("why")) return refuse(`the review round did not get the comment: ${feedback[0]!.text.slice(0, 300)}`);
  switch (turn) {
    case 0:
      return toolUse("read_file", { path: "src/checkout/totals.js", start_line: 38, end_line: 48 });
    case 1:
      if (ci) {
        if (!results.includes("console.log(")) return refuse(`the branch does not hold the first fix: ${results.slice(0, 300)}`);
        return toolUse("edit_file", { path: "src/checkout/totals.js", old_string: `${DEBUG}\n`, new_string: "" });
      }
      if (!results.includes(NULL_SAFE.trim()) || results.includes("console.log(")) return refuse(`the branch does not hold the CI round's commit: ${results.slice(0, 300)}`);
      return toolUse("edit_file", { path: "src/checkout/totals.js", old_string: NULL_SAFE, new_string: EXPLAINED });
    case 2:
      if (!results.includes("edited src/checkout/totals.js")) return refuse(`the edit failed: ${results.slice(0, 300)}`);
      return toolUse("bash", { command: testCommand ?? "node --test" });
    case 3:
      if (!passing(results)) return refuse(`the payment-page test does not pass: ${results.slice(0, 300)}`);
      return toolUse("submit_fix", {
        summary: ci ? "Removes the debugging line CI's lint found in computeTotals." : "Says why a missing cart reads as empty.",
        root_cause: "hydrateCart returns null for a session without a cart.",
        tests: ["test/checkout.test.js"],
        commit_message: ci ? "Remove a debugging line from computeTotals" : "Explain the empty-cart default in computeTotals",
      });
  }
  return refuse(`unexpected later-round turn ${turn}`);
}
