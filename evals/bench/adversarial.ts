/**
 * Adversarial inputs for every text path a signal takes (ingest source
 * helpers, the safety heuristic, triage, normalize, grouping, the evidence
 * researcher), and a benchmark that runs each input through each stage.
 *
 *   npm run bench -- adversarial [--json] [--size BYTES] [--runs N] [--clock cpu|wall] [--stage NAME]…
 *
 * The inputs are the shapes that make a backtracking regex engine (V8's)
 * go quadratic or worse: long runs of one character class, base64 runs,
 * one-line minified code, deep nesting, lines without spaces, repeated
 * near-misses of each safety rule's trigger words, stack-trace-like and
 * log-like lines. Every stage must stay linear in the input: on this
 * machine 64 KiB should take at most ~10 ms per stage.
 *
 * The benchmark takes the best of N runs per input, in CPU time by default
 * (so a busy machine counts less), and prints, per stage, the slowest input
 * and its milliseconds;
 * with --json the last stdout line is one JSON object
 * `{"stages": {"<stage>": {"worst_ms": x, "input": "<name>"}}, "worst_ms": max}`.
 * test/unit/adversarial-inputs.test.ts runs the same inputs and stages.
 */
import { parseArgs } from "node:util";
import { summarizeEvidence } from "../../workers/research/evidence";
import { judgeByRules } from "../../workers/actionability/actionability";
import { HeuristicSafetyClassifier, RULES } from "../../workers/safety/heuristic";
import { OfflineSafetyClassifier, shippedScorer } from "../../workers/safety/offline";
import { OfflineReportJudge } from "../../workers/safety/report-judge";
import { parseAnswer } from "../../workers/safety/llm-judge";
import { HeuristicTriageClassifier } from "../../workers/triage/heuristic";
import { LearnedTriageClassifier } from "../../workers/triage/learned-triage";
import { normalize } from "../../workers/normalize/normalized";
import { parseError } from "../../workers/normalize/stack";
import { logLineTokens, stackFingerprint } from "../../workers/grouping/fingerprint";
import { bucketOf, mine } from "../../workers/grouping/log-miner";
import { writeQueries } from "../../workers/grouping/offline-query-writer";
import { HashedNgramEmbedder } from "../../workers/grouping/hashed-embedder";
import { eventToSignal } from "../../workers/ingest/sources/sentry/event";
import { parseSentryAuth } from "../../workers/ingest/sources/sentry/key";
import * as sentryText from "../../workers/ingest/sources/sentry/text";
import * as posthogText from "../../workers/ingest/sources/posthog/text";
import { exceptionText } from "../../workers/ingest/sources/posthog/stack";
import { contextText } from "../../workers/ingest/sources/posthog/context";
import * as logsText from "../../workers/ingest/sources/logs/text";
import { levelFromName, levelFromText } from "../../workers/ingest/sources/logs/levels";
import { parseTextLines } from "../../workers/ingest/sources/logs/text-lines";
import { parseJsonLines } from "../../workers/ingest/sources/logs/json-lines";
import { recordContent } from "../../workers/ingest/sources/logs/otlp";
import { MAX_BATCH } from "../../workers/ingest/schema";
import { mrkdwnToText } from "../../workers/ingest/sources/slack/mrkdwn";
import { bearerToken } from "../../workers/ingest/auth";

export const DEFAULT_SIZE = 64 * 1024;

export interface AdversarialInput {
  name: string;
  text: string;
}

/** `unit` repeated to exactly `size` characters (the last copy cut) */
const fill = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
/** `unit` repeated, then `tail`, `size` characters in all */
const fillThen = (unit: string, tail: string, size: number) => fill(unit, size - tail.length) + tail;
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
/** base64 whose decoding is `unit` repeated, `size` characters long */
const b64Of = (unit: string, size: number) => b64(fill(unit, Math.ceil((size * 3) / 4))).slice(0, size);

