/**
 * D1 schema (drizzle). D1 is the project-wide index: projects and their
 * hashed API keys, every normalized signal, dropped signals with their reason,
 * fingerprints, and a listing mirror of each report Durable Object.
 * The report DO itself is the source of truth for a report's state.
 */
import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, real, primaryKey, index, uniqueIndex } from "drizzle-orm/sqlite-core";

export const projects = sqliteTable("projects", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  promotionThreshold: real("promotion_threshold").notNull(),
  createdAt: integer("created_at").notNull(),
  /** Slack app signing secret, for `POST /slack/events/:project` (v0 signatures) */
  slackSigningSecret: text("slack_signing_secret"),
  /** GitHub webhook secret, for `POST /github/webhooks/:project` (X-Hub-Signature-256) */
  githubWebhookSecret: text("github_webhook_secret"),
  /** JSON array of PostHog event names (besides `$exception`) that count as signals */
  posthogSignalEvents: text("posthog_signal_events"),
  /** the project's repository (issue 8): clone URL (https; offline also a local path or file:// / http URL), no credentials in it */
  repositoryUrl: text("repository_url"),
  /** the branch research checks out (null: the repository's default) */
  repositoryBranch: text("repository_branch"),
  /** the command that runs the repository's tests, e.g. `npm test` */
  repositoryTestCommand: text("repository_test_command"),
  /** JSON array of external MCP servers: {name, url, token} with token sealed (admin/secret-box.ts) or null */
  mcpServers: text("mcp_servers"),
  /** JSON array of review bots' logins (lower case) whose pull request comments the fix loop obeys as a trusted reviewer's */
  reviewBots: text("review_bots"),
});

export const apiKeys = sqliteTable("api_keys", {
  /** hex SHA-256 of the full key; the key itself is never stored */
  keyHash: text("key_hash").primaryKey(),
  projectId: text("project_id").notNull().references(() => projects.id),
  prefix: text("prefix").notNull(),
  /** "full" reads and writes the project; "ingest" only sends signals (safe to embed in apps, e.g. a Sentry DSN) */
  scope: text("scope").notNull().default("full"),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
});

export const signals = sqliteTable(
  "signals",
  {
    projectId: text("project_id").notNull(),
    id: text("id").notNull(),
    sourceProduct: text("source_product").notNull(),
    sourceType: text("source_type").notNull(),
    content: text("content").notNull(),
    weight: real("weight").notNull(),
    /** JSON array of numbers: what the signal is about, as embedded */
    embedding: text("embedding"),
    metadata: text("metadata"),
    timestamp: integer("timestamp"),
    receivedAt: integer("received_at").notNull(),
    reportId: text("report_id"),
    /** fingerprint | vector | new */
    linkMethod: text("link_method"),
    linkQuery: text("link_query"),
    linkScore: real("link_score"),
    /** JSON: the match judge's verdict on a borderline link ({same, reason, detail, judge}) */
    linkJudge: text("link_judge"),
    /** the deterministic fingerprint grouping computed for it (a correction moves it with the signal) */
    fingerprint: text("fingerprint"),
    /** triage verdict: null (not yet), "signal" (grouped) or "noise" (kept, not grouped) */
    triage: text("triage"),
    /** machine-readable reason for "noise", e.g. auto_reply */
    triageReason: text("triage_reason"),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.id] }),
    index("signals_report").on(t.projectId, t.reportId),
    // GET /v1/noise: a project's noise, newest first, by reason
    index("signals_triage").on(t.projectId, t.triage, t.receivedAt),
  ],
);

export const droppedSignals = sqliteTable(
  "dropped_signals",
  {
    projectId: text("project_id").notNull(),
    id: text("id").notNull(),
    sourceProduct: text("source_product").notNull(),
    sourceType: text("source_type").notNull(),
    content: text("content").notNull(),
    /** machine-readable reason code, e.g. prompt_injection */
    reason: text("reason").notNull(),
    /** human-readable detail: which rules matched */
    detail: text("detail").notNull(),
    classifier: text("classifier").notNull(),
    score: real("score").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.id] })],
);

