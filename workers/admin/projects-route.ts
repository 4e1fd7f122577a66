/**
 * Project administration.
 * `POST /v1/admin/projects` (admin token): creates a project and returns its
 * first keys once: `api_key` (full: read and write) and `ingest_key` (only
 * sends signals; the one to embed in apps and Sentry DSNs). Only hashes are
 * stored.
 * `PATCH /v1/project` (project key): changes the project's settings:
 * promotion threshold, source secrets (Slack signing secret, GitHub webhook
 * secret; shown back only as "set"), PostHog events that count as signals,
 * the repository research checks out (`repository: {url, default_branch?,
 * test_command?} | null`) and the external MCP servers research may use
 * (`mcp_servers: [{name, url, token?}]`, the whole list; a token is shown back
 * only as "set"; an omitted token keeps the stored one when the server's name
 * and URL are unchanged, null clears it), and the review bots whose pull
 * request comments the fix loop obeys as a trusted reviewer's
 * (`review_bots: ["coderabbitai[bot]", …]`, the whole list; the deployment's
 * FIX_TRUSTED_BOTS count for every project). URLs follow admin/url-policy.ts.
 * Secrets and tokens rest in D1 sealed with SECRETS_KEY (admin/secret-box.ts;
 * rows written before that are plaintext and still read); without the key a
 * PATCH that sets one answers 503 `secrets_key_missing`.
 */
import { Hono } from "hono";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { apiKeys, projects } from "../db/schema";
import { MAX_MCP_SERVERS, MCP_SERVER_NAME, mcpTokenContext, type StoredMcpServer, storedMcpServers } from "../mcp/project-servers";
import { type AppEnv, requireFullKey } from "../ingest/auth";
import { newApiKey, newProjectId, sha256Hex } from "../ingest/hash";
import { requireAdmin } from "./require-admin";
import { parsedBody } from "../ingest/json-body";
import { problem } from "../ingest/problem";
import { seal, sealNullable, secretContext, SecretsKeyMissing } from "./secret-box";
import { BOT_LOGIN, storedReviewBots } from "../fix/review-bots";
import { allowsLocalUrls, branchProblem, mcpUrlProblem, repositoryUrlProblem } from "./url-policy";

const CreateProject = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and -")
    .optional(),
  name: z.string().trim().min(1).max(200),
  promotion_threshold: z.number().positive().max(1_000_000).optional(),
});

/** printable ASCII, no spaces: what an HTTP header carries unmangled */
const HEADER_SAFE = /^[\x21-\x7e]+$/;
/** no control characters (a test command is one line) */
const ONE_LINE = /^[^\x00-\x1f\x7f]+$/;

/** A zod refinement from a check that names the problem with a value (null: none), as url-policy.ts's do. */
function noProblem(problem: (value: string) => string | null) {
  return (value: string, ctx: z.RefinementCtx) => {
    const reason = problem(value);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  };
}

/** The settings body; URL rules depend on the deployment (url-policy.ts). */
function updateProject(local: boolean) {
  const Repository = z.object({
    url: z
      .string()
      .trim()
      .superRefine(noProblem((url) => repositoryUrlProblem(url, local))),
    default_branch: z
      .string()
      .superRefine(noProblem(branchProblem))
      .nullish(),
    test_command: z.string().trim().min(1).max(500).regex(ONE_LINE, "one line, no control characters").nullish(),
  });
  const McpServer = z.object({
    name: z.string().regex(MCP_SERVER_NAME, "1 to 32 of a-z, 0-9, _ and -"),
    url: z
      .string()
      .trim()
      .superRefine(noProblem((url) => mcpUrlProblem(url, local))),
    token: z.string().min(1).max(4096).regex(HEADER_SAFE, "printable ASCII without spaces (it is sent as a Bearer token)").nullish(),
  });
  return z
    .object({
      promotion_threshold: z.number().positive().max(1_000_000),
      slack_signing_secret: z.string().min(8).max(200).nullable(),
      github_webhook_secret: z.string().min(8).max(200).nullable(),
      /** PostHog event names, besides `$exception`, that count as signals */
      posthog_signal_events: z.array(z.string().min(1).max(200)).max(100),
      repository: Repository.strict().nullable(),
      /** logins of review bots (e.g. coderabbitai[bot]) the fix loop trusts as reviewers; the whole list */
      review_bots: z.array(z.string().trim().regex(BOT_LOGIN, "a GitHub login: 1 to 39 of a-z, 0-9 and -, optionally ending in [bot]")).max(20),
      mcp_servers: z
        .array(McpServer.strict())
        .max(MAX_MCP_SERVERS)
        .superRefine((list, ctx) => {
          const seen = new Set<string>();
          list.forEach((s, i) => {
            if (seen.has(s.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `a second server named ${s.name}: names are unique` });
            seen.add(s.name);
          });
        }),
    })
    .partial()
    .refine((v) => Object.keys(v).length > 0, "name at least one setting");
}

type McpServersInput = NonNullable<z.infer<ReturnType<typeof updateProject>>["mcp_servers"]>;

