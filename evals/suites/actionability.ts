/**
 * Actionability suite (issue 8, Evals): each line is one report — the
 * signals grouped into it and the bucket research should put it in
 * (`actionable | needs_human | not_actionable`; format in evals/README.md).
 * A case researcher (picked by provider in evals/providers.ts,
 * `makeCaseResearcher`) decides each report's bucket; the suite compares.
 *
 * Metrics (a rate whose denominator is 0 is null):
 *  - false_admit_rate: of the reports NOT expected actionable (needs_human or
 *    not_actionable), the share predicted actionable — sent to a fix that
 *    should not be; split into needs_human_admit_rate and
 *    not_actionable_admit_rate;
 *  - false_drop_rate: of the reports expected actionable, the share predicted
 *    anything else — a fixable bug kept from the fix loop;
 *  - accuracy: share with exactly the expected bucket;
 *  - confusion: expected → predicted → count, and per-bucket precision/recall;
 *  - per research run: seconds (offline and agent), tool calls and tokens
 *    (agent faces; 0 offline), summed and per report;
 *  - the same accuracy and rates over the `repo` cases alone (signals that
 *    name the sample app's code, where a code-reading researcher should do
 *    better), and the ids of every error.
 */
import type { Bucket } from "../../workers/research/output";
import { readJsonl } from "../jsonl";
import { makeCaseResearcher } from "../providers";
import { type Suite, UsageError } from "../suite";
import { metricTable } from "../table";
import { ActionabilityCase, BUCKETS, type CaseResearcher, type CaseVerdict } from "./actionability-case";

export { ActionabilityCase, BUCKETS, caseToResearchInput, type CaseResearcher, type CaseVerdict } from "./actionability-case";


type Confusion = Record<Bucket, Record<Bucket, number>>;

export interface Rates {
  n: number;
  accuracy: number | null;
  false_admit_rate: number | null;
  false_drop_rate: number | null;
}

