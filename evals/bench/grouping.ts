/**
 * `npm run bench -- grouping [--json] [--signals N] [--seed N]`: the e2e
 * bench's seeded stream (Zipf over 200 problems; repeats differ in ids,
 * numbers, names, stack formats and log variables; evals/bench/e2e-stream.ts),
 * without its prompt injections (safety drops those before grouping), through
 * the grouping code the Worker runs (`runGrouping`: fingerprints and log
 * templates, query writing, embedding, vector match, the veto), in process,
 * with the offline providers. Calls are counted as the production faces would
 * make them: every query the writer is asked for is one LLM call, every embed
 * request one Workers AI call, the safety judge once for each signal its
 * policy selects (counted for every policy, the deployed one in the total),
 * and the report judge once for each report that reaches the deployed
 * promotion threshold (research runs once on it: with that many signals it is
 * never sent back to the pool) unless its offline face already quarantines it.
 * Scored against the problem each signal was generated from.
 */
import { parseArgs } from "node:util";
import type { SafetyJudge } from "../../workers/safety/llm-judge";
import { OfflineSafetyClassifier } from "../../workers/safety/offline";
import { OfflineReportJudge } from "../../workers/safety/report-judge";
import { REPORT_JUDGE_POLICIES, wantsModel, type ReportJudgePolicy } from "../../workers/safety/llm-report-judge";
import { JUDGE_POLICIES, TieredSafetyClassifier, type JudgePolicy } from "../../workers/safety/tiered";
import { makeProviders, type Providers } from "../providers";
import { type GroupingLine, runGrouping } from "../suites/grouping";
import { LearnedTriageClassifier } from "../../workers/triage/learned-triage";
import { TieredTriageClassifier } from "../../workers/triage/tiered";
import { generateStream } from "./e2e-stream";

export interface GroupingBenchResult {
  signals: number;
  groups_true: number;
  groups_pred: number;
  pairwise_precision: number;
  pairwise_recall: number;
  ari: number;
  ga: number;
  /** every LLM call the production faces would make: query writer, match judge and safety judge (as deployed) */
  llm_calls_per_1000: number;
  llm_calls_per_1000_by_stage: { query_writer: number; safety_judge: number; match_judge: number; triage: number; report_judge: number };
  safety_judge_calls_per_1000_by_policy: Record<JudgePolicy, number>;
  report_judge_calls_per_1000_by_policy: Record<ReportJudgePolicy, number>;
  /** what the triage judge would read if TRIAGE_JUDGE=anthropic */
  triage_judge_calls_per_1000_when_on: number;
  embed_calls_per_1000: number;
  signals_per_s: number;
  peak_rss_mb: number;
}

export const GROUPING_TARGETS = { pairwise_precision: 0.95, pairwise_recall: 0.9, llm_calls_per_1000: 30, seconds: 30 };