export const fingerprints = sqliteTable(
  "fingerprints",
  {
    projectId: text("project_id").notNull(),
    fingerprint: text("fingerprint").notNull(),
    reportId: text("report_id").notNull(),
    embedding: text("embedding"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.fingerprint] }), index("fingerprints_report").on(t.projectId, t.reportId)],
);

/** Log templates mined per project (workers/grouping/log-miner.ts); a line's fingerprint is its template's id. */
export const logTemplates = sqliteTable(
  "log_templates",
  {
    projectId: text("project_id").notNull(),
    id: text("id").notNull(),
    bucket: text("bucket").notNull(),
    /** JSON array of tokens, `<*>` for variables */
    tokens: text("tokens").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.id] }), index("log_templates_bucket").on(t.projectId, t.bucket)],
);

export const reports = sqliteTable(
  "reports",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    state: text("state").notNull(),
    title: text("title").notNull(),
    weight: real("weight").notNull(),
    signalCount: integer("signal_count").notNull(),
    /** the raised bar after not_actionable: promote again only at weight ≥ max(threshold, resume_at) */
    resumeAt: real("resume_at").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("reports_project_state").on(t.projectId, t.state)],
);

/**
 * Query vectors written to the vector index in the last minutes: Vectorize
 * shows an upsert to queries only seconds later, so each consumer batch also
 * reads these (workers/grouping/recent-vectors.ts) and a related signal that
 * arrives in the next batch still finds the report just opened.
 */
export const recentVectors = sqliteTable(
  "recent_vectors",
  {
    projectId: text("project_id").notNull(),
    /** the vector's id in the index: `${signalId}:${queryIndex}` */
    id: text("id").notNull(),
    reportId: text("report_id").notNull(),
    fingerprint: text("fingerprint"),
    /** the failure classes its signal named, comma-separated (grouping/failure-classes.ts) */
    failure: text("failure"),
    /** the query the vector embeds: what the match judge reads of a report this young */
    query: text("query"),
    /** base64 float32 (workers/normalize/embedding-codec.ts) */
    vector: text("vector").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.id] }), index("recent_vectors_age").on(t.projectId, t.createdAt)],
);

/** A report merged into another: links that still name it (vectors, late deliveries) land in the target. */
export const reportRedirects = sqliteTable(
  "report_redirects",
  {
    projectId: text("project_id").notNull(),
    fromReportId: text("from_report_id").notNull(),
    toReportId: text("to_report_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.fromReportId] })],
);

/**
 * Corrections a person made to grouping, kept so the same link is not made
 * again: `merge` (from → to) and `move` (a signal out of `from`, into `to`).
 * A move keeps the signal's vector: a later signal that close to it never
 * joins `from` again.
 */
export const groupingCorrections = sqliteTable(
  "grouping_corrections",
  {
    projectId: text("project_id").notNull(),
    id: text("id").notNull(),
    /** merge | move */
    kind: text("kind").notNull(),
    signalId: text("signal_id"),
    fromReportId: text("from_report_id").notNull(),
    toReportId: text("to_report_id").notNull(),
    /** a moved signal's vector (base64 float32), the veto against `from` */
    vector: text("vector"),
    note: text("note"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.id] }), index("grouping_corrections_from").on(t.projectId, t.fromReportId)],
);

/**
 * The LLM safety judge's verdicts, one per signal it judged (a few percent of
 * traffic under the default policy): the project's own labelled data, exported
 * by `GET /v1/safety/verdicts` to retrain the offline tier
 * (`npm run train -- safety --extra FILE`).
 */