export interface ActionabilityRun extends Rates {
  expected: Record<Bucket, number>;
  needs_human_admit_rate: number | null;
  not_actionable_admit_rate: number | null;
  confusion: Confusion;
  by_bucket: Record<Bucket, { precision: number | null; recall: number | null }>;
  /** the `repo` cases alone */
  repo: Rates;
  by_category: Record<string, { n: number; correct: number }>;
  seconds_total: number;
  seconds_per_report: number;
  seconds_max: number;
  tool_calls: number;
  input_tokens: number;
  output_tokens: number;
  llm_calls: number;
  embed_calls: number;
  errors: string[];
  false_admits: string[];
  false_drops: string[];
  decisions: { id: string; expected: Bucket; repo: boolean; category?: string; verdict: CaseVerdict; seconds: number }[];
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const zero = (): Record<Bucket, number> => ({ actionable: 0, needs_human: 0, not_actionable: 0 });

function rates(ds: ActionabilityRun["decisions"]): Rates & { admits: string[]; drops: string[] } {
  const admits = ds.filter((d) => d.expected !== "actionable" && d.verdict.bucket === "actionable").map((d) => d.id);
  const drops = ds.filter((d) => d.expected === "actionable" && d.verdict.bucket !== "actionable").map((d) => d.id);
  const actionable = ds.filter((d) => d.expected === "actionable").length;
  return {
    n: ds.length,
    accuracy: ratio(ds.filter((d) => d.verdict.bucket === d.expected).length, ds.length),
    false_admit_rate: ratio(admits.length, ds.length - actionable),
    false_drop_rate: ratio(drops.length, actionable),
    admits,
    drops,
  };
}

/** Scores a researcher on the cases. `clock` (seconds) is injectable for tests. */
export async function runActionability(
  cases: ActionabilityCase[],
  researcher: CaseResearcher,
  clock: () => number = () => performance.now() / 1000,
): Promise<ActionabilityRun> {
  const decisions: ActionabilityRun["decisions"] = [];
  for (const c of cases) {
    const t0 = clock();
    const verdict = await researcher.research(c);
    decisions.push({ id: c.id, expected: c.expected, repo: c.repo !== undefined, category: c.category, verdict, seconds: clock() - t0 });
  }
  const confusion = Object.fromEntries(BUCKETS.map((b) => [b, zero()])) as Confusion;
  const expected = zero();
  for (const d of decisions) {
    confusion[d.expected][d.verdict.bucket]++;
    expected[d.expected]++;
  }
  const by_bucket = Object.fromEntries(
    BUCKETS.map((b) => {
      const predicted = BUCKETS.reduce((a, e) => a + confusion[e][b], 0);
      return [b, { precision: ratio(confusion[b][b], predicted), recall: ratio(confusion[b][b], expected[b]) }];
    }),
  ) as ActionabilityRun["by_bucket"];
  const all = rates(decisions);
  const { admits: _a, drops: _d, ...repo } = rates(decisions.filter((d) => d.repo));
  const by_category: ActionabilityRun["by_category"] = {};
  for (const d of decisions) {
    if (!d.category) continue;
    const k = (by_category[d.category] ??= { n: 0, correct: 0 });
    k.n++;
    if (d.verdict.bucket === d.expected) k.correct++;
  }
  const sum = (f: (u: NonNullable<CaseVerdict["usage"]>) => number) => decisions.reduce((a, d) => a + (d.verdict.usage ? f(d.verdict.usage) : 0), 0);
  const seconds = decisions.map((d) => d.seconds);
  const secondsTotal = seconds.reduce((a, s) => a + s, 0);
  return {
    n: all.n,
    accuracy: all.accuracy,
    false_admit_rate: all.false_admit_rate,
    false_drop_rate: all.false_drop_rate,
    expected,
    needs_human_admit_rate: ratio(confusion.needs_human.actionable, expected.needs_human),
    not_actionable_admit_rate: ratio(confusion.not_actionable.actionable, expected.not_actionable),
    confusion,
    by_bucket,
    repo,
    by_category,
    seconds_total: secondsTotal,
    seconds_per_report: secondsTotal / decisions.length,
    seconds_max: Math.max(...seconds),
    tool_calls: sum((u) => u.tool_calls),
    input_tokens: sum((u) => u.input_tokens),
    output_tokens: sum((u) => u.output_tokens),
    llm_calls: sum((u) => u.llm_calls),
    embed_calls: 0,
    errors: decisions.filter((d) => d.verdict.bucket !== d.expected).map((d) => d.id),
    false_admits: all.admits,
    false_drops: all.drops,
    decisions,
  };
}

export function readActionability(path: string): ActionabilityCase[] {
  return readJsonl(path, ActionabilityCase);
}

const METRIC_KEYS = [
  "false_admit_rate",
  "needs_human_admit_rate",
  "not_actionable_admit_rate",
  "false_drop_rate",
  "accuracy",
  "n",
  "repo_n",
  "repo_accuracy",
  "repo_false_admit_rate",
  "repo_false_drop_rate",
  "seconds_per_report",
  "seconds_max",
  "tool_calls",
  "input_tokens",
  "output_tokens",
  "llm_calls",
  "embed_calls",
] as const;

const short: Record<Bucket, string> = { actionable: "actionable", needs_human: "needs_human", not_actionable: "not_action." };

function confusionLines(c: Confusion): string[] {
  const w = 16;
  const head = "expected \\ predicted".padEnd(22) + BUCKETS.map((b) => short[b].padStart(w)).join("");
  return [head, ...BUCKETS.map((e) => `  ${e}`.padEnd(22) + BUCKETS.map((p) => String(c[e][p]).padStart(w)).join(""))];
}

export const actionabilitySuite: Suite = {
  name: "actionability",
  usage: "actionability --data F [--provider offline|anthropic] [--baseline rules] [--verbose]",
  options: { verbose: { type: "boolean" }, baseline: { type: "string" } },
  async run({ data, provider, values }) {
    if (values.baseline !== undefined && values.baseline !== "rules") throw new UsageError(`unknown baseline '${values.baseline}' (known: rules)`);
    const cases = readActionability(data);
    const researcher = makeCaseResearcher(provider);
    let run: ActionabilityRun;
    let base: ActionabilityRun | null = null;
    try {
      run = await runActionability(cases, researcher);
      // the baseline in the same run: the evidence summary judged by the rules alone
      if (values.baseline === "rules") base = await runActionability(cases, makeCaseResearcher("rules"));
    } finally {
      researcher.dispose?.();
    }
    const row: Record<string, number | null> = {
      ...Object.fromEntries(METRIC_KEYS.filter((k) => k in run).map((k) => [k, run[k as keyof ActionabilityRun] as number | null])),
      repo_n: run.repo.n,
      repo_accuracy: run.repo.accuracy,
      repo_false_admit_rate: run.repo.false_admit_rate,
      repo_false_drop_rate: run.repo.false_drop_rate,
    };
    const rows: [string, Record<string, number | null>][] = [["value", row]];
    if (base) {
      rows.push(["rules", { ...Object.fromEntries(METRIC_KEYS.filter((k) => k in base!).map((k) => [k, base![k as keyof ActionabilityRun] as number | null])), repo_n: base.repo.n, repo_accuracy: base.repo.accuracy, repo_false_admit_rate: base.repo.false_admit_rate, repo_false_drop_rate: base.repo.false_drop_rate }]);
    }
    const out = [
      `actionability eval: ${run.n} reports (${BUCKETS.map((b) => `${run.expected[b]} ${b}`).join(", ")}) from ${data}, provider ${provider}, researcher ${researcher.name}`,
      metricTable(Object.keys(row), rows),
      ...confusionLines(run.confusion),
      ...Object.entries(run.by_category)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `  ${k.padEnd(28)} ${v.correct}/${v.n}`),
      `false admits (sent to a fix, expected otherwise): ${run.false_admits.join(", ") || "none"}`,
      `false drops (actionable kept from a fix): ${run.false_drops.join(", ") || "none"}`,
    ];
    if (values.verbose) {
      for (const d of run.decisions) out.push(`${d.id}\t${d.expected}\t${d.verdict.bucket}\t${d.verdict.rule}\t${d.verdict.reason}`);
    }
    const { decisions, ...summary } = run;
    return {
      lines: out,
      result: {
        suite: "actionability",
        provider,
        researcher: researcher.name,
        ...summary,
        ...(base ? { baseline: { name: "rules", accuracy: base.accuracy, false_admit_rate: base.false_admit_rate, false_drop_rate: base.false_drop_rate, repo: base.repo, confusion: base.confusion } } : {}),
        decisions: decisions.map((d) => ({ id: d.id, expected: d.expected, predicted: d.verdict.bucket, rule: d.verdict.rule, seconds: d.seconds, ...(d.verdict.usage ?? {}) })),
      },
    };
  },
};
