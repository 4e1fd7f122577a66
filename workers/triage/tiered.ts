/**
 * Tiered triage: the offline tier first (the rules with the learned model,
 * learned-triage.ts); the LLM triage judge (production)
 * reads only what the rules would call noise for a reason a person might be
 * wrong about — not structural noise (bots and tracking, auto-replies, spam),
 * which the rules recognise by its form. A second opinion on the drops keeps
 * false drops down at a few calls per thousand signals; what the rules let
 * through goes on to grouping and research, which judge actionability again.
 * When the judge says actionable the signal is kept as a signal with
 * `judge:actionable` in `matched`; when it agrees, or cannot answer, the
 * rules' verdict stands (`judge_failed:…` recorded). Noise is never lost: it
 * is stored with its reason either way.
 */
import { LearnedTriageClassifier } from "./learned-triage";
import type { TriageJudge } from "./llm-triage";
import type { TriageClassifier, TriageInput, TriageReason, TriageVerdict } from "./triage";

/** noise the rules recognise by its form: never worth a model call */
export const STRUCTURAL_NOISE: ReadonlySet<TriageReason> = new Set(["bot_tracking", "auto_reply", "spam"]);

export interface TieredTriageVerdict extends TriageVerdict {
  llm_calls: number;
}

export class TieredTriageClassifier implements TriageClassifier {
  readonly name: string;
  readonly usesLlm: boolean;

  constructor(
    private readonly judge: TriageJudge | null,
    private readonly rules: { readonly name: string; classifySync(signal: TriageInput): TriageVerdict } = new LearnedTriageClassifier(),
  ) {
    this.usesLlm = judge !== null;
    this.name = judge ? `tiered(${rules.name}+${judge.name})` : rules.name;
  }

  /** Whether the judge would be asked about this verdict of the rules. */
  static wantsJudge(v: TriageVerdict): boolean {
    return v.verdict === "noise" && v.reason !== null && !STRUCTURAL_NOISE.has(v.reason);
  }

  async classify(signal: TriageInput): Promise<TieredTriageVerdict> {
    const v = this.rules.classifySync(signal);
    if (!this.judge || !TieredTriageClassifier.wantsJudge(v)) return { ...v, llm_calls: 0 };
    const r = await this.judge.judge(signal);
    if (!r.ok) return { ...v, matched: [...v.matched, `judge_failed:${r.why.split(":", 1)[0]}`], llm_calls: r.calls };
    if (r.output.actionable) return { verdict: "signal", reason: null, matched: [...v.matched, "judge:actionable"], llm_calls: r.calls };
    return { ...v, matched: [...v.matched, `judge:${r.output.reason ?? "not_actionable"}`], llm_calls: r.calls };
  }
}
