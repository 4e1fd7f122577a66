/**
 * Assigns one signal to a report: the grouping algorithm the Worker's queue
 * consumer and the eval CLI both run.
 *  1. deterministic fingerprint hit → join that report (no LLM, no embedding);
 *  2. else write 1–3 queries about what the signal is about, embed them, and
 *     look each up in the project's vector namespace; the closest report at or
 *     above the threshold is joined at once when the match is clear (a query
 *     `strongMargin` above the threshold, backed by a second query of the
 *     signal at the threshold less `supportMargin`, or the signal's only
 *     query); a borderline one is put to the match judge, "could one pull
 *     request fix both?" (rule-match-judge.ts offline: one close query, or two
 *     that agree; an LLM in production, at most two reports a signal), and
 *     its verdict is kept on the link; left out are vectors indexed by a signal
 *     whose fingerprint conflicts with this one's (another exception type or
 *     top frame, another log template), and reports that a conflicting
 *     fingerprint already leads to: a fingerprint vetoes a vector match;
 *     nor are vectors of a signal that named other failure classes than
 *     this one (a timeout is not a 502; failure-classes.ts), nor a report
 *     such vectors lead to unless another of its vectors failed this way;
 *     a signal joins only a report that shares a subject word with it, not
 *     only a complaint or a failure (subject.ts: "keeps saying too many
 *     requests" about search is not about invoices; the shipping service's
 *     502 is not "a 502 when I check out"), read for free text from its words
 *     and queries, for a stack or a log line from its queries alone (a log's
 *     own fields, request_id or host, are no subject);
 *     a match leads where people's corrections say (a merged report's target,
 *     a moved signal's new report), and a report a signal this close was
 *     moved out of is passed over (corrections.ts);
 *     a signal this tier could not place goes to the next one (an LLM query
 *     writer in production), unless every close report failed another way
 *     (other words would find them again, and be turned down again);
 *  3. else start a new report.
 * The signal's query vectors are then indexed under the chosen report, so
 * every member enriches what its report is known to be about; a vector whose
 * lookup already found one of that report's vectors at cosine ≥
 * `nearDuplicate` (default 0.99) adds nothing and is not indexed, so repeats
 * of one problem do not grow the index.
 */
import { type Corrections, matchReport, NO_CORRECTIONS, vetoed } from "./corrections";
import { failureClasses } from "./failure-classes";
import { specificQueries } from "./specificity";
import { sharesSubject, subjectWords } from "./subject";
import { RuleMatchJudge } from "./rule-match-judge";
import type { GroupingDecision, GroupingDeps, GroupingOptions, GroupingSignal, MatchVerdict, VectorMatch } from "./types";

const MAX_QUERIES = 3;
/** borderline reports put to the match judge per signal, closest first */
const MAX_JUDGED = 2;
const RULE_JUDGE = new RuleMatchJudge();
export const DEFAULT_NEAR_DUPLICATE = 0.99;
/** one in this many fingerprint hits is looked at again (0: never) */
export const DEFAULT_RECHECK_EVERY = 16;
/** how much closer a report that named no failure must be to come before one that failed this signal's way */
const SAME_FAILURE_EDGE = 0.05;
/** a single query links alone only at the threshold plus this */
export const DEFAULT_STRONG_MARGIN = 0.1;
/** another query of the signal agrees when its match with the same report is at least the threshold minus this */
export const DEFAULT_SUPPORT_MARGIN = 0.07;

