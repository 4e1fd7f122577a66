/**
 * Provider selection for the eval CLI (`--provider`). `offline` needs no
 * network and no key; the others are the production faces and need their
 * credentials in the environment. A provider a suite cannot use, or one
 * without its credentials, is `ProviderUnavailable` (the CLI exits 2).
 */
import { HashedNgramEmbedder } from "../workers/grouping/hashed-embedder";
import { OfflineQueryWriter } from "../workers/grouping/offline-query-writer";
import type { Embedder, QueryWriter } from "../workers/grouping/types";
import { safetyClassifierFromEnv, SafetyConfigError, type SafetyEnv } from "../workers/safety/from-env";
import { HeuristicSafetyClassifier } from "../workers/safety/heuristic";
import type { SafetyClassifier } from "../workers/safety/classifier";
import { HeuristicTriageClassifier } from "../workers/triage/heuristic";
import type { TriageClassifier } from "../workers/triage/triage";

export type ProviderName = "offline" | "anthropic" | "workers-ai";
export const PROVIDERS: readonly ProviderName[] = ["offline", "anthropic", "workers-ai"];

export interface Providers {
  name: ProviderName;
  queryWriter: QueryWriter;
  embedder: Embedder;
}

export class ProviderUnavailable extends Error {}

/** grouping: query writer and embedder */
export function makeProviders(name: ProviderName): Providers {
  if (name === "offline") {
    return { name, queryWriter: new OfflineQueryWriter(), embedder: new HashedNgramEmbedder() };
  }
  throw new ProviderUnavailable(`provider '${name}' is not wired into the grouping suite yet; use --provider offline`);
}

/**
 * safety: `offline` is the heuristic; `anthropic` is the tiered classifier
 * (heuristic, then the LLM judge) configured from the environment exactly as
 * the Worker is (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, SAFETY_JUDGE_MODEL,
 * SAFETY_JUDGE_POLICY, SAFETY_JUDGE_ON_FAILURE, SAFETY_JUDGE_TIMEOUT_MS).
 */
export function makeSafetyClassifier(name: ProviderName, env: SafetyEnv = process.env): SafetyClassifier {
  if (name === "offline") return new HeuristicSafetyClassifier();
  if (name === "anthropic") {
    if (!env.ANTHROPIC_API_KEY?.trim()) {
      throw new ProviderUnavailable("provider 'anthropic' needs ANTHROPIC_API_KEY in the environment (and optionally SAFETY_JUDGE_MODEL); use --provider offline to run without it");
    }
    try {
      return safetyClassifierFromEnv(env);
    } catch (e) {
      if (e instanceof SafetyConfigError) throw new ProviderUnavailable(e.message);
      throw e;
    }
  }
  throw new ProviderUnavailable(`provider '${name}' is not wired into the safety suite; use --provider offline or anthropic`);
}

/** triage: only the offline heuristic exists today */
export function makeTriageClassifier(name: ProviderName): TriageClassifier {
  if (name === "offline") return new HeuristicTriageClassifier();
  throw new ProviderUnavailable(`provider '${name}' is not wired into the triage suite yet; use --provider offline`);
}
