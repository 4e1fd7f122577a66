/**
 * `npm run train -- safety [--data DIR] [--epochs N] [--out FILE] [--extra FILE.jsonl …] [--attack-weight W] [--drop-at P]`:
 * trains the learned safety tier (workers/safety/learned.ts) and writes its
 * weights to workers/safety/model-weights.ts.
 *
 * Data: every `attacks-*.jsonl` (malicious) and `benign-*.jsonl` (benign) in
 * evals/data/safety-train/ — public, permissively licensed texts, assembled
 * outside this repository and not redistributed here (sources, commits and
 * licences in that folder's SOURCES files); `--extra` adds JSONL lines
 * of the safety eval format ({content, label}) — for example the LLM
 * judge's recorded verdicts on a project's own traffic
 * (`GET /v1/safety/verdicts`), so repeated LLM decisions become offline ones.
 * Also 3,000 signals of the benchmark stream's generator on seed 11 (its
 * errors, logs, tickets and Slack posts, never its injections) as benign
 * product traffic. The eval fixtures in evals/data are never read here.
 *
 * Model: logistic regression on the hashed n-gram windows of
 * ngram-features.ts, AdaGrad, L2; after two epochs an attack text trains
 * only its most suspicious window (an attack hidden in a long document is
 * one window of it), benign texts train every window. One text in five
 * (by hash) is held back: `dropAt` is set where at most `--max-fpr`
 * (default 0.2%) of the held-back benign texts would be dropped (and at
 * least 0.95), and `uncertainAt` where at most `--max-judge` (default 3%)
 * would go to the LLM judge (and at least 0.2). With `--extra`, the report
 * also gives how often the shipped model and the new one agree with those
 * labels on the fifth held back. Deterministic: same data, same weights.
 * `--from shipped|FILE` starts at a model's weights and pulls back towards
 * them (warm-start.ts): what a fresh clone can do, since the public files are
 * not in it — without them and without `--from` or `--scratch` it refuses.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FEATURE_BITS, windowFeatureLists } from "../../workers/safety/ngram-features";
import { decodeModel, scoreWith, type SafetyModelFile } from "../../workers/safety/learned";
import { SAFETY_MODEL } from "../../workers/safety/model-weights";
import { fnv1a } from "../../workers/grouping/hashed-embedder";
import { generateStream } from "../bench/e2e-stream";
import { prng } from "../prng";
import { quantize } from "./quantize";
import { loadWarmStart } from "./warm-start";

/** a usage mistake: the CLI prints it and exits 2 */
export class TrainUsageError extends Error {}

interface Doc {
  text: string;
  /** from an --extra file (the project's own labels) */
  extra: boolean;
  malicious: boolean;
  family: string;
  origin: string;
  windows: Int32Array[];
}

const MAX_WINDOWS = 16;
const OWN_TRAFFIC = 3000;
/** not the benchmarks' seeds (1–3) */
const OWN_TRAFFIC_SEED = 11;

function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function load(dir: string, extra: string[]): Doc[] {
  const docs: Doc[] = [];
  const add = (text: unknown, malicious: boolean, family: unknown, origin: unknown, isExtra = false) => {
    if (typeof text !== "string" || text.trim().length < 8) return;
    const windows = windowFeatureLists(text).slice(0, MAX_WINDOWS).map((w) => Int32Array.from(w));
    docs.push({ text, extra: isExtra, malicious, family: String(family ?? "?"), origin: String(origin ?? "?"), windows });
  };
  // every attacks-*.jsonl and benign-*.jsonl of the folder, in name order
  for (const name of readdirSync(dir).sort()) {
    const kind = /^(attacks|benign)-[\w.-]+\.jsonl$/.exec(name)?.[1];
    if (!kind) continue;
    for (const r of readJsonl(join(dir, name))) add(r.text, kind === "attacks", r.family ?? r.kind, r.origin);
  }
  for (const path of extra) for (const r of readJsonl(path)) add(r.content ?? r.text, r.label === "malicious", r.family ?? "extra", path, true);
  // product traffic of our own: the benchmark stream's generator on another seed (its errors, logs,
  // tickets and Slack posts; not its injections), so customer and machine text is in the benign half
  for (const item of generateStream({ signals: OWN_TRAFFIC, seed: OWN_TRAFFIC_SEED })) {
    if (item.kind !== "injection") add(item.signal.content, false, `own_${item.kind}`, `e2e-stream seed ${OWN_TRAFFIC_SEED}`);
  }
  return docs;
}