export async function assignSignal(
  signal: GroupingSignal,
  deps: GroupingDeps,
  opts: GroupingOptions,
): Promise<GroupingDecision> {
  const useFingerprints = opts.useFingerprints ?? true;
  const fp = useFingerprints ? (await deps.fingerprinter.fingerprints([signal]))[0] : null;
  /** a fingerprint's report, looked at again for this signal (see `recheck`) */
  let recheckOf: string | null = null;
  let fingerprintHit: GroupingDecision | null = null;
  if (fp) {
    const hit = await deps.fingerprints.get(signal.project, fp);
    if (hit) {
      fingerprintHit = {
        reportId: hit.reportId,
        isNewReport: false,
        method: "fingerprint",
        query: fp,
        score: 1,
        fingerprint: fp,
        queries: [],
        embedding: hit.embedding,
      };
      // looked at again only with a writer that costs no model call (offline, or offline first)
      if (deps.queryWriter.usesLlm || !recheck(signal.id, opts)) return fingerprintHit;
      recheckOf = hit.reportId;
    }
  }

  const written = (await deps.queryWriter.write(signal)).map((q) => q.trim()).filter(Boolean);
  const queries = specificQueries(written, signal).slice(0, MAX_QUERIES);
  // nothing was written at all: the text itself; only generic queries: nothing to link by (unless the next tier finds some)
  // the next tier (an LLM in production) is asked only for what is new, and unless told otherwise only
  // about free text: a new stack or log fingerprint is a new problem's first signal, and the queries
  // extracted from it already say what it is about
  const escalation = deps.escalation && recheckOf === null && (fp === null || deps.escalateFingerprinted) ? deps.escalation : null;
  if (written.length === 0 && !escalation) queries.push(signal.content.slice(0, 500));
  if (queries.length === 0 && !escalation) return fingerprintHit ?? newReport(signal, deps, fp, written, opts);

  // people's corrections, read beside the first lookups (not before them)
  const loadingCorrections: Promise<Corrections> = deps.corrections ? deps.corrections.load(signal.project) : Promise.resolve(NO_CORRECTIONS);
  // a signal with no query to look up never needs them: their failure then is nobody's (a lookup still rethrows it)
  loadingCorrections.catch(() => undefined);
  let corrections: Corrections = NO_CORRECTIONS;
  // the failure classes the signal names (a timeout, a 502, …): a vector of a signal that named others is not a match
  const failure = failureClasses(signal.content);
  const supportAt = opts.threshold - (opts.supportMargin ?? DEFAULT_SUPPORT_MARGIN);
  const strong = opts.threshold + (opts.strongMargin ?? DEFAULT_STRONG_MARGIN);
  const judge = deps.matchJudge ?? RULE_JUDGE;
  // every query of the signal (both tiers), its vector and what its lookup found
  const all: string[] = [];
  const vectors: number[][] = [];
  const found: VectorMatch[][] = [];
  // each report's best match, and which of the signal's queries found it close enough to agree
  const byReport = new Map<string, Candidate>();
  let asked = 0;
  /** whether a close vector was left out because its signal failed another way */
  let closeButFailedOtherwise = false;
  const otherFailure = new Set<string>();
  const sameFailure = new Set<string>();
  /** a report whose matched vectors all failed another way than this signal */
  const failedOtherwise = (c: Candidate) => otherFailure.has(c.reportId) && !sameFailure.has(c.reportId);

  /** Embeds and looks up `more` queries; their matches join the candidates. */
  const lookUp = async (more: string[]) => {
    if (!more.length) return;
    const vs = await deps.embedder.embed(more);
    // the lookups are independent: concurrently, in the order the queries were written, with the corrections
    const [fs, loaded] = await Promise.all([Promise.all(vs.map((v) => deps.index.query(signal.project, v, opts.topK ?? 5))), loadingCorrections]);
    corrections = loaded;
    for (let k = 0; k < vs.length; k++) {
      const i = vectors.length;
      all.push(more[k]);
      vectors.push(vs[k]);
      found.push(fs[k]);
      for (const m of fs[k]) {
        // a vector indexed by a signal with a conflicting fingerprint is another problem, however close
        if (conflicting(fp, m.fingerprint)) continue;
        // looking again: the fingerprint's own vectors lead where it already leads
        if (recheckOf !== null && m.fingerprint === fp) continue;
        const reportId = matchReport(corrections, m);
        // a vector of a signal that failed another way (a timeout, not a 502) is another problem, and
        // so is its report unless another of its vectors failed this way
        if (failure.length && m.failure) {
          if (!m.failure.split(",").some((f) => failure.includes(f))) {
            otherFailure.add(reportId);
            if (m.score >= opts.threshold) closeButFailedOtherwise = true;
            continue;
          }
          sameFailure.add(reportId);
        }
        let seen = byReport.get(reportId);
        if (!seen) byReport.set(reportId, (seen = { reportId, score: m.score, query: more[k], support: new Set(), reportQueries: [] }));
        else if (m.score > seen.score) Object.assign(seen, { score: m.score, query: more[k] });
        if (m.score >= supportAt) seen.support.add(i);
        if (m.query && !seen.reportQueries.includes(m.query)) seen.reportQueries.push(m.query);
      }
    }
  };

  /** The candidates, closest first. */
  const ranked = () => [...byReport.values()].sort((a, b) => b.score - a.score || a.reportId.localeCompare(b.reportId));

  /**
   * The candidates in the order they are tried: closest first, but a report whose vectors failed the way
   * this signal did comes before one as close (within `SAME_FAILURE_EDGE`) that named no failure: the
   * same failure is evidence, no failure is none.
   */
  const preferred = () => {
    const bonus = (c: Candidate) => (failure.length && sameFailure.has(c.reportId) ? SAME_FAILURE_EDGE : 0);
    return [...byReport.values()].sort((a, b) => b.score + bonus(b) - (a.score + bonus(a)) || a.reportId.localeCompare(b.reportId));
  };

  // a signal joins only a report it shares a subject word with (subject.ts)
  let subject: { of: number; words: Set<string> } | null = null;

  /** The report to join among the candidates so far, with the judge's verdict when it was asked. */
  const choose = async (): Promise<{ joined: Candidate; verdict: MatchVerdict | null } | null> => {
    for (const c of preferred()) {
      if (c.score < opts.threshold) continue;
      if (failedOtherwise(c)) continue;
      // a signal meets a report only on a shared subject word, not only on how it failed: free text (its words
      // and queries: "keeps saying too many requests" about search is not about invoices), and a stack or a log
      // line (its queries: a log's own fields such as request_id are no subject; "502 when I check out" and
      // the shipping service's 502 share nothing else)
      // (read again once the next tier has added queries)
      if (subject?.of !== all.length) subject = { of: all.length, words: subjectOf(fp === null ? signal.content : null, all) };
      if (!sharesSubject(subject.words, c.reportQueries)) continue;
      // nor does a signal join a report that another of its kind of fingerprint already leads to
      if (fp && (await deps.fingerprints.ofReport(signal.project, c.reportId)).some((f) => conflicting(fp, f))) continue;
      // a person moved a signal this close out of that report
      if (vetoed(corrections, c.reportId, vectors, c.score)) continue;
      // clear: close, and backed by a second query (or the signal's only one), or for free text by the
      // shared subject checked above; no judge needed
      if (c.score >= strong && (fp === null || c.support.size >= Math.min(2, vectors.length))) return { joined: c, verdict: null };
      // a fingerprint looked at again moves only on a clear match: no judge is asked
      if (recheckOf !== null) continue;
      // borderline: could one pull request fix both? (the rule offline, a model in production)
      if (judge.usesLlm && asked >= MAX_JUDGED) return null;
      asked++;
      const v = await judge.judge({
        signal,
        reportId: c.reportId,
        score: c.score,
        queries: [...all],
        support: c.support.size,
        reportQueries: c.reportQueries.slice(0, 5),
        threshold: opts.threshold,
        strong,
      });
      if (v.same) return { joined: c, verdict: v };
    }
    return null;
  };

  await lookUp(queries);
  let choice = await choose();
  if (recheckOf !== null) {
    // only a clear match (no judge) to another report moves a fingerprint; else it leads where it led
    if (!choice || choice.verdict !== null || choice.joined.reportId === recheckOf) return fingerprintHit!;
  }
  // the next tier only for a signal the first one could not place, unless all it found close failed
  // another way: the model's words would find those reports again, and the failure check is its own
  const close = ranked().filter((c) => c.score >= opts.threshold);
  const allCloseFailedOtherwise = (closeButFailedOtherwise || close.length > 0) && close.every(failedOtherwise);
  if (!choice && escalation && !allCloseFailedOtherwise) {
    const more = specificQueries((await escalation.write(signal)).map((q) => q.trim()).filter(Boolean), signal)
      .filter((q) => !all.includes(q))
      .slice(0, MAX_QUERIES);
    await lookUp(more);
    if (more.length) choice = await choose();
  }
  if (vectors.length === 0) return newReport(signal, deps, fp, written, opts);

  // the match the decision reports: the one joined, else the closest one seen
  const best = choice?.joined ?? ranked()[0] ?? null;
  const joined = choice !== null;
  const reportId = joined ? best!.reportId : opts.newReportId();
  const nearDuplicate = opts.nearDuplicate ?? DEFAULT_NEAR_DUPLICATE;
  const records = vectors
    .map((values, i) => ({ id: `${signal.id}:${i}`, reportId, values, query: all[i], fingerprint: fp, failure: failure.join(",") || null }))
    .filter((_, i) => !found[i].some((m) => matchReport(corrections, m) === reportId && m.score >= nearDuplicate));
  if (records.length > 0) await deps.index.upsert(signal.project, records);
  if (fp && recheckOf !== null) await deps.fingerprints.moveTo(signal.project, fp, recheckOf, { reportId, embedding: vectors[0] });
  else if (fp) await deps.fingerprints.set(signal.project, fp, { reportId, embedding: vectors[0] });

  return {
    reportId,
    isNewReport: !joined,
    method: joined ? "vector" : "new",
    query: joined ? best!.query : all[0],
    score: best ? best.score : null,
    fingerprint: fp,
    queries: all,
    embedding: vectors[0],
    judge: choice?.verdict ?? null,
  };
}

