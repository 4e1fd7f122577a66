/**
 * What an eval suite is to the CLI (evals/cli.ts): its name, the extra
 * options it takes, and a run that returns the human-readable lines and the
 * JSON result (printed as the last stdout line with --json).
 */
import type { ProviderName } from "./providers";

export interface SuiteArgs {
  data: string;
  provider: ProviderName;
  /** the suite's own options, as parsed */
  values: Record<string, string | boolean | undefined>;
}

export interface SuiteOutput {
  lines: string[];
  result: Record<string, unknown>;
}

export interface Suite {
  name: string;
  /** extra options, in node:util parseArgs form */
  options: Record<string, { type: "string" | "boolean" }>;
  usage: string;
  run(args: SuiteArgs): Promise<SuiteOutput>;
}

/** bad arguments: the CLI prints the message and exits 2 */
export class UsageError extends Error {}
