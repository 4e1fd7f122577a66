/**
 * The offline match judge: a borderline match joins when one query of the
 * signal is close to the report on its own (`strong`: the threshold plus a
 * margin) or when two of the signal's queries find the report (support);
 * otherwise the evidence is too weak to put the signal in that report. The
 * LLM judge (llm-match-judge.ts) answers the same questions in production and
 * falls back to this rule when the model cannot answer.
 */
import type { MatchJudge, MatchQuestion, MatchVerdict } from "./types";

export class RuleMatchJudge implements MatchJudge {
  readonly name = "rule";
  readonly usesLlm = false;

  async judge(q: MatchQuestion): Promise<MatchVerdict> {
    return ruleVerdict(q, this.name);
  }
}

export function ruleVerdict(q: MatchQuestion, judge = "rule"): MatchVerdict {
  if (q.score >= q.strong) return { same: true, reason: "close_match", detail: "", judge };
  if (q.support >= Math.min(2, q.queries.length)) return { same: true, reason: "queries_agree", detail: "", judge };
  return { same: false, reason: "too_weak", detail: "", judge };
}
