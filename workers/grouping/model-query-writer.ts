/**
 * What the two LLM query writers (Anthropic, Workers AI) share: one call per
 * attempt, one retry of a malformed answer, repeated queries dropped, and the
 * fallback writer's queries for a signal the model cannot answer — an outage,
 * a refusal, or a second malformed answer — with `lastFailure` saying why.
 * Every model call is counted in `calls` (the benchmarks report LLM calls
 * per 1,000 signals).
 */
import type { GroupingSignal, QueryWriter } from "./types";

/** a model's answer: its queries, or why it is malformed (asked once more) */
export type ModelAnswer = { ok: true; queries: string[] } | { ok: false; detail: string };

/** thrown by `ask` when the model gave no answer to use: the signal gets the fallback's queries */
export class NoAnswer extends Error {}

export abstract class ModelQueryWriter implements QueryWriter {
  abstract readonly name: string;
  readonly usesLlm = true;
  /** model calls made, retries of malformed answers included */
  calls = 0;
  /** signals that got the fallback's queries */
  fallbacks = 0;
  lastFailure: string | null = null;

  constructor(private readonly fallback: QueryWriter) {}

  /** One model call for the signal. */
  protected abstract ask(signal: GroupingSignal): Promise<ModelAnswer>;

  async write(signal: GroupingSignal): Promise<string[]> {
    let detail = "";
    for (let attempt = 0; attempt < 2; attempt++) {
      let answer: ModelAnswer;
      try {
        this.calls++;
        answer = await this.ask(signal);
      } catch (e) {
        if (!(e instanceof NoAnswer)) throw e;
        return this.fallBack(signal, e.message);
      }
      if (answer.ok) return distinct(answer.queries);
      detail = answer.detail;
    }
    return this.fallBack(signal, `malformed: ${detail}`);
  }

  private async fallBack(signal: GroupingSignal, why: string): Promise<string[]> {
    this.fallbacks++;
    this.lastFailure = why.slice(0, 300);
    return this.fallback.write(signal);
  }
}

/** the queries without repeats, case aside, in their order */
function distinct(queries: string[]): string[] {
  const seen = new Set<string>();
  return queries.filter((q) => {
    const k = q.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
