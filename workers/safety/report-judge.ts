/**
 * The second safety judge: before any agent (research, fix) reads a report,
 * a judge reads the WHOLE report — its title and all its signals together —
 * and may quarantine it. The per-signal tier (classifier.ts) sees one signal
 * at a time; it cannot see that fifty log lines are one instruction repeated,
 * that an instruction was cut in two across signals, or that the report's
 * title is an instruction. A quarantined report is kept, with the verdict and
 * its reason, for a person to look at; no agent reads it.
 *
 * `OfflineReportJudge` (this file) is the offline face. For each distinct
 * text (copies counted once; near-identical = equal once lower-cased, digit
 * runs and punctuation runs folded) it runs the offline safety tier
 * (offline.ts) and the instruction shapes (pipeline-instructions.ts); a text
 * is an instruction when the tier drops it, when two shapes meet, or when one
 * shape meets the tier's suspicion (a rule matched, or the learned model is
 * sure: p ≥ its dropAt — which the tier does not act on alone for machine
 * text such as logs). The report is unsafe when (the verdict names the first
 * that holds, its reason and `matched` carry them all):
 *  - repeated_instruction: one instruction occurs in REPEAT_MIN signals or more;
 *  - instruction_share:    instructions are SHARE of its signals or more;
 *  - title_instruction:    its title is an instruction;
 *  - split_instruction:    in the distinct texts read in arrival order, two
 *    shapes meet across the boundary of two signals (no more than SPLIT_GAP
 *    apart), the stretch around them holds a payload (redirect or
 *    exfiltrate), and it is an instruction to the tier read as written by a
 *    person, or holds three shapes. (Two tickets side by side, one ending
 *    "please reply with an ETA", the next quoting "ignore the above", are no
 *    instruction: no payload, and too far apart.)
 * Otherwise it is safe; instructions below the share are named in `flagged`.
 * Linear in the report's total text: one normalization and one tier pass per
 * distinct text, one scan of the BOUNDARY_READ characters on each side of
 * each boundary between them, and the stretches around the pairs found there
 * merged before they are read.
 */
import { prepare } from "./heuristic";
import type { OfflineSafetyClassifier, OfflineVerdict } from "./offline";
import { families, scan, type Family, type FamilyMatch } from "./pipeline-instructions";

export interface ReportJudgeSignal {
  id: string;
  source_product: string;
  source_type: string;
  content: string;
}

export interface ReportJudgeInput {
  report_id: string;
  title: string;
  /** the source type of the text the title came from (default: written by a person) */
  title_source_type?: string;
  /** in arrival order */
  signals: ReportJudgeSignal[];
}

export type ReportJudgeRule =
  | "title_instruction"
  | "repeated_instruction"
  | "instruction_share"
  | "split_instruction"
  | "judge_unsafe"
  | "judge_reply_invalid"
  | "none";

export interface ReportJudgeVerdict {
  verdict: "safe" | "unsafe";
  rule: ReportJudgeRule;
  /** in the judge's own words: never a quote of the report's text */
  reason: string;
  /** the face that decided */
  judge: string;
  /** signals read as instructions (the first MAX_FLAGGED) */
  flagged: string[];
  /** the shapes, rules and scores behind the verdict, for the record */
  matched: string[];
  llm_calls: number;
}

export interface ReportJudge {
  readonly name: string;
  readonly usesLlm: boolean;
  judge(input: ReportJudgeInput): Promise<ReportJudgeVerdict>;
}

/** copies of one instruction that make a report unsafe whatever its size */
export const REPEAT_MIN = 3;
/** share of a report's signals that are instructions from which it is unsafe */
export const SHARE = 0.2;
/** the largest gap between two shapes read as one instruction across a boundary */
export const SPLIT_GAP = 80;
/** text read on each side of such a pair */
const SPLIT_CONTEXT = 200;
/** text read for shapes on each side of a boundary between two texts */
const BOUNDARY_READ = 600;
const MAX_FLAGGED = 20;
/** the shapes that say what the reader should do instead of its work */
const PAYLOAD: ReadonlySet<Family> = new Set(["redirect", "exfiltrate"]);
/** the source type under which the tier reads text as written by a person */
const PERSON_TYPE = "report";

/** One distinct text of the report and what the offline readers found in it. */
export interface TextReading {
  text: string;
  /** the text as the safety rules read it (NFKC, invisible characters removed, readable base64 decoded) */
  prepared: string;
  source_product: string;
  source_type: string;
  /** the ids of the signals that carry it, in arrival order */
  ids: string[];
  families: Family[];
  offline: OfflineVerdict;
  instruction: boolean;
  /** 0..1: how much the offline readers suspect it (for ordering what an LLM reads) */
  suspicion: number;
}

