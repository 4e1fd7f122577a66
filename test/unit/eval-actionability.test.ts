import { afterEach, describe, expect, it } from "vitest";
import { runActionability, type ActionabilityCase, type CaseResearcher } from "../../evals/suites/actionability";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cleanEnv, lastJson, runEval, runEvalAsync, tmpJsonl } from "./eval-run";

/** a Messages API answer that calls one tool */
function toolUse(id: string, name: string, input: unknown) {
  return {
    id: `msg_${id}`,
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-6",
    content: [{ type: "tool_use", id, name, input }],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 20 },
  };
}

// Reports written for these tests. The offline researcher decides them as
// their shape says: two traces with an in-app frame → actionable; two
// signals describing a concrete problem but naming no error or place →
// needs_human; one signal → not_actionable. The expected buckets are set against that, so the
// confusion matrix is known.
const trace = (fn: string) => ({
  source_product: "errors",
  source_type: "exception",
  content: `TypeError: Cannot read properties of null (reading 'items')\n    at ${fn} (src/checkout/totals.ts:42:18)`,
});
const talk = (content: string) => ({ source_product: "slack", source_type: "message", content });
const ACT = [trace("computeTotals"), trace("computeTotals")];
// a concrete problem that names no error and no code: a person must say what to change
const HUMAN = [
  talk("Subject: invoices list\nBody: After I switch workspace, the invoices page still lists the previous workspace's invoices until I reload."),
  talk("#support — customer says the invoices page shows another workspace's invoices right after switching workspace; a reload fixes it."),
];
// one vague line: triage reads it as noise, so research calls it not actionable
const ONE = [talk("the app is slow")];

type Bucket = ActionabilityCase["expected"];
const kase = (id: string, expected: Bucket, signals: object[], extra: object = {}) => ({ id, expected, signals, ...extra });

// expected \ predicted: actionable (A), needs_human (H), not_actionable (N)
//   actionable       A 2  H 1  N 1
//   needs_human      A 1  H 2  N 0
//   not_actionable   A 1  H 1  N 2
const data = [
  kase("aa1", "actionable", ACT, { repo: "sample-app", category: "trace" }),
  kase("aa2", "actionable", ACT),
  kase("ah1", "actionable", HUMAN, { repo: "sample-app" }),
  kase("an1", "actionable", ONE),
  kase("ha1", "needs_human", ACT, { repo: "sample-app", category: "trace" }),
  kase("hh1", "needs_human", HUMAN),
  kase("hh2", "needs_human", HUMAN, { unknown_field: 1 }),
  kase("na1", "not_actionable", ACT),
  kase("nh1", "not_actionable", HUMAN),
  kase("nn1", "not_actionable", ONE, { repo: "sample-app" }),
  kase("nn2", "not_actionable", [{ ...ONE[0], weight: 3, id: "sig-9", received_at: 1 }]),
];

