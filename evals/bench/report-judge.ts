/**
 * The offline report judge (workers/safety/report-judge.ts) on reports built
 * from the fixtures:
 *  - benign: every group of the grouping fixtures (conversational, mixed,
 *    system logs) as one report, its signals in file order: how many are
 *    quarantined (each one a false alarm);
 *  - floods: every attack line of the safety fixtures that the per-signal
 *    offline tier lets through as a log line (machine text, which the learned
 *    model never drops alone), sent as a log line COPIES times, alone and
 *    among 20 benign stack traces: how many reports are quarantined.
 * No model call; the texts the judge reads are the fixtures' own.
 *
 *   npm run bench -- report-judge [--json]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { OfflineSafetyClassifier } from "../../workers/safety/offline";
import { OfflineReportJudge, type ReportJudgeSignal } from "../../workers/safety/report-judge";

const DATA = new URL("../data/", import.meta.url);
const COPIES = 5;

interface Line {
  id: string;
  source_product: string;
  source_type: string;
  content: string;
  group?: string;
  label?: string;
}

const lines = (file: string): Line[] =>
  readFileSync(new URL(file, DATA), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);

export interface ReportJudgeBenchResult {
  benign_reports: number;
  benign_quarantined: number;
  benign_quarantined_by_rule: Record<string, number>;
  attack_lines_passing_tier_as_log: number;
  flood_quarantined: number;
  flood_among_benign_quarantined: number;
  ms: number;
}

export function benchReportJudge(): ReportJudgeBenchResult {
  const tier = new OfflineSafetyClassifier();
  const judge = new OfflineReportJudge(tier);
  const t0 = performance.now();
  const byRule: Record<string, number> = {};
  let benignReports = 0;
  let benignQuarantined = 0;
  for (const file of ["grouping-conversational.jsonl", "grouping-mixed.jsonl", "grouping-system-logs.jsonl"]) {
    const groups = new Map<string, ReportJudgeSignal[]>();
    for (const l of lines(file)) {
      const list = groups.get(l.group ?? l.id) ?? [];
      list.push({ id: l.id, source_product: l.source_product, source_type: l.source_type, content: l.content });
      groups.set(l.group ?? l.id, list);
    }
    for (const [group, signals] of groups) {
      benignReports++;
      const v = judge.decide(judge.read({ report_id: group, title: firstLine(signals[0].content), title_source_type: signals[0].source_type, signals }));
      if (v.verdict === "unsafe") {
        benignQuarantined++;
        byRule[v.rule] = (byRule[v.rule] ?? 0) + 1;
      }
    }
  }
  const stack = lines("grouping-mixed.jsonl").filter((l) => l.source_type === "exception").slice(0, 20);
  let passing = 0;
  let flood = 0;
  let among = 0;
  for (const file of ["safety-families.jsonl", "safety-mixed.jsonl", "safety-extra.jsonl"]) {
    for (const l of lines(file)) {
      if (l.label !== "malicious") continue;
      if (tier.classifySync({ source_product: "logs", source_type: "log", content: l.content }).action === "drop") continue;
      passing++;
      const copies = Array.from({ length: COPIES }, (_, i) => ({ id: `${l.id}-${i}`, source_product: "logs", source_type: "log", content: l.content }));
      const title = "Problem on /api/logs";
      if (judge.decide(judge.read({ report_id: l.id, title, signals: copies })).verdict === "unsafe") flood++;
      const mixed = [...stack.map((s) => ({ id: s.id, source_product: s.source_product, source_type: s.source_type, content: s.content })), ...copies];
      if (judge.decide(judge.read({ report_id: l.id, title, signals: mixed })).verdict === "unsafe") among++;
    }
  }
  return {
    benign_reports: benignReports,
    benign_quarantined: benignQuarantined,
    benign_quarantined_by_rule: byRule,
    attack_lines_passing_tier_as_log: passing,
    flood_quarantined: flood,
    flood_among_benign_quarantined: among,
    ms: Math.round(performance.now() - t0),
  };
}

function firstLine(text: string): string {
  return text.split("\n").find((l) => l.trim())?.trim().slice(0, 100) ?? "";
}

export function reportJudgeCli(args: string[]): void {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } } });
  const r = benchReportJudge();
  console.log(`benign reports (grouping fixtures' groups)   ${r.benign_quarantined} of ${r.benign_reports} quarantined ${JSON.stringify(r.benign_quarantined_by_rule)}`);
  console.log(`attack lines the tier lets through as logs   ${r.attack_lines_passing_tier_as_log}`);
  console.log(`  ${COPIES} copies as a report                     ${r.flood_quarantined} quarantined`);
  console.log(`  ${COPIES} copies among 20 stack traces           ${r.flood_among_benign_quarantined} quarantined`);
  console.log(`time                                         ${r.ms} ms`);
  if (values.json) console.log(JSON.stringify(r));
}