export interface ReportReading {
  title: { instruction: boolean; families: Family[]; offline: OfflineVerdict };
  texts: TextReading[];
  signal_count: number;
  /**
   * something in it the offline readers could not clear: a text or the title
   * is an instruction, has a shape or matched a rule, or the learned model is
   * unsure of a text (p ≥ its uncertainAt). What the LLM face is asked about
   * under REPORT_JUDGE_POLICY=borderline.
   */
  uncertain: boolean;
}

/** Lower-cased, digit runs as 0, everything but letters and digits folded to one space. */
export function nearIdenticalKey(text: string): string {
  return text.toLowerCase().replace(/[0-9]+/g, "0").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

export class OfflineReportJudge implements ReportJudge {
  readonly name: string;
  readonly usesLlm = false;

  constructor(private readonly tier: OfflineSafetyClassifier) {
    this.name = `offline-report-judge(${tier.name})`;
  }

  /** Whether one text is an instruction to the pipeline, and why. */
  readText(text: string, source_product: string, source_type: string): { prepared: string; instruction: boolean; families: Family[]; offline: OfflineVerdict; suspicion: number } {
    const prepared = prepare(text).text;
    const found = [...families(prepared)];
    const offline = this.tier.classifySync({ source_product, source_type, content: text });
    const sure = offline.score > 0 || offline.learned >= this.tier.dropAt;
    const instruction = offline.action === "drop" || found.length >= 2 || (found.length >= 1 && sure);
    const suspicion = instruction ? 1 : Math.min(0.99, Math.max(offline.learned, Math.min(offline.score, 1), found.length * 0.4));
    return { prepared, instruction, families: found, offline, suspicion };
  }

  /** The per-text readings of a report (each distinct text once). */
  read(input: ReportJudgeInput): ReportReading {
    const byKey = new Map<string, TextReading>();
    for (const s of input.signals) {
      const key = nearIdenticalKey(s.content);
      const seen = byKey.get(key);
      if (seen) {
        seen.ids.push(s.id);
        continue;
      }
      const r = this.readText(s.content, s.source_product, s.source_type);
      byKey.set(key, { text: s.content, source_product: s.source_product, source_type: s.source_type, ids: [s.id], ...r });
    }
    const title = this.readText(input.title, "report", input.title_source_type ?? PERSON_TYPE);
    const texts = [...byKey.values()];
    const unclear = (r: { instruction: boolean; families: Family[]; offline: OfflineVerdict }) =>
      r.instruction || r.families.length > 0 || r.offline.action === "drop" || r.offline.uncertain;
    return {
      title: { instruction: title.instruction, families: title.families, offline: title.offline },
      texts,
      signal_count: input.signals.length,
      // the title is a line of a text read in full: the learned model, unsure of any short line, is not asked about it
      uncertain: title.instruction || title.families.length > 0 || title.offline.score > 0 || texts.some(unclear),
    };
  }

  async judge(input: ReportJudgeInput): Promise<ReportJudgeVerdict> {
    return this.decide(this.read(input));
  }

  decide(reading: ReportReading): ReportJudgeVerdict {
    const n = reading.signal_count;
    const instructions = reading.texts.filter((t) => t.instruction);
    const flaggedIds = instructions.flatMap((t) => t.ids);
    const flagged = flaggedIds.slice(0, MAX_FLAGGED);
    const shapes = (list: Family[]) => (list.length ? list.join(", ") : "none");
    const verdict = (rule: ReportJudgeRule, reason: string, matched: string[]): ReportJudgeVerdict => ({
      verdict: rule === "none" ? "safe" : "unsafe",
      rule,
      reason,
      judge: this.name,
      flagged,
      matched,
      llm_calls: 0,
    });
    const evidence = (t: { families: Family[]; offline: OfflineVerdict }) => [
      ...t.families.map((f) => `shape:${f}`),
      ...t.offline.matched.map((m) => `tier:${m}`),
      ...(t.offline.action === "drop" ? ["tier:drop"] : []),
    ];

    // every rule that holds is on the record; the first in this order names the verdict
    const hits: { rule: ReportJudgeRule; reason: string; matched: string[]; flagged?: string[] }[] = [];
    const top = instructions.reduce<TextReading | null>((best, t) => (!best || t.ids.length > best.ids.length ? t : best), null);
    if (top && top.ids.length >= REPEAT_MIN) {
      hits.push({
        rule: "repeated_instruction",
        reason: `${top.ids.length} of ${n} signals are copies of one instruction to the pipeline (shapes: ${shapes(top.families)})`,
        matched: [`copies:${top.ids.length}`, ...evidence(top)],
      });
    }
    if (n > 0 && flaggedIds.length / n >= SHARE && !(top && top.ids.length === flaggedIds.length && hits.length)) {
      hits.push({
        rule: "instruction_share",
        reason: `${flaggedIds.length} of ${n} signals read as instructions to the pipeline (at least ${Math.round(SHARE * 100)}%)`,
        matched: [`instructions:${flaggedIds.length}/${n}`, ...instructions.flatMap(evidence)].slice(0, 40),
      });
    }
    if (reading.title.instruction) {
      hits.push({
        rule: "title_instruction",
        reason: `the report's title reads as an instruction to the pipeline (shapes: ${shapes(reading.title.families)})`,
        matched: ["title", ...evidence(reading.title).map((m) => `title:${m}`)],
      });
    }
    const split = hits.length ? null : this.splitInstruction(reading.texts);
    if (split) {
      hits.push({
        rule: "split_instruction",
        reason: `an instruction to the pipeline is split across signals ${split.ids.join(", ")} (shapes: ${shapes(split.families)})`,
        matched: [...split.families.map((f) => `shape:${f}`), ...split.offline.matched.map((m) => `tier:${m}`)],
        flagged: [...new Set([...split.ids, ...flagged])].slice(0, MAX_FLAGGED),
      });
    }
    if (hits.length) {
      return {
        ...verdict(hits[0].rule, hits.map((h) => h.reason).join("; "), [...hits.slice(1).map((h) => `rule:${h.rule}`), ...hits.flatMap((h) => h.matched)]),
        flagged: hits[0].flagged ?? flagged,
      };
    }
    const below = flaggedIds.length
      ? `${flaggedIds.length} of ${n} signals read as instructions, below ${Math.round(SHARE * 100)}%; no instruction is repeated, split or in the title`
      : "no instruction aimed at the pipeline in the title or the signals, alone, repeated or split";
    return verdict("none", below, flaggedIds.length ? [`instructions:${flaggedIds.length}/${n}`] : []);
  }

  /**
   * Two shapes that meet across a boundary between two distinct texts, read
   * in arrival order, confirmed by the tier (as a person's text) or by a
   * third shape in the stretch around them.
   */
  private splitInstruction(texts: TextReading[]): { ids: string[]; families: Family[]; offline: OfflineVerdict } | null {
    if (texts.length < 2) return null;
    const starts: number[] = [];
    let whole = "";
    for (const t of texts) {
      starts.push(whole.length);
      whole += `${t.prepared}\n`;
    }
    const textAt = (offset: number) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    // the shapes near each boundary (a split instruction meets there), each stretch of text read once
    const matches: FamilyMatch[] = [];
    let readTo = 0;
    for (let k = 1; k < starts.length; k++) {
      const from = Math.max(readTo, starts[k] - BOUNDARY_READ);
      let to = Math.min(whole.length, starts[k] + BOUNDARY_READ);
      // neighbouring boundaries closer than that: one stretch
      while (k + 1 < starts.length && starts[k + 1] - BOUNDARY_READ <= to) to = Math.min(whole.length, starts[++k] + BOUNDARY_READ);
      for (const m of scan(whole.slice(from, to))) matches.push({ ...m, start: m.start + from, end: m.end + from });
      readTo = to;
    }
    // stretches around each pair of neighbouring shapes that crosses a boundary, merged where they overlap
    const stretches: { from: number; to: number; first: number; last: number }[] = [];
    for (let i = 0; i < matches.length; i++) {
      const a = matches[i];
      const b = matches[i + 1];
      const first = textAt(a.start);
      const crossesAlone = first !== textAt(a.end - 1);
      const pair = b !== undefined && b.family !== a.family && b.start - a.end <= SPLIT_GAP && first !== textAt(b.end - 1);
      if (!crossesAlone && !pair) continue;
      const end = pair ? b.end : a.end;
      const from = Math.max(0, a.start - SPLIT_CONTEXT);
      const to = Math.min(whole.length, end + SPLIT_CONTEXT);
      const last = stretches[stretches.length - 1];
      if (last && from <= last.to) {
        last.to = Math.max(last.to, to);
        last.last = Math.max(last.last, textAt(end - 1));
      } else stretches.push({ from, to, first, last: textAt(end - 1) });
    }
    for (const s of stretches) {
      const stretch = whole.slice(s.from, s.to);
      const found = [...families(stretch)];
      const offline = this.tier.classifySync({ source_product: "report", source_type: PERSON_TYPE, content: stretch });
      // what the instruction wants done (a payload), and the tier or a third shape to confirm it
      if (!found.some((f) => PAYLOAD.has(f)) || found.length < 2 || (offline.action !== "drop" && found.length < 3)) continue;
      return { ids: texts.slice(s.first, s.last + 1).map((t) => t.ids[0]), families: found, offline };
    }
    return null;
  }
}