describe("eval CLI (actionability)", () => {
  it("computes the confusion matrix, the admit and drop rates and accuracy from the researcher's buckets", () => {
    const r = runEval(["actionability", "--data", tmpJsonl(data), "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^false_admit_rate\s+0\.2857$/m);
    expect(r.stdout).toContain("false drops (actionable kept from a fix): ah1, an1");
    const last = lastJson(r);
    // the repository cases read the sample app: the offline researcher's git commands count as tool calls
    expect(last.tool_calls).toBeGreaterThan(0);
    expect(last).toMatchObject({
      suite: "actionability",
      provider: "offline",
      n: 11,
      expected: { actionable: 4, needs_human: 3, not_actionable: 4 },
      confusion: {
        actionable: { actionable: 2, needs_human: 1, not_actionable: 1 },
        needs_human: { actionable: 1, needs_human: 2, not_actionable: 0 },
        not_actionable: { actionable: 1, needs_human: 1, not_actionable: 2 },
      },
      false_admits: ["ha1", "na1"],
      false_drops: ["ah1", "an1"],
      errors: ["ah1", "an1", "ha1", "na1", "nh1"],
      by_category: { trace: { n: 2, correct: 1 } },
      input_tokens: 0,
      output_tokens: 0,
      llm_calls: 0,
      embed_calls: 0,
    });
    // not actionable + needs human = 7, of which 2 were sent to a fix
    expect(last.false_admit_rate).toBeCloseTo(2 / 7, 9);
    expect(last.needs_human_admit_rate).toBeCloseTo(1 / 3, 9);
    expect(last.not_actionable_admit_rate).toBeCloseTo(1 / 4, 9);
    expect(last.false_drop_rate).toBeCloseTo(2 / 4, 9);
    expect(last.accuracy).toBeCloseTo(6 / 11, 9);
    const byBucket = last.by_bucket as Record<string, { precision: number; recall: number }>;
    expect(byBucket.actionable.precision).toBeCloseTo(2 / 4, 9);
    expect(byBucket.needs_human.precision).toBeCloseTo(2 / 4, 9);
    expect(byBucket.not_actionable.recall).toBeCloseTo(2 / 4, 9);
    // the repo cases alone: aa1 ✓, ah1 (drop), ha1 (admit), nn1 ✓
    const repo = last.repo as Record<string, number>;
    expect(repo.n).toBe(4);
    expect(repo.accuracy).toBeCloseTo(2 / 4, 9);
    expect(repo.false_admit_rate).toBeCloseTo(1 / 2, 9);
    expect(repo.false_drop_rate).toBeCloseTo(1 / 2, 9);
    // one decision per case, with its rule and run time
    const decisions = last.decisions as { id: string; predicted: string; rule: string; seconds: number }[];
    expect(decisions.map((d) => d.id)).toEqual(data.map((d) => d.id));
    expect(decisions.find((d) => d.id === "an1")).toMatchObject({ predicted: "not_actionable", rule: "noise_only" });
    for (const d of decisions) expect(d.seconds).toBeGreaterThanOrEqual(0);
    expect(last.seconds_per_report).toBeGreaterThanOrEqual(0);
  });

  it("exits 2 naming the line and field of a case with an unknown bucket or no signals", () => {
    const bad = runEval(["actionability", "--data", tmpJsonl([data[0], data[1], { ...data[2], expected: "maybe" }])]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/data\.jsonl:3: expected/);
    const empty = runEval(["actionability", "--data", tmpJsonl([{ ...data[0], signals: [] }])]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/data\.jsonl:1: signals/);
    const noContent = runEval(["actionability", "--data", tmpJsonl([data[0], { ...data[1], signals: [{ source_product: "x", source_type: "y" }] }])]);
    expect(noContent.code).toBe(2);
    expect(noContent.stderr).toMatch(/data\.jsonl:2: signals\.0\.content/);
    const otherRepo = runEval(["actionability", "--data", tmpJsonl([{ ...data[0], repo: "elsewhere" }])]);
    expect(otherRepo.code).toBe(2);
    expect(otherRepo.stderr).toMatch(/data\.jsonl:1: repo/);
  });

  it("exits 2 for the anthropic provider without a key, saying so", () => {
    const noKey = runEval(["actionability", "--data", tmpJsonl(data), "--provider", "anthropic"]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/needs ANTHROPIC_API_KEY/);
  });

  describe("--provider anthropic against a local fake of the Messages API", () => {
    let server: Server | undefined;
    afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

    it("runs the agent on each report, with the sample app's checkout for repository cases, and sums its calls and tokens", async () => {
      const toolResults: string[] = [];
      server = createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
          const parsed = JSON.parse(body) as { messages: { role: string; content: unknown }[]; tools: { name: string }[] };
          const hasBash = parsed.tools.some((t) => t.name === "bash");
          const last = parsed.messages.at(-1)!;
          const results = Array.isArray(last.content) ? (last.content as { type: string; content?: unknown }[]).filter((b) => b.type === "tool_result") : [];
          let reply;
          if (hasBash && results.length === 0) {
            // first turn with a checkout: ask git who last changed the crashing file
            reply = toolUse("call_1", "bash", { command: "git log -1 --format=%an -- src/checkout/totals.js" });
          } else {
            const seen = results.map((r) => JSON.stringify(r.content)).join("\n");
            if (results.length) toolResults.push(seen);
            const actionable = seen.includes("Maya Chen");
            reply = toolUse("call_2", "submit_research", {
              title: actionable ? "Totals crash on a null cart" : "Vague complaint",
              summary: actionable ? "computeTotals reads cart.items of a null cart (Maya Chen changed the file last)" : "no code named",
              findings: [],
              reviewers: [],
              priority: actionable ? "P1" : null,
              confidence: 0.7,
              actionability: actionable
                ? { bucket: "actionable", rule: "located_in_code", reason: "git names the author of the crashing file" }
                : { bucket: "needs_human", rule: "no_concrete_location", reason: "no code named", question: "Which feature?" },
              already_addressed: null,
            });
          }
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(reply));
        });
      });
      await new Promise<void>((ok) => server!.listen(0, "127.0.0.1", ok));
      const port = (server.address() as AddressInfo).port;
      const cases = [kase("aa1", "actionable", ACT, { repo: "sample-app" }), kase("hh1", "needs_human", HUMAN)];
      const r = await runEvalAsync(
        ["actionability", "--data", tmpJsonl(cases), "--provider", "anthropic", "--json"],
        cleanEnv({ ANTHROPIC_API_KEY: "sk-test", ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`, RESEARCH_MODEL: "claude-sonnet-4-6" }),
      );
      expect(r.code, r.stderr).toBe(0);
      // the bash call ran in the checkout, and its output went back to the model
      expect(toolResults).toHaveLength(1);
      expect(toolResults[0]).toContain("Maya Chen");
      expect(lastJson(r)).toMatchObject({
        provider: "anthropic",
        researcher: "anthropic:claude-sonnet-4-6",
        accuracy: 1,
        // aa1: bash, then its answer; hh1: its answer (the answer, submit_research, is not a tool call)
        tool_calls: 1,
        llm_calls: 3,
        input_tokens: 3 * 100,
        output_tokens: 3 * 20,
      });
    }, 60_000);
  });
});

describe("runActionability (the researcher seam)", () => {
  it("sums each run's tool calls and tokens and times each case with the given clock", async () => {
    const cases = [kase("a", "actionable", ACT), kase("b", "needs_human", HUMAN)] as ActionabilityCase[];
    const seen: string[] = [];
    const researcher: CaseResearcher = {
      name: "scripted",
      async research(c) {
        seen.push(c.id);
        return { bucket: "actionable", rule: "scripted", reason: "test", usage: { tool_calls: 3, input_tokens: 1000, output_tokens: 200, llm_calls: 2 } };
      },
    };
    let now = 0;
    const clock = () => (now += 1.5);
    const run = await runActionability(cases, researcher, clock);
    expect(seen).toEqual(["a", "b"]);
    expect(run).toMatchObject({ tool_calls: 6, input_tokens: 2000, output_tokens: 400, llm_calls: 4, seconds_total: 3, seconds_per_report: 1.5, seconds_max: 1.5 });
    expect(run.false_admits).toEqual(["b"]);
    expect(run.false_admit_rate).toBe(1);
    expect(run.false_drop_rate).toBe(0);
    expect(run.repo).toMatchObject({ n: 0, accuracy: null, false_admit_rate: null, false_drop_rate: null });
  });
});