/** The bucket sums of one window, x = count / sqrt(n). */
function dot(w: Float64Array, feats: Int32Array): number {
  let s = 0;
  for (let i = 0; i < feats.length; i++) s += w[feats[i]];
  return feats.length ? s / Math.sqrt(feats.length) : 0;
}

interface Start {
  /** the weights to begin at and to pull back towards */
  w0: Float64Array;
  bias: number;
  /** the pull's strength (L2 around w0) */
  prior: number;
}

function train(docs: Doc[], epochs: number, seed: number, quiet: boolean, attackWeight: number, start: Start | null): { w: Float64Array; bias: number } {
  const size = 1 << FEATURE_BITS;
  const w = start ? Float64Array.from(start.w0) : new Float64Array(size);
  const w0 = start?.w0 ?? new Float64Array(size);
  const g2 = new Float64Array(size).fill(1e-8);
  const bias0 = start?.bias ?? 0;
  let bias = bias0;
  let gb2 = 1e-8;
  const lr = 0.5;
  const l2 = start?.prior ?? 1e-6;
  const pos = docs.filter((d) => d.malicious).length;
  const neg = docs.length - pos;
  // both classes weigh the same in total (per text, not per window), attacks `attackWeight` times that
  const weightOf = (d: Doc) => (d.malicious ? (attackWeight * docs.length) / (2 * pos) : docs.length / (2 * neg));
  const r = prng(seed);
  const order = docs.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let loss = 0;
    for (const k of order) {
      const d = docs[k];
      let windows = d.windows;
      if (d.malicious && epoch >= 2 && windows.length > 1) {
        // the attack's most suspicious window
        let best = 0;
        let bestZ = -Infinity;
        windows.forEach((f, i) => {
          const z = dot(w, f);
          if (z > bestZ) [bestZ, best] = [z, i];
        });
        windows = [windows[best]];
      }
      const dw = weightOf(d) / windows.length;
      for (const f of windows) {
        const z = bias + dot(w, f);
        const p = 1 / (1 + Math.exp(-z));
        const y = d.malicious ? 1 : 0;
        loss += -dw * (y ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12));
        const g = dw * (p - y);
        const x = f.length ? 1 / Math.sqrt(f.length) : 0;
        for (let i = 0; i < f.length; i++) {
          const b = f[i];
          const gi = g * x + l2 * (w[b] - w0[b]);
          g2[b] += gi * gi;
          w[b] -= (lr * gi) / Math.sqrt(g2[b]);
        }
        // the bias is pulled back like every weight: otherwise it alone absorbs what the prior holds back
        const gb = g + l2 * (bias - bias0);
        gb2 += gb * gb;
        bias -= (lr * gb) / Math.sqrt(gb2);
      }
    }
    if (!quiet) console.error(`epoch ${epoch + 1}/${epochs}: loss ${(loss / docs.length).toFixed(4)}`);
  }
  return { w, bias };
}


/** the smallest threshold that lets at most `share` of `benign` scores reach it */
function thresholdFor(benign: number[], share: number): number {
  const sorted = [...benign].sort((a, b) => b - a);
  const k = Math.floor(share * sorted.length);
  // strictly above the (k+1)-th highest benign score
  const next = sorted[k] ?? 0;
  return Math.min(0.999, next + 1e-6);
}

function base64(bytes: Int8Array): string {
  const u = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Buffer.from(u).toString("base64");
}