/** The list to store: new tokens sealed, omitted ones kept from the stored server of the same name and URL. */
async function mcpServersToStore(
  env: AppEnv["Bindings"],
  project: string,
  input: McpServersInput,
  stored: StoredMcpServer[],
): Promise<{ ok: true; list: StoredMcpServer[] } | { ok: false; field: string; message: string }> {
  const list: StoredMcpServer[] = [];
  for (const [i, s] of input.entries()) {
    let token: string | null;
    if (typeof s.token === "string") token = await seal(env, s.token, mcpTokenContext(project, s.name));
    else if (s.token === null) token = null;
    else {
      const before = stored.find((b) => b.name === s.name);
      if (before?.token && before.url !== s.url) {
        // a token goes only to the server it was given for
        return { ok: false, field: `mcp_servers[${i}].token`, message: `the url of ${s.name} changed: send its token again (or null for none)` };
      }
      token = before?.token ?? null;
    }
    list.push({ name: s.name, url: s.url, token });
  }
  return { ok: true, list };
}

/** Settings as the API shows them: secrets only as "set" or not. */
function projectView(row: typeof projects.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    promotion_threshold: row.promotionThreshold,
    slack_signing_secret: row.slackSigningSecret ? "set" : null,
    github_webhook_secret: row.githubWebhookSecret ? "set" : null,
    posthog_signal_events: row.posthogSignalEvents ? (JSON.parse(row.posthogSignalEvents) as string[]) : [],
    repository: row.repositoryUrl
      ? { url: row.repositoryUrl, default_branch: row.repositoryBranch, test_command: row.repositoryTestCommand }
      : null,
    mcp_servers: storedMcpServers(row.mcpServers).map((s) => ({ name: s.name, url: s.url, token: s.token ? "set" : null })),
    review_bots: storedReviewBots(row.reviewBots),
  };
}

export function projectRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/v1/admin/projects", requireAdmin, async (c) => {
    const parsed = await parsedBody(c, CreateProject, "invalid_project");
    if (!parsed.ok) return parsed.res;
    const db = drizzle(c.env.DB);
    const id = parsed.value.id ?? newProjectId();
    if (await db.select({ id: projects.id }).from(projects).where(eq(projects.id, id)).get()) {
      return problem(c, 409 as 400, "project_exists", `project ${id} exists`);
    }
    const threshold = parsed.value.promotion_threshold ?? Number(c.env.DEFAULT_PROMOTION_THRESHOLD ?? 5);
    const key = newApiKey();
    const ingestKey = newApiKey();
    const now = Date.now();
    await db.batch([
      db.insert(projects).values({ id, name: parsed.value.name, promotionThreshold: threshold, createdAt: now }),
      db.insert(apiKeys).values({ keyHash: await sha256Hex(key), projectId: id, prefix: key.slice(0, 8), scope: "full", createdAt: now }),
      db.insert(apiKeys).values({ keyHash: await sha256Hex(ingestKey), projectId: id, prefix: ingestKey.slice(0, 8), scope: "ingest", createdAt: now }),
    ]);
    return c.json({ project: { id, name: parsed.value.name, promotion_threshold: threshold }, api_key: key, ingest_key: ingestKey }, 201);
  });

  app.patch("/v1/project", requireFullKey, async (c) => {
    const parsed = await parsedBody(c, updateProject(allowsLocalUrls(c.env)), "invalid_project");
    if (!parsed.ok) return parsed.res;
    const project = c.get("project");
    const v = parsed.value;
    const db = drizzle(c.env.DB);
    let set: Partial<typeof projects.$inferInsert>;
    try {
      set = {
        ...(v.promotion_threshold !== undefined ? { promotionThreshold: v.promotion_threshold } : {}),
        ...(v.slack_signing_secret !== undefined
          ? { slackSigningSecret: await sealNullable(c.env, v.slack_signing_secret, secretContext(project.id, "slack_signing_secret")) }
          : {}),
        ...(v.github_webhook_secret !== undefined
          ? { githubWebhookSecret: await sealNullable(c.env, v.github_webhook_secret, secretContext(project.id, "github_webhook_secret")) }
          : {}),
        ...(v.posthog_signal_events !== undefined ? { posthogSignalEvents: JSON.stringify(v.posthog_signal_events) } : {}),
        ...(v.review_bots !== undefined ? { reviewBots: JSON.stringify([...new Set(v.review_bots.map((l) => l.toLowerCase()))]) } : {}),
        ...(v.repository !== undefined
          ? {
              repositoryUrl: v.repository?.url ?? null,
              repositoryBranch: v.repository?.default_branch ?? null,
              repositoryTestCommand: v.repository?.test_command ?? null,
            }
          : {}),
      };
      if (v.mcp_servers !== undefined) {
        const before = await db.select({ mcpServers: projects.mcpServers }).from(projects).where(eq(projects.id, project.id)).get();
        const servers = await mcpServersToStore(c.env, project.id, v.mcp_servers, storedMcpServers(before?.mcpServers ?? null));
        if (!servers.ok) return problem(c, 400, "invalid_project", `${servers.field}: ${servers.message}`, [{ field: servers.field, message: servers.message }]);
        set.mcpServers = JSON.stringify(servers.list);
      }
    } catch (err) {
      if (err instanceof SecretsKeyMissing) return problem(c, 503, err.code, err.message);
      throw err;
    }
    await db.update(projects).set(set).where(eq(projects.id, project.id));
    const row = (await db.select().from(projects).where(eq(projects.id, project.id)).get())!;
    return c.json({ project: projectView(row) });
  });

  return app;
}
