/**
 * The research faces a deployment asks for through its environment, chosen in
 * this one place (the research run Durable Object never builds its own):
 *
 *   RESEARCHER               offline (default): OfflineCodeResearcher — the signals followed into
 *                            the project's repository (git blame, CODEOWNERS), rules for the
 *                            bucket. anthropic: AgentResearcher — Claude with tool use in the
 *                            run's Workspace and the MCP tools (needs ANTHROPIC_API_KEY;
 *                            RESEARCH_MODEL, RESEARCH_MAX_TOOL_CALLS, RESEARCH_MAX_TOKENS,
 *                            RESEARCH_MAX_SECONDS: see agent-researcher.ts). When the agent stops
 *                            without an answer (budget, loop, invalid output) the offline
 *                            researcher answers and the agent's run is kept. The evidence
 *                            summary (EvidenceResearcher) runs first on every face.
 *   RESEARCH_MAX_ATTEMPTS    attempts per research run before it is given up (default 3)
 *   RESEARCH_RETRY_BASE_MS   backoff before the 2nd attempt; doubles each time (default 30000)
 *   RESEARCH_FAULT_MARKER    tests only: a signal whose content holds `<marker>:<n>` makes the
 *                            researcher throw on the first n attempts of each run (unset: never)
 *
 * Actionability is the code researcher's (its output's `actionability`).
 */
import { positiveIntVar } from "../agent/env-int";
import { EvidenceResearcher } from "./evidence";
import { agentResearcherFromEnv, type AgentResearchEnv } from "./agent-researcher";
import { OfflineCodeResearcher } from "./offline-code-researcher";
import { triageClassifierFromEnv, type TriageEnv } from "../triage/from-env";
import type { CodeResearcher, Evidence, Researcher, ResearchInput } from "./research";

export interface ResearchEnv extends AgentResearchEnv, TriageEnv {
  RESEARCHER?: string;
  RESEARCH_MAX_ATTEMPTS?: string;
  RESEARCH_RETRY_BASE_MS?: string;
  RESEARCH_FAULT_MARKER?: string;
}

export class ResearchConfigError extends Error {}

export interface ResearchFaces {
  /** the evidence summary of the signals */
  researcher: Researcher;
  /** research with the code: findings, reviewers, priority, the bucket */
  codeResearcher: CodeResearcher;
  /** answers when the code researcher stops without an answer (the offline researcher) */
  fallback: CodeResearcher;
}

export interface ResearchRetryPolicy {
  maxAttempts: number;
  baseMs: number;
}

/** The researchers for one attempt (`attempt` counts from 1). */
export function researchFacesFromEnv(env: ResearchEnv, attempt = 1): ResearchFaces {
  const face = env.RESEARCHER?.trim() || "offline";
  if (face !== "offline" && face !== "anthropic") throw new ResearchConfigError(`RESEARCHER must be offline or anthropic, not '${face}'`);
  let researcher: Researcher = new EvidenceResearcher();
  const marker = env.RESEARCH_FAULT_MARKER?.trim();
  if (marker) researcher = new FaultInjectingResearcher(researcher, marker, attempt);
  const offline = new OfflineCodeResearcher({ triage: triageClassifierFromEnv(env) });
  let codeResearcher: CodeResearcher = offline;
  if (face === "anthropic") {
    try {
      codeResearcher = agentResearcherFromEnv(env);
    } catch (err) {
      throw new ResearchConfigError(err instanceof Error ? err.message : String(err));
    }
  }
  return { researcher, codeResearcher, fallback: offline };
}

export function researchRetryPolicy(env: ResearchEnv): ResearchRetryPolicy {
  return { maxAttempts: positiveIntVar(env.RESEARCH_MAX_ATTEMPTS, 3, "RESEARCH_MAX_ATTEMPTS", (m) => new ResearchConfigError(m)), baseMs: positiveIntVar(env.RESEARCH_RETRY_BASE_MS, 30_000, "RESEARCH_RETRY_BASE_MS", (m) => new ResearchConfigError(m)) };
}


/** Test hook: throws on the first n attempts when a signal asks for it with `<marker>:<n>`. */
class FaultInjectingResearcher implements Researcher {
  readonly name: string;
  constructor(
    private readonly inner: Researcher,
    private readonly marker: string,
    private readonly attempt: number,
  ) {
    this.name = inner.name;
  }

  async research(input: ResearchInput): Promise<Evidence> {
    let failFor = 0;
    for (const s of input.signals) {
      const at = s.content.indexOf(`${this.marker}:`);
      if (at < 0) continue;
      const digits = /^\d{1,3}/.exec(s.content.slice(at + this.marker.length + 1, at + this.marker.length + 4));
      if (digits) failFor = Math.max(failFor, Number(digits[0]));
    }
    if (this.attempt <= failFor) throw new Error(`injected research fault (attempt ${this.attempt} of ${failFor} failing)`);
    return this.inner.research(input);
  }
}
