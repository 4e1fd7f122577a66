/**
 * The fix stage's faces and settings, chosen in this one place:
 *
 *   FIXER              anthropic | none (default: anthropic when ANTHROPIC_API_KEY is set, else
 *                      none — the fix run stops with "needs an LLM key" and the report waits in
 *                      the inbox). FIX_MODEL, FIX_MAX_TOOL_CALLS, FIX_MAX_TOKENS, FIX_MAX_SECONDS:
 *                      see agent-fixer.ts.
 *   FIX_MAX_ATTEMPTS   attempts of a fix run that errors (a sandbox or the forge down) before it
 *                      is given up (default 3); a fixer that stops is not retried
 *   FIX_RETRY_BASE_MS  backoff before the 2nd attempt; doubles each time (default 30000)
 *   FIX_TEST_TIMEOUT_S one test run's deadline in the sandbox (default 600)
 *   FIX_MAX_CI_ROUNDS  rounds answering CI failures on an open pull request (default 3)
 *   FIX_MAX_ROUNDS     rounds of the fixer per pull request in all, first fix included (default 6)
 *   FIX_POLL_S         how often a watched pull request is looked at without a webhook (default 900)
 *   FIX_SOAK_DAYS      after a merge, how long the report's signals coming back mean a regression
 *                      (default 7); then the fix is verified
 *   FIX_TRUSTED_BOTS   review bots whose comments count as a trusted reviewer's, comma-separated
 *                      logins (e.g. "coderabbitai[bot],greptile-apps[bot]"); other authors who are
 *                      not the repository's owner, members or collaborators are shown, never obeyed
 *   NIGHTSHIFT_URL     where people open reports; pull requests link `${NIGHTSHIFT_URL}/reports/<id>`
 *                      (default http://127.0.0.1:8787)
 */
import { positiveIntVar } from "../agent/env-int";
import { agentFixerFromEnv, type AgentFixEnv } from "./agent-fixer";
import type { Fixer } from "./fixer";

export interface FixEnv extends AgentFixEnv {
  FIXER?: string;
  FIX_MAX_ATTEMPTS?: string;
  FIX_RETRY_BASE_MS?: string;
  FIX_TEST_TIMEOUT_S?: string;
  FIX_MAX_CI_ROUNDS?: string;
  FIX_MAX_ROUNDS?: string;
  FIX_POLL_S?: string;
  FIX_TRUSTED_BOTS?: string;
  FIX_SOAK_DAYS?: string;
  NIGHTSHIFT_URL?: string;
}

export class FixEnvError extends Error {}

export const DEFAULT_NIGHTSHIFT_URL = "http://127.0.0.1:8787";

/** The fixer, or null when none is configured (offline: no LLM key). */
export function fixerFromEnv(env: FixEnv, opts: { fetch?: typeof fetch } = {}): Fixer | null {
  const face = env.FIXER?.trim() || (env.ANTHROPIC_API_KEY?.trim() ? "anthropic" : "none");
  if (face === "none") return null;
  if (face !== "anthropic") throw new FixEnvError(`FIXER must be anthropic or none, not '${face}'`);
  return agentFixerFromEnv(env, opts);
}

export interface FixSettings {
  maxAttempts: number;
  baseMs: number;
  testTimeoutMs: number;
  linkBase: string;
  maxCiRounds: number;
  maxRounds: number;
  pollMs: number;
  soakMs: number;
  /** lower-case logins */
  trustedBots: string[];
}

export function fixSettings(env: FixEnv): FixSettings {
  const fail = (m: string) => new FixEnvError(m);
  const link = env.NIGHTSHIFT_URL?.trim() || DEFAULT_NIGHTSHIFT_URL;
  if (!/^https?:\/\/[^\s]+$/.test(link)) throw new FixEnvError(`NIGHTSHIFT_URL must be an http(s) URL, not '${link}'`);
  return {
    maxAttempts: positiveIntVar(env.FIX_MAX_ATTEMPTS, 3, "FIX_MAX_ATTEMPTS", fail),
    baseMs: positiveIntVar(env.FIX_RETRY_BASE_MS, 30_000, "FIX_RETRY_BASE_MS", fail),
    testTimeoutMs: positiveIntVar(env.FIX_TEST_TIMEOUT_S, 600, "FIX_TEST_TIMEOUT_S", fail) * 1000,
    linkBase: link.replace(/\/+$/, ""),
    maxCiRounds: positiveIntVar(env.FIX_MAX_CI_ROUNDS, 3, "FIX_MAX_CI_ROUNDS", fail),
    maxRounds: positiveIntVar(env.FIX_MAX_ROUNDS, 6, "FIX_MAX_ROUNDS", fail),
    pollMs: positiveIntVar(env.FIX_POLL_S, 900, "FIX_POLL_S", fail) * 1000,
    soakMs: positiveIntVar(env.FIX_SOAK_DAYS, 7, "FIX_SOAK_DAYS", fail) * 86_400_000,
    trustedBots: (env.FIX_TRUSTED_BOTS ?? "")
      .split(",")
      .map((l) => l.trim().toLowerCase())
      .filter((l) => /^[a-z0-9][a-z0-9-]{0,38}(\[bot\])?$/.test(l)),
  };
}
