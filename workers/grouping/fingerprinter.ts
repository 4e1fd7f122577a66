/**
 * Deterministic fingerprints, before any LLM call or embedding:
 *  - `stack:<type>:<fn>@<file>|…` for an exception with in-app frames;
 *  - `log:<template id>` for a log line, the template mined from the lines the
 *    project sent before (log-miner.ts), loaded from and saved to the
 *    project's LogTemplateStore, so a template outlives the Worker;
 *  - null for the rest (chat, tickets, replays): vector matching decides.
 * Signals are taken in order, as their arrival order matters to mining.
 */
import { logLineTokens, stackFingerprint } from "./fingerprint";
import { bucketOf, DEFAULT_LOG_SIMILARITY, mine } from "./log-miner";
import type { Fingerprinter, GroupingSignal, LogTemplate, LogTemplateStore } from "./types";

export class MinedFingerprinter implements Fingerprinter {
  constructor(
    private readonly templates: LogTemplateStore,
    private readonly similarity = DEFAULT_LOG_SIMILARITY,
  ) {}

  async fingerprints(signals: GroupingSignal[]): Promise<(string | null)[]> {
    const out: (string | null)[] = signals.map(() => null);
    const logs = new Map<string, { at: number; tokens: string[] }[]>();
    signals.forEach((s, at) => {
      const stack = stackFingerprint(s.content); // parseError reads the reading window
      if (stack) {
        out[at] = stack;
        return;
      }
      const tokens = logLineTokens(s);
      if (!tokens) return;
      const list = logs.get(s.project) ?? [];
      list.push({ at, tokens });
      logs.set(s.project, list);
    });
    for (const [project, lines] of logs) {
      const byBucket = new Map<string, LogTemplate[]>();
      for (const t of await this.templates.load(project, [...new Set(lines.map((l) => bucketOf(l.tokens)))])) {
        byBucket.set(t.bucket, [...(byBucket.get(t.bucket) ?? []), t]);
      }
      const changed = new Map<string, LogTemplate>();
      for (const { at, tokens } of lines) {
        const bucket = bucketOf(tokens);
        const candidates = byBucket.get(bucket) ?? [];
        const { template, changed: isChanged } = mine(candidates, tokens, this.similarity);
        if (!candidates.includes(template)) byBucket.set(bucket, [...candidates, template]);
        if (isChanged) changed.set(template.id, template);
        out[at] = `log:${template.id}`;
      }
      await this.templates.save(project, [...changed.values()]);
    }
    return out;
  }
}

/** A fingerprinter whose answers for a batch's signals are already known (the consumer computes them once). */
export function precomputed(known: Map<string, string | null>, keyOf: (s: GroupingSignal) => string, fallback: Fingerprinter): Fingerprinter {
  return {
    async fingerprints(signals) {
      if (signals.every((s) => known.has(keyOf(s)))) return signals.map((s) => known.get(keyOf(s))!);
      return fallback.fingerprints(signals);
    },
  };
}