export async function benchGrouping(opts: { signals: number; seed: number }): Promise<GroupingBenchResult & { seconds: number }> {
  const lines: GroupingLine[] = generateStream({ signals: opts.signals, seed: opts.seed })
    .filter((item) => item.kind !== "injection")
    .map((item) => ({ ...item.signal, group: `p${item.problem}`, project: "bench", weight: 1 }));
  const offline = makeProviders("offline");
  // as deployed with a key (GROUPING_QUERY_TIERS=escalate): offline queries first, the LLM writer only for a
  // signal they cannot place, and the LLM match judge for borderline matches; offline answers stand in for
  // the models' (so the grouping is the offline one), and each call the models would get is counted
  const providers: Providers = {
    ...offline,
    escalation: { name: offline.queryWriter.name, usesLlm: true, write: (s) => offline.queryWriter.write(s) },
    matchJudge: { name: offline.matchJudge.name, usesLlm: true, judge: (q) => offline.matchJudge.judge(q) },
  };
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const started = performance.now();
  const run = await runGrouping(lines, providers, { threshold: offline.embedder.defaultThreshold, mode: "pipeline" });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const per1000 = (n: number) => Math.round((n / lines.length) * 1000 * 10) / 10;
  // the safety judge reads every signal its policy selects, before grouping: count what each policy would send
  const judged = await safetyJudgeCalls(lines);
  const judgeCalls = judged[DEPLOYED_JUDGE_POLICY];
  // the triage judge, when turned on (TRIAGE_JUDGE=anthropic; off by default), reads the offline tier's non-structural drops
  const rules = new LearnedTriageClassifier();
  const triageWhenOn = lines.filter((l) => TieredTriageClassifier.wantsJudge(rules.classifySync(l))).length;
  const triageCalls = DEPLOYED_TRIAGE_JUDGE ? triageWhenOn : 0;
  const reportJudged = reportJudgeCallsOf(lines, run.assignments);
  const reportJudgeCalls = reportJudged[DEPLOYED_REPORT_JUDGE_POLICY];
  const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    signals: lines.length,
    groups_true: run.groups_true,
    groups_pred: run.groups_pred,
    pairwise_precision: r4(run.pairwise_precision),
    pairwise_recall: r4(run.pairwise_recall),
    ari: r4(run.ari),
    ga: r4(run.ga),
    llm_calls_per_1000: per1000(run.llm_calls + judgeCalls + triageCalls + reportJudgeCalls),
    llm_calls_per_1000_by_stage: {
      query_writer: per1000(run.llm_calls - run.judge_calls),
      safety_judge: per1000(judgeCalls),
      match_judge: per1000(run.judge_calls),
      triage: per1000(triageCalls),
      report_judge: per1000(reportJudgeCalls),
    },
    triage_judge_calls_per_1000_when_on: per1000(triageWhenOn),
    report_judge_calls_per_1000_by_policy: Object.fromEntries(REPORT_JUDGE_POLICIES.map((p) => [p, per1000(reportJudged[p])])) as Record<ReportJudgePolicy, number>,
    safety_judge_calls_per_1000_by_policy: Object.fromEntries(JUDGE_POLICIES.map((p) => [p, per1000(judged[p])])) as Record<JudgePolicy, number>,
    embed_calls_per_1000: per1000(run.embed_calls),
    signals_per_s: Math.round((lines.length / seconds) * 10) / 10,
    peak_rss_mb: Math.round(peak / 2 ** 20),
    seconds: Math.round(seconds * 10) / 10,
  };
}

/** what a deployment with a key runs by default (TRIAGE_JUDGE unset: off) */
const DEPLOYED_TRIAGE_JUDGE = false;

/** what wrangler.toml deploys (DEFAULT_PROMOTION_THRESHOLD; each bench signal weighs 1) */
const DEPLOYED_PROMOTION_THRESHOLD = 5;

/** the report judge's default policy (REPORT_JUDGE_POLICY unset) */
const DEPLOYED_REPORT_JUDGE_POLICY: ReportJudgePolicy = "borderline";

/** Report judge calls per policy: one per report promoted for research that the offline face neither quarantines nor (borderline) clears. */
function reportJudgeCallsOf(lines: GroupingLine[], assignments: { id: string; report: string }[]): Record<ReportJudgePolicy, number> {
  const byId = new Map(lines.map((l) => [l.id, l]));
  const reports = new Map<string, GroupingLine[]>();
  for (const a of assignments) {
    const line = byId.get(a.id);
    if (!line) continue;
    const list = reports.get(a.report) ?? [];
    list.push(line);
    reports.set(a.report, list);
  }
  const judge = new OfflineReportJudge(new OfflineSafetyClassifier());
  const calls = Object.fromEntries(REPORT_JUDGE_POLICIES.map((p) => [p, 0])) as Record<ReportJudgePolicy, number>;
  for (const [report, signals] of reports) {
    if (signals.length < DEPLOYED_PROMOTION_THRESHOLD) continue;
    const title = signals[0].content.split("\n").find((l) => l.trim())?.trim().slice(0, 100) ?? "";
    const reading = judge.read({ report_id: report, title, title_source_type: signals[0].source_type, signals });
    if (judge.decide(reading).verdict === "unsafe") continue;
    for (const p of REPORT_JUDGE_POLICIES) if (wantsModel(reading, p)) calls[p]++;
  }
  return calls;
}