const MINIFIED_JS =
  'function a(b,c){var d=b.map(function(e){return e.x+c.y});if(!d.length)throw new TypeError("empty: "+b);return d.reduce(function(f,g){return f+g},0)}' +
  'var h={url:"https://cdn.example.com/app/v2/main.3f9a.js",retry:3,onError:function(i){console.error("at handler (app.js:12:7)",i)}};' +
  "window.__APP__=window.__APP__||[];window.__APP__.push([1,2,3].concat(h.retry?[4]:[]));";

const PROSE =
  "The export button on the billing page does nothing when I click it, and the spinner keeps going forever. Tried Chrome and Safari. ";

/** every input, each `size` characters (UTF-16 units) long */
export function adversarialInputs(size = DEFAULT_SIZE): AdversarialInput[] {
  const inputs: AdversarialInput[] = [];
  const add = (name: string, text: string) => inputs.push({ name, text });

  // long runs of one character (class)
  const runs: Record<string, string> = {
    capitals: "A",
    lowercase: "a",
    digits: "7",
    x: "x",
    spaces: " ",
    tabs: "\t",
    newlines: "\n",
    crlf: "\r\n",
    colons: ":",
    slashes: "/",
    backslashes: "\\",
    dots: ".",
    ats: "@",
    "open-parens": "(",
    "close-parens": ")",
    "open-brackets": "[",
    "close-brackets": "]",
    "open-braces": "{",
    "angle-brackets": "<",
    dashes: "-",
    equals: "=",
    stars: "*",
    hashes: "#",
    pipes: "|",
    "double-quotes": '"',
    "single-quotes": "'",
    backticks: "`",
    commas: ",",
    underscores: "_",
    percents: "%",
    hex: "deadbeef",
    "non-ascii-letters": "é",
    cjk: "漢",
    emoji: "😀",
    "zero-width": "\u200b",
    nbsp: "\u00a0",
    "ideographic-spaces": "\u3000",
    fullwidth: "Ａ",
  };
  for (const [name, unit] of Object.entries(runs)) add(`run:${name}`, fill(unit, size));

  // mixed runs: camelCase, dotted identifiers, words, whitespace mixes
  const mixed: Record<string, string> = {
    "camel-case": "aB",
    "pascal-case": "Ab",
    "capitals-digits": "AB1",
    "dotted-capitals": "A.",
    "dotted-words": "ab.",
    "slashed-words": "ab/",
    words: "ab ",
    "letter-space": "a ",
    "whitespace-mix": " \t\n\r",
    "newline-space": "\n ",
    "newline-cr": "\n\r",
    "space-newline": " \n",
    "colon-space": ": ",
    "quoted-runs": '"a',
    "ip-like": "1.2.3.",
    "uuid-like": "aaaaaaaa-aaaa-aaaa-aaaa-",
    "time-like": "12:",
    "email-like": "a@b.",
    "url-like": "http://a/",
    "html-comments": "<!--",
    "slack-controls": "<@U1|",
    "html-entities": "&lt;&amp;",
  };
  for (const [name, unit] of Object.entries(mixed)) add(`mixed:${name}`, fill(unit, size));
  add("mixed:capitals-then-lowercase", fillThen("A", "a", size));
  add("mixed:digits-then-letter", fillThen("0", "H", size));
  add("mixed:spaces-then-newline", fillThen(" ", "\n", size));
  add("mixed:tabs-then-nul-newline", fillThen("\t", "\u0000\n", size));
  add("mixed:equals-then-nul", fillThen("=", "\u0000=", size));

  // base64 runs
  add("base64:letters", b64Of("abcdefghijklmnopqrstuvwxyz", size));
  add("base64:capitals", b64Of("A", size));
  add("base64:prose", b64Of(PROSE, size));
  add("base64:spaces", b64Of(" ", size));
  add("base64:many-runs", fill(`${b64(PROSE.slice(0, 48))} `, size));
  add("base64:random", Buffer.from(Array.from({ length: size }, (_, i) => (i * 2654435761) >>> 24)).toString("base64").slice(0, size));

  // code and structure
  add("code:minified-js", fill(MINIFIED_JS, size));
  add("nesting:brackets", "[".repeat(size / 2) + "]".repeat(size / 2));
  add("nesting:parens", "(".repeat(size / 2) + ")".repeat(size / 2));
  add("nesting:json-objects", (() => {
    const depth = Math.floor((size - 1) / 6);
    return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`.padEnd(size, " ");
  })());
  add("nesting:json-arrays", "[".repeat(size / 2 - 1) + "1" + "]".repeat(size / 2 - 1) + " ");
  add("json:long-message", `{"level":"error","msg":"${fill("a", size - 40)}"}`.padEnd(size, " "));
  add("json:long-route", `{"route":"/${fill("ab/", size - 40)}","msg":"x"}`.padEnd(size, " "));
  add("line:no-spaces", fill("a1_b2.c3/d4-e5:f6", size));

  // stack-trace-like lines
  add("stack:at-open-paren", fill("at a (", size));
  add("stack:at-lines-unclosed", fill("    at a (b\n", size));
  add("stack:at-lines-colons", fill("    at f (a:1:", size));
  add("stack:at-many-parens", `at s${fill(" (s", size - 5)}n`);
  add("stack:v8-frames", fill("    at handler (src/app/checkout.ts:12:7)\n", size));
  add("stack:python-frames", fill('File ",", line 0, in ,', size));
  add("stack:python-lines", fill('  File "app/main.py", line 12, in handler\n', size));
  add("stack:error-heads", fill("TypeError: ", size));
  add("stack:error-lines", fill("Error: x\n", size));
  add("stack:error-words", fill("Error.", size));
  add("stack:error-then-spaces", fillThen("\t", "\nTPanic:\n", size - 7) + "PPanic:".slice(0, 7));
  // the other frame formats (stack-formats.ts), in lines just under the 1,000 chars a frame may have
  const nearLimit = (unit: string, tail: string) => fill(`${fill(unit, 990)}${tail}\n`, size);
  add("stack:java-dots", nearLimit("a.", "(A.java:1"));
  add("stack:java-lines", fill("\tat com.acme.Cart.total(Cart.java:42)\n", size));
  add("stack:firefox-colons", nearLimit(":1", "@x"));
  add("stack:firefox-at", nearLimit("a@b:1", ":x"));
  add("stack:ruby-rb", nearLimit(".rb:1", ":in `x"));
  add("stack:go-funcs", fill("github.com/acme/app/cart.Total(0xc0001)\n\t/src/cart/total.go:42 +0x1d\n", size));
  add("stack:go-dots", nearLimit("a.b/", "(x"));
  add("stack:go-parens", nearLimit("a.(*B).c(", ""));
  add("stack:java-types", fill("org.acme.pkg.", size - 9) + "Exception");
  add("stack:ruby-types", fill("A::", size - 1) + "B");

  // log-like lines
  add("log:iso-lines", fill("2024-05-01T12:00:00.000Z ERROR checkout request failed id=123 took 15ms\n", size));
  add("log:logfmt", fill('level=error msg="payment failed" ', size));
  add("log:bracketed-levels", fill("[ERROR] ", size));
  add("log:glog-lines", fill("E0501 12:00:00.000000 1 server.go:1] boom\n", size));
  add("log:ndjson", fill('{"level":"error","msg":"boom","time":"2024-05-01T12:00:00Z"}\n', size));
  add("log:timestamp-then-colons", `2024-01-01T${fill("1:", size - 11)}`);
  add("log:levels-no-newline", fill("ERROR WARN ", size));

  // near-misses of each safety rule: its trigger words over and over, never completing the shape
  for (const rule of RULES) {
    for (const [sep, label] of [[" ", "space"], ["-", "dash"], ["\t", "tab"]] as const) {
      add(`safety:${rule.name}:${label}`, fill(rule.triggers.join(sep) + sep, size));
    }
  }
  // and the shapes a ReDoS checker (recheck) finds for the patterns, pumped to size: [head, pumped unit, tail]
  const pumped: Record<string, [string, string, string]> = {
    "leak-dash": ["", "LEAK-", "\n"],
    "exec-wget": ["\u0000", "EXEC-WGET\t", "\n"],
    "wget-tab": ["", "WGET\t", "\n"],
    "pin-module": ["", "PIN+MODULE\u0000", "\n github:"], // with the rule's trigger, so its regex runs
    "all-users": ["", "ALL\tUSER'", "\u0000"],
    "secret-url": ["", "7B%7BENV.HTTP://", "7B%7BENV."],
    "told-skip": ["TOLD\tTO SKIP\tYGE,", "\t", "IP\tVYWOV\t"],
    "skip-tabs": ["SKIP", "\t", "IP\tVYWOV\t"],
    "comment-directive": ["M", "<!--M", "a"],
    "comment-agent": ["E", "<!--W", ">"],
    "delimiter-brackets": ["S", "[[AGENTP", ""],
    "boundary-dashes": ["", "-", "*"],
    "contrast-feature": ["", "E\u0000BUT ", "\n"],
    "dependabot": ["", "DEPENDABOT ALERT ", "\n"],
    "bump": ["", "C\rBUMP\r", "\n"],
    "test-words": ["", "test ", "?"],
    "asdf": ["", "asdf", "!"],
    "lorem": ["", "lorem ipsum, ", "?"],
    "system-lines": ["", "\n", " system"],
    "judge-fence": ["```\t", "\t", "n"],
    "sentry-auth": ["SENTRY\t", "\t", "E\n"],
    "base64-d": ["", "base64 -d ", "\n"], // read to the line's end from every "base64 -d": 0.5 s at 64 KiB before the fix
    // code-fences.ts: many short blocks, one fence line of the whole size, an unclosed block of chat markup
    "code-fences": ["", "```\n<|im_start|>\n", "system: x"],
    "fence-line": ["```", "`", "\n<|im_start|>\n```"],
    "fence-unclosed": ["```\n", "system: x\n", ""],
    "env-fetch": ["", "fetch ", "process.env"], // env_exfiltration: every "fetch" reads up to 200 chars for the environment
    "env-first": ["process.env ", "x", " fetch"],
    "side-task": ["", "also run ", "\n"], // fixer_side_task: every "also run" reads up to 100 chars for an operation
    "offtopic-with": ["", "reply to every message ", "x"], // offtopic_task: the words before "with"
    "offtopic-poem": ["", "write a ", "poem"],
  };
  for (const [name, [head, unit, tail]] of Object.entries(pumped)) add(`pumped:${name}`, head + fill(unit, size - head.length - tail.length) + tail);

  // near-misses of triage's phrases
  add(
    "triage:phrases",
    fill(
      "actually but it works on never crashed doesn't not really fixed the bug thanks but the button I am on leave we received your request bump from " +
        "Dependabot alert closing as dupe seo crypto refund delete my account idiot terrible test asdf +1 same here never mind ",
      size,
    ),
  );
  add("prose:repeated", fill(PROSE, size));

  for (const i of inputs) if (i.text.length !== size) throw new Error(`adversarial input ${i.name}: ${i.text.length} chars, not ${size}`);
  return inputs;
}

export interface Stage {
  name: string;
  run: (text: string) => unknown;
}

const safety = new HeuristicSafetyClassifier();
const learned = shippedScorer();
const triage = new HeuristicTriageClassifier();
const triageLearned = new LearnedTriageClassifier();
const embedder = new HashedNgramEmbedder();
const reportJudge = new OfflineReportJudge(new OfflineSafetyClassifier());
/** the input as a report of the same size: its title, then four signals cut from it (boundaries for the split scan) */
function asReport(content: string) {
  const q = Math.ceil(content.length / 4);
  const pieces = [0, 1, 2, 3].map((i) => content.slice(i * q, (i + 1) * q));
  const signals = pieces.map((text, i) => ({ id: `s${i}`, source_product: "logs", source_type: i % 2 ? "log" : "ticket", content: text }));
  return { report_id: "r", title: content.slice(0, 100), signals };
}

/** Every classifier and normalizer a signal's text goes through, as one call per stage. */
export const STAGES: Stage[] = [
  { name: "safety_heuristic", run: (content) => safety.classifySync({ source_product: "support", source_type: "ticket", content }) },
  { name: "safety_learned", run: (content) => learned.score(content) },
  { name: "triage_heuristic", run: (content) => triage.classifySync({ source_product: "support", source_type: "ticket", content, metadata: { author: content } }) },
  { name: "triage_learned", run: (content) => triageLearned.classifySync({ source_product: "support", source_type: "ticket", content, metadata: { author: content } }) },
  {
    name: "normalize",
    run: (content) => [
      normalize({ v: 1, kind: "signal", project: "p", received_at: 0, signal: { id: "s", source_product: " Logs ", source_type: "log", content } }),
      parseError(content),
    ],
  },
  // a log signal takes both paths: the stack fingerprint, then (when there is none) the log template
  {
    name: "fingerprint",
    run: (content) => {
      const signal = { id: "s", project: "p", source_product: "logs", source_type: "log", content, weight: 1 };
      const tokens = logLineTokens(signal);
      // what MinedFingerprinter does per line, without its store: mined against an empty bucket
      return [stackFingerprint(content), tokens && [bucketOf(tokens), mine([], tokens)]];
    },
  },
  { name: "query_writer", run: (content) => [writeQueries(content), writeQueries(content, { source_product: "logs", source_type: "log" })] },
  { name: "embedder", run: (content) => embedder.embedOne(content) },
  {
    name: "evidence",
    run: (content) => {
      const evidence = summarizeEvidence({ reportId: "r", project: "p", weight: 1, signals: [{ id: "s", source_product: "errors", source_type: "exception", content, received_at: 0, weight: 1 }] });
      return [evidence, judgeByRules(evidence)];
    },
  },
  // the source helpers: each once on the input (an event gets the input in one field)
  {
    name: "sentry_text",
    run: (content) => [
      sentryText.oneLine(content),
      sentryText.truncateUtf8(content, 32 * 1024),
      parseSentryAuth(`Sentry ${content}`),
      bearerToken(`Bearer ${content}`),
      eventToSignal({ exception: { values: [{ type: "TypeError", value: content, stacktrace: { frames: [{ function: "f", filename: "app.js", lineno: 1, in_app: true }] } }] } }),
    ],
  },
  {
    name: "posthog_text",
    run: (content) => [
      posthogText.clip(content, 300),
      posthogText.showValue({ a: content }),
      posthogText.truncateUtf8(content, 32 * 1024),
      exceptionText({ $exception_list: [{ type: "TypeError", value: content, stacktrace: { frames: [{ function: "f", filename: "app.js", lineno: 1, in_app: true }] } }] }),
      contextText({ url: content }),
    ],
  },
  {
    name: "logs_text",
    run: (content) => [logsText.clip(content, 300), logsText.clipBlock(content, 300), logsText.truncateUtf8(content, 32 * 1024)],
  },
  { name: "log_levels", run: (content) => [levelFromText(content), levelFromName(content), levelFromText(`level=${content}`)] },
  {
    name: "log_lines",
    run: (content) => [
      // as the /v1/logs route calls them: a body past 500 entries is answered 413 without reading on
      parseTextLines(content, MAX_BATCH),
      parseJsonLines(content, MAX_BATCH),
      recordContent("ERROR", "svc", content, { "exception.type": content, "exception.message": content, "exception.stacktrace": content, route: content }),
    ],
  },
  { name: "slack_mrkdwn", run: (content) => mrkdwnToText(content) },
  { name: "report_judge", run: (content) => reportJudge.decide(reportJudge.read(asReport(content))) },
  { name: "judge_answer", run: (content) => [parseAnswer({ content: [{ type: "text", text: content, citations: null }] } as never), parseAnswer({ content: [{ type: "text", text: `\`\`\`json ${content}`, citations: null }] } as never)] },
];

/** CPU milliseconds (user + system) of one call */
export function cpuMs(fn: () => unknown): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** wall-clock milliseconds of one call */
export function wallMs(fn: () => unknown): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

export interface StageResult {
  worst_ms: number;
  input: string;
}

export interface AdversarialBenchResult {
  size: number;
  runs: number;
  stages: Record<string, StageResult>;
  worst_ms: number;
}

export type Clock = "cpu" | "wall";

/**
 * The best of `runs` times per input and stage; per stage the slowest input.
 * `clock`: "cpu" (default) counts the process's CPU time, which a busy machine
 * inflates less than wall-clock time (waiting for a core does not count).
 */
export function benchAdversarial(
  opts: { size?: number; runs?: number; stages?: string[]; clock?: Clock; log?: (line: string) => void } = {},
): AdversarialBenchResult {
  const size = opts.size ?? DEFAULT_SIZE;
  const runs = opts.runs ?? 5;
  const measure = opts.clock === "wall" ? wallMs : cpuMs;
  const inputs = adversarialInputs(size);
  const stages = STAGES.filter((s) => !opts.stages?.length || opts.stages.includes(s.name));
  const result: AdversarialBenchResult = { size, runs, stages: {}, worst_ms: 0 };
  const warmUp = adversarialInputs(4 * 1024);
  for (const stage of stages) {
    // warm-up: every input once at 4 KiB, so that no input pays for compiling the code it reaches
    for (const input of warmUp) stage.run(input.text);
    let worst: StageResult = { worst_ms: 0, input: "" };
    for (const input of inputs) {
      let best = Infinity;
      for (let r = 0; r < runs; r++) best = Math.min(best, measure(() => stage.run(input.text)));
      if (best > worst.worst_ms) worst = { worst_ms: best, input: input.name };
    }
    result.stages[stage.name] = { worst_ms: Math.round(worst.worst_ms * 100) / 100, input: worst.input };
    result.worst_ms = Math.max(result.worst_ms, result.stages[stage.name].worst_ms);
    opts.log?.(`${stage.name.padEnd(18)} ${result.stages[stage.name].worst_ms.toFixed(2).padStart(9)} ms  (${worst.input})`);
  }
  return result;
}

export const TARGET_MS = 10;

/** `npm run bench -- adversarial [--json] [--size BYTES] [--runs N] [--clock cpu|wall] [--stage NAME]…` */
export function adversarialCli(args: string[]): void {
  const usage = "usage: npm run bench -- adversarial [--json] [--size BYTES] [--runs N] [--clock cpu|wall] [--stage NAME]…";
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        json: { type: "boolean", default: false },
        size: { type: "string", default: String(DEFAULT_SIZE) },
        runs: { type: "string", default: "5" },
        clock: { type: "string", default: "cpu" },
        stage: { type: "string", multiple: true },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
  const size = Number(values.size);
  const runs = Number(values.runs);
  const unknown = (values.stage ?? []).filter((n) => !STAGES.some((s) => s.name === n));
  const clock = values.clock as Clock;
  if (!Number.isInteger(size) || size < 64 || !Number.isInteger(runs) || runs < 1 || (clock !== "cpu" && clock !== "wall") || unknown.length) {
    console.error(`${unknown.length ? `unknown stage ${unknown.join(", ")} (stages: ${STAGES.map((s) => s.name).join(", ")})\n` : ""}${usage}`);
    process.exit(2);
  }
  const count = adversarialInputs(size).length;
  console.log(`adversarial bench: ${count} inputs of ${size} chars through each stage, best of ${runs} runs per input (${clock === "cpu" ? "CPU time" : "wall clock"}); per stage the slowest input`);
  const r = benchAdversarial({ size, runs, clock, stages: values.stage, log: (line) => console.log(line) });
  const [worstStage] = Object.entries(r.stages).sort((a, b) => b[1].worst_ms - a[1].worst_ms);
  console.log(`worst              ${r.worst_ms.toFixed(2).padStart(9)} ms  (${worstStage?.[0]}: ${worstStage?.[1].input})  target ≤ ${TARGET_MS} ms per stage for 64 KiB`);
  if (values.json) console.log(JSON.stringify({ stages: r.stages, worst_ms: r.worst_ms }));
}
