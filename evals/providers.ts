/**
 * Provider selection for the eval CLI (`--provider`). `offline` needs no
 * network and no key; the others are the production faces and need their
 * credentials in the environment. A provider a suite cannot use, or one
 * without its credentials, is `ProviderUnavailable` (the CLI exits 2).
 */
import { RuleActionabilityJudge } from "../workers/actionability/actionability";
import type { AiBinding } from "../workers/env";
import { GroupingConfigError, matchJudgeFromEnv, queryTiersFromEnv } from "../workers/grouping/from-env";
import { HashedNgramEmbedder } from "../workers/grouping/hashed-embedder";
import { OfflineQueryWriter } from "../workers/grouping/offline-query-writer";
import { RuleMatchJudge } from "../workers/grouping/rule-match-judge";
import type { Embedder, MatchJudge, QueryWriter } from "../workers/grouping/types";
import { WorkersAiEmbedder } from "../workers/grouping/workers-ai-embedder";
import { WorkersAiRest } from "../workers/grouping/workers-ai-rest";
import { summarizeEvidence } from "../workers/research/evidence";
import { offlineSafetyFromEnv, safetyClassifierFromEnv, SafetyConfigError, type SafetyEnv } from "../workers/safety/from-env";
import type { SafetyClassifier } from "../workers/safety/classifier";
import { LearnedTriageClassifier } from "../workers/triage/learned-triage";
import type { TriageClassifier } from "../workers/triage/triage";
import { caseToResearchInput, type CaseResearcher } from "./suites/actionability-case";
import { codeCaseResearcher } from "./code-case-researcher";
import { OfflineCodeResearcher } from "../workers/research/offline-code-researcher";
import { triageClassifierFromEnv } from "../workers/triage/from-env";
import { AgentResearchConfigError, agentResearcherFromEnv } from "../workers/research/agent-researcher";

export type ProviderName = "offline" | "anthropic" | "workers-ai";
export const PROVIDERS: readonly ProviderName[] = ["offline", "anthropic", "workers-ai"];

export interface Providers {
  name: ProviderName;
  queryWriter: QueryWriter;
  embedder: Embedder;
  /** decides borderline matches: the offline rule, or the Anthropic judge with `anthropic` */
  matchJudge: MatchJudge;
  /** the writer asked only for what `queryWriter`'s queries cannot place (GROUPING_QUERY_TIERS) */
  escalation: QueryWriter | null;
  /** escalate signals with a fingerprint too (GROUPING_QUERY_TIERS=escalate_all) */
  escalateFingerprinted?: boolean;
}

export class ProviderUnavailable extends Error {}

/**
 * grouping: query writer and embedder, the production faces configured as the
 * Worker configures them (grouping/from-env.ts):
 *  - `anthropic`: the LLM query writer (ANTHROPIC_API_KEY, optional
 *    ANTHROPIC_BASE_URL and GROUPING_QUERY_MODEL); Anthropic has no embedding
 *    model, so vectors come from Workers AI when CLOUDFLARE_ACCOUNT_ID and
 *    CLOUDFLARE_API_TOKEN are set, else from the offline embedder;
 *  - `workers-ai`: query writer and embedder on Workers AI over its REST API
 *    (CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN, optional EMBEDDING_MODEL).
 */
export function makeProviders(name: ProviderName, env: Record<string, string | undefined> = process.env): Providers {
  if (name === "offline") {
    return { name, queryWriter: new OfflineQueryWriter(), embedder: new HashedNgramEmbedder(), matchJudge: new RuleMatchJudge(), escalation: null };
  }
  const rest = workersAiRest(env);
  const embedder = (ai: AiBinding) => new WorkersAiEmbedder(ai, env.EMBEDDING_MODEL?.trim() || undefined);
  try {
    if (name === "anthropic") {
      if (!env.ANTHROPIC_API_KEY?.trim()) {
        throw new ProviderUnavailable("provider 'anthropic' needs ANTHROPIC_API_KEY in the environment; use --provider offline to run without it");
      }
      const tiers = queryTiersFromEnv({ ...env, GROUPING_QUERY_WRITER: "anthropic" }, null);
      const matchJudge = matchJudgeFromEnv({ ...env, GROUPING_MATCH_JUDGE: "anthropic" });
      return { name, ...tiers, embedder: rest ? embedder(rest) : new HashedNgramEmbedder(), matchJudge };
    }
    if (!rest) {
      throw new ProviderUnavailable("provider 'workers-ai' needs CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN (an API token with Workers AI read) in the environment");
    }
    // no Workers AI face of the match judge yet: the offline rule decides borderline matches
    return { name, ...queryTiersFromEnv({ ...env, GROUPING_QUERY_WRITER: "workers-ai" }, rest), embedder: embedder(rest), matchJudge: new RuleMatchJudge() };
  } catch (e) {
    if (e instanceof GroupingConfigError) throw new ProviderUnavailable(e.message);
    throw e;
  }
}