/** what wrangler.toml deploys (SAFETY_JUDGE_POLICY) */
const DEPLOYED_JUDGE_POLICY: JudgePolicy = "borderline";

/** Judge calls each policy would make on these signals (a fake judge that counts and says benign). */
async function safetyJudgeCalls(lines: GroupingLine[]): Promise<Record<JudgePolicy, number>> {
  const out = {} as Record<JudgePolicy, number>;
  for (const policy of JUDGE_POLICIES) {
    let calls = 0;
    const judge: SafetyJudge = {
      name: "counting",
      judge: async () => (calls++, { ok: true, calls: 1, output: { verdict: "benign", reason_code: "ordinary_signal", confidence: 1 } }),
    };
    const tiered = new TieredSafetyClassifier({ judge, judgeWhen: policy });
    for (const l of lines) await tiered.classify(l);
    out[policy] = calls;
  }
  return out;
}

export async function groupingCli(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { json: { type: "boolean", default: false }, signals: { type: "string", default: "10000" }, seed: { type: "string", default: "1" } },
  });
  const r = await benchGrouping({ signals: Number(values.signals), seed: Number(values.seed) });
  const mark = (ok: boolean) => (ok ? "ok" : "MISSED");
  const t = GROUPING_TARGETS;
  const rows: [string, string, string][] = [
    ["signals", String(r.signals), ""],
    ["groups true / predicted", `${r.groups_true} / ${r.groups_pred}`, ""],
    ["pairwise precision", String(r.pairwise_precision), `target ≥ ${t.pairwise_precision}: ${mark(r.pairwise_precision >= t.pairwise_precision)}`],
    ["pairwise recall", String(r.pairwise_recall), `target ≥ ${t.pairwise_recall}: ${mark(r.pairwise_recall >= t.pairwise_recall)}`],
    ["ari / ga", `${r.ari} / ${r.ga}`, ""],
    ["LLM calls per 1,000", String(r.llm_calls_per_1000), `target ≤ ${t.llm_calls_per_1000}: ${mark(r.llm_calls_per_1000 <= t.llm_calls_per_1000)}`],
    ["  query writer", String(r.llm_calls_per_1000_by_stage.query_writer), "each signal neither a fingerprint nor offline queries placed (GROUPING_QUERY_TIERS=escalate)"],
    ["  safety judge", String(r.llm_calls_per_1000_by_stage.safety_judge), `SAFETY_JUDGE_POLICY=${DEPLOYED_JUDGE_POLICY} (wrangler.toml); ${JUDGE_POLICIES.filter((p) => p !== DEPLOYED_JUDGE_POLICY).map((p) => `${p} ${r.safety_judge_calls_per_1000_by_policy[p]}`).join(", ")}`],
    ["  match judge", String(r.llm_calls_per_1000_by_stage.match_judge), "each borderline match put to the judge (the rule offline, a model in production)"],
    ["  report judge", String(r.llm_calls_per_1000_by_stage.report_judge), `REPORT_JUDGE_POLICY=${DEPLOYED_REPORT_JUDGE_POLICY}: each report promoted at weight ${DEPLOYED_PROMOTION_THRESHOLD} the offline judge neither quarantines nor clears; all ${r.report_judge_calls_per_1000_by_policy.all}`],
    ["  triage", "0", "no LLM face yet"],
    ["embed calls per 1,000", String(r.embed_calls_per_1000), ""],
    ["seconds", String(r.seconds), `target ≤ ${t.seconds} for 10,000: ${mark(r.seconds <= t.seconds)}`],
    ["signals/s", String(r.signals_per_s), ""],
    ["peak RSS MB", String(r.peak_rss_mb), ""],
  ];
  for (const [k, v, note] of rows) console.log(`${k.padEnd(26)} ${v.padStart(12)}  ${note}`);
  if (values.json) {
    const { seconds: _s, ...json } = r;
    console.log(JSON.stringify(json));
  }
}
