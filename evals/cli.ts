/**
 * nightshift eval CLI.
 *
 *   npm run eval -- <suite> --data <file.jsonl> [--provider offline|anthropic|workers-ai] [--json]
 *
 * Suites (one module each): grouping (suites/grouping-command.ts), safety
 * (suites/safety.ts), triage (suites/triage.ts), actionability
 * (suites/actionability.ts); each names its own extra
 * options. Prints a table; with --json the last stdout line is one JSON
 * object. Exit codes: 0 ok, 2 bad arguments, malformed data or a provider
 * that is not available (e.g. no ANTHROPIC_API_KEY), 1 anything else.
 */
import { parseArgs } from "node:util";
import { EvalDataError } from "./jsonl";
import { PROVIDERS, ProviderUnavailable, type ProviderName } from "./providers";
import { UsageError, type Suite } from "./suite";
import { actionabilitySuite } from "./suites/actionability";
import { groupingSuite } from "./suites/grouping-command";
import { safetySuite } from "./suites/safety";
import { triageSuite } from "./suites/triage";

const SUITES: Suite[] = [groupingSuite, safetySuite, triageSuite, actionabilitySuite];
const COMMON = {
  data: { type: "string" },
  provider: { type: "string", default: "offline" },
  json: { type: "boolean", default: false },
} as const;

function usage(msg: string): never {
  console.error(`eval: ${msg}`);
  console.error("usage: npm run eval -- <suite> --data <file.jsonl> [--provider offline|anthropic|workers-ai] [--json]");
  for (const s of SUITES) console.error(`  ${s.usage}`);
  process.exit(2);
}

async function main(): Promise<void> {
  // every suite's options are known to the parser; a suite rejects the ones it does not take
  const suiteOptions = Object.assign({}, ...SUITES.map((s) => s.options)) as Record<string, { type: "string" | "boolean" }>;
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { ...COMMON, ...suiteOptions } });
  } catch (e) {
    usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  const name = positionals[0];
  if (!name) usage("missing suite");
  if (positionals.length > 1) usage(`unexpected argument '${positionals[1]}'`);
  const suite = SUITES.find((s) => s.name === name);
  if (!suite) usage(`unknown suite '${name}' (suites: ${SUITES.map((s) => s.name).join(", ")})`);
  if (!values.data) usage("missing --data <file.jsonl>");
  const provider = values.provider as ProviderName;
  if (!PROVIDERS.includes(provider)) usage(`unknown provider '${values.provider}'`);
  const own: Record<string, string | boolean | undefined> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key in COMMON) continue;
    if (!(key in suite.options)) usage(`--${key} is not an option of the ${suite.name} suite`);
    own[key] = value as string | boolean;
  }

  const { lines, result } = await suite.run({ data: values.data as string, provider, values: own });
  for (const line of lines) console.log(line);
  if (values.json) console.log(JSON.stringify(result));
}

main().catch((e) => {
  if (e instanceof EvalDataError || e instanceof ProviderUnavailable || e instanceof UsageError) {
    console.error(`eval: ${e.message}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
