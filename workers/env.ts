/**
 * The Worker's bindings. Production binds `AI` to Workers AI and `VECTORS` to
 * Vectorize; the `local` wrangler environment binds them to the offline
 * entrypoints in workers/local/, which implement the same subset.
 */
import type { InboxObject } from "../durable-objects/inbox";
import type { LocalVectorIndex } from "../durable-objects/local-vector-index";
import type { ReportObject } from "../durable-objects/report";
import type { ResearchRunObject } from "../durable-objects/research-run";
import type { FixRunObject } from "../durable-objects/fix-run";
import type { FixEnv } from "./fix/from-env";
import type { ForgeEnv } from "./forge/from-env";
import type { ResearchEnv } from "./research/from-env";
import type { ResearchJob } from "./research/job";
import type { SafetyEnv } from "./safety/from-env";
import type { WorkspaceEnv } from "./workspace/from-env";
import type { EgressEnv } from "./workspace/egress";
import type { GitHubAppEnv } from "./forge/github-app";
import type { SecretsEnv } from "./admin/secret-box";
import type { UrlPolicyEnv } from "./admin/url-policy";
import type { DeadLetter } from "./normalize/dead-letter";
import type { SignalMessage } from "./normalize/message";
import type { AppWebhookEnv } from "./ingest/sources/github-app-webhooks";

/** What the pipeline sends to `Ai.run`: text embeddings, or a chat with a JSON schema for the answer. */
export type AiInputs =
  | { text: string[] }
  | {
      messages: { role: "system" | "user" | "assistant"; content: string }[];
      response_format?: { type: "json_schema"; json_schema: Record<string, unknown> };
      max_tokens?: number;
    };

/** The part of `Ai` the pipeline uses. */
export interface AiBinding {
  run(model: string, inputs: AiInputs): Promise<unknown>;
}

export interface VectorizeVectorInput {
  id: string;
  values: number[];
  namespace?: string;
  metadata?: Record<string, string | number | boolean>;
}

export interface VectorizeQueryOptions {
  topK?: number;
  namespace?: string;
  returnMetadata?: boolean | "all" | "indexed" | "none";
  returnValues?: boolean;
}

export interface VectorizeMatchLike {
  id: string;
  score: number;
  metadata?: Record<string, string | number | boolean>;
}

/** The part of `VectorizeIndex` the pipeline uses. */
export interface VectorizeBinding {
  query(vector: number[], options?: VectorizeQueryOptions): Promise<{ matches: VectorizeMatchLike[]; count?: number }>;
  upsert(vectors: VectorizeVectorInput[]): Promise<unknown>;
}

/**
 * ANTHROPIC_API_KEY (secret) and SAFETY_JUDGE_* turn on the LLM safety judge: see safety/from-env.ts.
 * SECRETS_KEY (secret) seals a project's secrets at rest: admin/secret-box.ts. ALLOW_LOCAL_URLS=on
 * (local only) lets a project name a local repository and loopback MCP servers: admin/url-policy.ts.
 * GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (secrets; GITHUB_API_URL for GHES) make nightshift a
 * GitHub App: forge/github-app.ts, docs/notes/github-app.md; GITHUB_APP_WEBHOOK_SECRET (secret) takes
 * the App's one webhook: ingest/sources/github-app-webhooks.ts.
 */
export interface Env extends SafetyEnv, ResearchEnv, WorkspaceEnv, SecretsEnv, UrlPolicyEnv, EgressEnv, GitHubAppEnv, FixEnv, ForgeEnv, AppWebhookEnv {
  DB: D1Database;
  SIGNALS: Queue<SignalMessage>;
  /** the dead-letter queue, written by the consumer with a reason */
  DEAD_LETTERS: Queue<DeadLetter>;
  /** per-project ingest request rate (Workers rate-limit binding) */
  INGEST_RATE?: RateLimit;
  AI: AiBinding;
  VECTORS: VectorizeBinding;
  REPORTS: DurableObjectNamespace<ReportObject>;
  INBOX: DurableObjectNamespace<InboxObject>;
  /** research jobs for promoted reports (workers/research/consumer.ts) */
  RESEARCH: Queue<ResearchJob>;
  /** one research run per report revision (durable-objects/research-run.ts) */
  RESEARCH_RUNS: DurableObjectNamespace<ResearchRunObject>;
  /** one fix run per report (durable-objects/fix-run.ts); unbound: reports are never fixed */
  FIX_RUNS?: DurableObjectNamespace<FixRunObject>;
  /** local environment only: storage behind LocalVectorize */
  LOCAL_VECTORS?: DurableObjectNamespace<LocalVectorIndex>;
  /** enables /v1/admin/*; a secret (`wrangler secret put ADMIN_TOKEN`) */
  ADMIN_TOKEN?: string;
  /** signs research run tokens for /mcp (workers/mcp/run-token.ts); a secret. Unset: only API keys open /mcp */
  MCP_TOKEN_SECRET?: string;
  GROUPING_THRESHOLD?: string;
  /** local only: an upsert reaches LocalVectorize's queries this much later, as in Vectorize (default 0) */
  LOCAL_VECTORIZE_DELAY_MS?: string;
  /** how long the consumer also searches the vectors it wrote itself, until the index shows them (default 60000) */
  VECTOR_VISIBILITY_WINDOW_MS?: string;
  DEFAULT_PROMOTION_THRESHOLD?: string;
  EMBEDDING_MODEL?: string;
  /** offline | anthropic | workers-ai (default: anthropic with ANTHROPIC_API_KEY, else offline) */
  GROUPING_QUERY_WRITER?: string;
  /** the query writer's model (default claude-haiku-4-5, or @cf/meta/llama-3.1-8b-instruct on workers-ai) */
  GROUPING_QUERY_MODEL?: string;
  /** escalate (default) | always: with an LLM query writer, ask it only for what offline queries cannot place, or for every signal */
  GROUPING_QUERY_TIERS?: string;
  /** offline | anthropic: who decides a borderline match (default: anthropic with ANTHROPIC_API_KEY, else offline) */
  GROUPING_MATCH_JUDGE?: string;
  GROUPING_JUDGE_MODEL?: string;
  MAX_DELIVERY_ATTEMPTS?: string;
  /** seconds an accepted signal may stay pending before the sweep re-enqueues it */
  OUTBOX_REDRIVE_AFTER_S?: string;
  /** re-enqueues before a pending signal is dead-lettered (`redrive_exhausted`) */
  OUTBOX_MAX_REDRIVES?: string;
}