export const safetyVerdicts = sqliteTable(
  "safety_verdicts",
  {
    projectId: text("project_id").notNull(),
    signalId: text("signal_id").notNull(),
    sourceProduct: text("source_product").notNull(),
    sourceType: text("source_type").notNull(),
    content: text("content").notNull(),
    /** malicious | benign */
    verdict: text("verdict").notNull(),
    reasonCode: text("reason_code").notNull(),
    confidence: real("confidence").notNull(),
    /** what the offline tier said: the rules' score and the model's probability */
    rulesScore: real("rules_score").notNull(),
    learned: real("learned").notNull(),
    judge: text("judge").notNull(),
    judgedAt: integer("judged_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.signalId] }), index("safety_verdicts_time").on(t.projectId, t.judgedAt)],
);

/** Messages the consumer could not process, with the reason (from the dead-letter queue). */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
  messageId: text("message_id").primaryKey(),
  projectId: text("project_id"),
  signalId: text("signal_id"),
  /** machine-readable: invalid_message | max_retries_exceeded | … */
  reason: text("reason").notNull(),
  detail: text("detail").notNull(),
  body: text("body").notNull(),
  attempts: integer("attempts").notNull(),
  receivedAt: integer("received_at").notNull(),
  },
  // a signal delivered twice and failing twice is one dead letter
  (t) => [uniqueIndex("dead_letters_signal").on(t.projectId, t.signalId)],
);

/** Forge events kept for the fix loop: CI failures and pull-request reviews. */
export const forgeEvents = sqliteTable(
  "forge_events",
  {
    projectId: text("project_id").notNull(),
    /** X-GitHub-Delivery */
    deliveryId: text("delivery_id").notNull(),
    /** check_run | workflow_run | pull_request_review | pull_request_review_comment | … */
    event: text("event").notNull(),
    action: text("action"),
    repository: text("repository"),
    /** PR number, when the event concerns one */
    pullRequest: integer("pull_request"),
    /** head SHA, for CI events */
    headSha: text("head_sha"),
    /** conclusion (failure, …) or review state (changes_requested, …) */
    outcome: text("outcome"),
    /** a small JSON summary; the full payload is not kept */
    summary: text("summary").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.deliveryId] })],
);

/**
 * The intake outbox: every accepted signal is written here before the 202,
 * so an acceptance survives a lost queue message, a consumer crash and a
 * restart. The consumer (or the dead-letter consumer) settles the row with its
 * outcome and clears the message; the sweep re-enqueues rows left pending too
 * long (`workers/sweep/redrive.ts`). Signals that other Workers put straight on
 * the Queue get a settled row from the consumer, so the ledger counts them too.
 */
export const intakeOutbox = sqliteTable(
  "intake_outbox",
  {
    projectId: text("project_id").notNull(),
    signalId: text("signal_id").notNull(),
    /** the SignalMessage as JSON while pending; null once settled */
    message: text("message"),
    acceptedAt: integer("accepted_at").notNull(),
    /** last time it was put on the Queue; 0 = never (the enqueue failed) */
    enqueuedAt: integer("enqueued_at").notNull(),
    /** times the sweep re-enqueued it */
    redrives: integer("redrives").notNull().default(0),
    settledAt: integer("settled_at"),
    /** report | noise | dropped | dead_letter */
    outcome: text("outcome"),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.signalId] }),
    index("intake_outbox_pending").on(t.enqueuedAt).where(sql`settled_at IS NULL`),
    index("intake_outbox_project_outcome").on(t.projectId, t.outcome),
  ],
);

/**
 * Pull requests the fix loop opened: which report's fix run answers a
 * webhook about pull request `number` of `repository` (owner/name) in a
 * project. Written by the fix run when it opens the pull request.
 */
export const fixPulls = sqliteTable(
  "fix_pulls",
  {
    projectId: text("project_id").notNull(),
    repository: text("repository").notNull(),
    number: integer("number").notNull(),
    reportId: text("report_id").notNull(),
    openedAt: integer("opened_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.repository, t.number] })],
);

/**
 * A person's word against triage (POST /v1/signals/:id/not-noise): the
 * signal was kept as noise with `reason`, a person said it is not, and it was
 * grouped. GET /v1/triage/corrections gives them back in the triage eval's
 * format, for `npm run train -- triage --data …` to learn from.
 */
export const triageCorrections = sqliteTable(
  "triage_corrections",
  {
    projectId: text("project_id").notNull(),
    signalId: text("signal_id").notNull(),
    /** the reason triage gave (auto_reply, thank_you, …) */
    reason: text("reason"),
    note: text("note"),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.signalId] })],
);