export async function trainSafety(argv: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string", default: "evals/data/safety-train" },
      epochs: { type: "string", default: "6" },
      seed: { type: "string", default: "7" },
      out: { type: "string", default: "workers/safety/model-weights.ts" },
      extra: { type: "string", multiple: true, default: [] },
      "max-fpr": { type: "string", default: "0.002" },
      "max-judge": { type: "string", default: "0.03" },
      quiet: { type: "boolean", default: false },
      "attack-weight": { type: "string", default: "0.6" },
      from: { type: "string" },
      prior: { type: "string", default: "0.01" },
      scratch: { type: "boolean", default: false },
      "drop-at": { type: "string" },
    },
  });
  const t0 = Date.now();
  if (!values.from && !values.scratch && !readdirSync(values.data!).some((n) => /^(attacks|benign)-public[\w.-]*\.jsonl$/.test(n))) {
    throw new TrainUsageError(
      `${values.data} holds none of the public training files (they are not redistributed: evals/data/safety-train/README.md). ` +
        "Pass --from shipped to adjust the shipped model with what is there (and --extra), or --scratch to train on it alone.",
    );
  }
  const start = values.from ? await loadWarmStart(values.from) : null;
  const docs = load(values.data!, values.extra ?? []);
  const heldBack = (d: Doc) => fnv1a(d.text) % 5 === 0;
  const trainSet = docs.filter((d) => !heldBack(d));
  const valSet = docs.filter(heldBack);
  if (!values.quiet) console.error(`train ${trainSet.length} texts (${trainSet.filter((d) => d.malicious).length} attacks), held back ${valSet.length}`);
  const { w, bias } = train(
    trainSet,
    Number(values.epochs),
    Number(values.seed),
    values.quiet!,
    Number(values["attack-weight"]),
    start && { w0: start.w, bias: start.bias, prior: Number(values.prior) },
  );
  const { q, scale } = quantize(w);
  // held-back scores with the quantized model, exactly as the Worker computes them
  const scored = valSet.map((d) => ({ d, p: scoreWith(q, scale, bias, d.text).p }));
  const benign = scored.filter((s) => !s.d.malicious).map((s) => s.p);
  // never below these: a probability under 0.2 is not "unsure"; the model drops alone only at 0.95 or more
  // (its public benign texts are not the product's traffic: developers discussing their own prompts read as attacks)
  // a model adjusted from another never gets a lower bar than that model's: its thresholds were
  // chosen on benign texts (the public ones) this run may not have
  // `--drop-at` raises the floor: a bar calibrated on benign text the trainer does not see
  const dropAt = Math.max(0.95, Number(values["drop-at"] ?? 0), start?.dropAt ?? 0, thresholdFor(benign, Number(values["max-fpr"])));
  const uncertainAt = Math.min(dropAt, Math.max(0.2, start?.uncertainAt ?? 0, thresholdFor(benign, Number(values["max-judge"]))));
  const attacks = scored.filter((s) => s.d.malicious);
  const rate = (xs: { p: number }[], at: number) => (xs.length ? xs.filter((x) => x.p >= at).length / xs.length : 0);
  const families = [...new Set(attacks.map((a) => a.d.family))].sort();
  const report: Record<string, unknown> = {
    ...(start ? { from: start.version, prior: Number(values.prior) } : {}),
    train: trainSet.length,
    held_back: valSet.length,
    drop_at: Number(dropAt.toFixed(4)),
    uncertain_at: Number(uncertainAt.toFixed(4)),
    held_back_recall_at_drop: Number(rate(attacks, dropAt).toFixed(4)),
    held_back_recall_at_uncertain: Number(rate(attacks, uncertainAt).toFixed(4)),
    held_back_fpr_at_drop: Number(rate(benign.map((p) => ({ p })), dropAt).toFixed(4)),
    held_back_judged_share_benign: Number(rate(benign.map((p) => ({ p })), uncertainAt).toFixed(4)),
    recall_at_drop_by_family: Object.fromEntries(families.map((f) => [f, Number(rate(attacks.filter((a) => a.d.family === f), dropAt).toFixed(3))])),
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  // the project's own labels held back: how the shipped model and the new one agree with the judge
  const ownHeldBack = valSet.filter((d) => d.extra);
  if (ownHeldBack.length) {
    const before = decodeModel(SAFETY_MODEL);
    const agree = (p: (d: Doc) => number, at: number) => ownHeldBack.filter((d) => p(d) >= at === d.malicious).length / ownHeldBack.length;
    Object.assign(report, {
      own_held_back: ownHeldBack.length,
      own_agreement_before: Number(agree((d) => scoreWith(before.weights, before.scale, before.bias, d.text).p, before.dropAt).toFixed(4)),
      own_agreement_after: Number(agree((d) => scoreWith(q, scale, bias, d.text).p, dropAt).toFixed(4)),
    });
  }
  const file: SafetyModelFile = {
    version: `ngram${FEATURE_BITS}-${fnv1a(base64(q)).toString(16)}`,
    featureBits: FEATURE_BITS,
    bias: Number(bias.toFixed(6)),
    scale,
    dropAt: Number(dropAt.toFixed(4)),
    uncertainAt: Number(uncertainAt.toFixed(4)),
    weights: base64(q),
  };
  writeFileSync(
    values.out!,
    `/** Generated by \`npm run train -- safety\` (evals/train/safety-model.ts); do not edit. Held back: ${JSON.stringify({ recall_at_drop: report.held_back_recall_at_drop, fpr_at_drop: report.held_back_fpr_at_drop })} */\n` +
      `import type { SafetyModelFile } from "./learned";\n\nexport const SAFETY_MODEL: SafetyModelFile = ${JSON.stringify(file)};\n`,
  );
  if (!values.quiet) console.log(JSON.stringify(report));
  return report;
}