function workersAiRest(env: Record<string, string | undefined>): WorkersAiRest | null {
  const accountId = env.CLOUDFLARE_ACCOUNT_ID?.trim();
  const apiToken = env.CLOUDFLARE_API_TOKEN?.trim();
  if (!accountId || !apiToken) return null;
  try {
    return new WorkersAiRest({ accountId, apiToken, baseURL: env.CLOUDFLARE_API_BASE_URL?.trim() || undefined });
  } catch (e) {
    throw new ProviderUnavailable(String((e as Error).message));
  }
}

/**
 * safety: `offline` is the offline tier (rules and the learned model,
 * workers/safety/offline.ts; SAFETY_LEARNED_MODEL=off: the rules alone); `anthropic` is the tiered classifier (the
 * offline tier, then the LLM judge) configured from the environment exactly as
 * the Worker is (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, SAFETY_JUDGE_MODEL,
 * SAFETY_JUDGE_POLICY, SAFETY_JUDGE_ON_FAILURE, SAFETY_JUDGE_TIMEOUT_MS).
 */
export function makeSafetyClassifier(name: ProviderName, env: SafetyEnv = process.env): SafetyClassifier {
  if (name === "offline") {
    try {
      return offlineSafetyFromEnv(env);
    } catch (e) {
      if (e instanceof SafetyConfigError) throw new ProviderUnavailable(e.message);
      throw e;
    }
  }
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

/** triage: the offline rules with the learned model (workers/triage/learned-triage.ts) */
export function makeTriageClassifier(name: ProviderName): TriageClassifier {
  if (name === "offline") return new LearnedTriageClassifier();
  throw new ProviderUnavailable(`provider '${name}' is not wired into the triage suite yet; use --provider offline`);
}

/**
 * actionability: the researcher that decides a report's bucket — the one place
 * a face is picked. `offline` is what a research run does without a key: the
 * offline code researcher (workers/research/offline-code-researcher.ts), with
 * a checkout of examples/sample-app for `repo: "sample-app"` cases. `rules`
 * (the suite's `--baseline rules`) is the evidence summary judged by the
 * rules alone, as research was before it read code. `anthropic` is the agent
 * researcher (workers/research/agent-researcher.ts) on the same checkouts.
 */
export function makeCaseResearcher(name: ProviderName | "rules", env: Record<string, string | undefined> = process.env): CaseResearcher & { dispose?(): void } {
  if (name === "rules") {
    const judge = new RuleActionabilityJudge();
    return {
      name: `evidence+${judge.name}`,
      research: (c) => judge.judge(summarizeEvidence(caseToResearchInput(c))),
    };
  }
  if (name === "offline") return codeCaseResearcher(new OfflineCodeResearcher({ triage: triageClassifierFromEnv({}) }));
  if (name === "anthropic") {
    if (!env.ANTHROPIC_API_KEY?.trim()) {
      throw new ProviderUnavailable("provider 'anthropic' needs ANTHROPIC_API_KEY in the environment (and optionally RESEARCH_MODEL); use --provider offline to run without it");
    }
    try {
      return codeCaseResearcher(agentResearcherFromEnv(env));
    } catch (e) {
      if (e instanceof AgentResearchConfigError) throw new ProviderUnavailable(e.message);
      throw e;
    }
  }
  throw new ProviderUnavailable(`provider '${name}' is not wired into the actionability suite; use --provider offline or anthropic`);
}