/** The subject words of a signal's text (free text only: null for a stack or a log line) and of its queries, each read on its own (a signature ends the text, not the queries after it). */
function subjectOf(text: string | null, queries: string[]): Set<string> {
  const words = subjectWords(queries.join("\n"));
  if (text !== null) for (const w of subjectWords(text)) words.add(w);
  return words;
}

interface Candidate {
  reportId: string;
  score: number;
  query: string;
  support: Set<number>;
  reportQueries: string[];
}

/**
 * Whether a signal whose fingerprint is known is looked at again, as if new: one in
 * `recheckEvery` (by a hash of its id, so a redelivery decides alike). A problem's first
 * stack or log line may arrive before anything it could join (its report opens alone, and
 * every repeat follows the fingerprint there); the customers' messages and the other
 * services' log lines about it arrive later. Looked at again with them in the index, a
 * fingerprint whose queries now clearly match another report (close, backed by a second query,
 * the subject and failure checks passed; never on the judge's word) leads there from then
 * on. Its offline queries only: no model call.
 */
export function recheck(signalId: string, opts: Pick<GroupingOptions, "recheckEvery">): boolean {
  const every = opts.recheckEvery ?? DEFAULT_RECHECK_EVERY;
  if (!(every >= 1)) return false;
  let h = 0x811c9dc5;
  for (let i = 0; i < signalId.length; i++) h = Math.imul(h ^ signalId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % every === 0;
}

/** A report of its own for a signal with nothing specific to link by (its fingerprint leads there next time). */
async function newReport(signal: GroupingSignal, deps: GroupingDeps, fp: string | null, queries: string[], opts: GroupingOptions): Promise<GroupingDecision> {
  const reportId = opts.newReportId();
  if (fp) await deps.fingerprints.set(signal.project, fp, { reportId, embedding: null });
  return { reportId, isNewReport: true, method: "new", query: queries[0] ?? null, score: null, fingerprint: fp, queries, embedding: null };
}

/**
 * Whether two fingerprints say two different problems: two log templates that
 * differ, or two exceptions with a different type or a different top in-app
 * frame. Fingerprints of different kinds (a log and a stack) do not conflict.
 */
export function conflicting(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b || a === b) return false;
  const kind = (f: string) => f.slice(0, f.indexOf(":") + 1);
  if (kind(a) !== kind(b)) return false;
  if (kind(a) !== "stack:") return true;
  // stack:<type>:<fn>@<file>|… → the type and the first frame
  const identity = (f: string) => f.split("|", 1)[0];
  return identity(a) !== identity(b);
}
