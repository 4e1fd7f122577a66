/**
 * Project administration.
 * `POST /v1/admin/projects` (admin token): creates a project and returns its
 * first keys once: `api_key` (full: read and write) and `ingest_key` (only
 * sends signals; the one to embed in apps and Sentry DSNs). Only hashes are
 * stored.
 * `PATCH /v1/project` (project key): changes the project's settings:
 * promotion threshold, source secrets (Slack signing secret, GitHub webhook
 * secret; shown back only as "set"), PostHog events that count as signals.
 * Secrets rest in D1 as given: encrypting them with a Worker secret is a
 * known gap.
 */
import { Hono } from "hono";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { apiKeys, projects } from "../db/schema";
import { type AppEnv, requireFullKey } from "../ingest/auth";
import { newApiKey, newProjectId, sha256Hex } from "../ingest/hash";
import { requireAdmin } from "./require-admin";
import { parsedBody } from "../ingest/json-body";
import { problem } from "../ingest/problem";

const CreateProject = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and -")
    .optional(),
  name: z.string().trim().min(1).max(200),
  promotion_threshold: z.number().positive().max(1_000_000).optional(),
});

const UpdateProject = z
  .object({
    promotion_threshold: z.number().positive().max(1_000_000),
    slack_signing_secret: z.string().min(8).max(200).nullable(),
    github_webhook_secret: z.string().min(8).max(200).nullable(),
    /** PostHog event names, besides `$exception`, that count as signals */
    posthog_signal_events: z.array(z.string().min(1).max(200)).max(100),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "name at least one setting");

/** Settings as the API shows them: secrets only as "set" or not. */
function projectView(row: typeof projects.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    promotion_threshold: row.promotionThreshold,
    slack_signing_secret: row.slackSigningSecret ? "set" : null,
    github_webhook_secret: row.githubWebhookSecret ? "set" : null,
    posthog_signal_events: row.posthogSignalEvents ? (JSON.parse(row.posthogSignalEvents) as string[]) : [],
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
    const parsed = await parsedBody(c, UpdateProject, "invalid_project");
    if (!parsed.ok) return parsed.res;
    const project = c.get("project");
    const v = parsed.value;
    const db = drizzle(c.env.DB);
    await db
      .update(projects)
      .set({
        ...(v.promotion_threshold !== undefined ? { promotionThreshold: v.promotion_threshold } : {}),
        ...(v.slack_signing_secret !== undefined ? { slackSigningSecret: v.slack_signing_secret } : {}),
        ...(v.github_webhook_secret !== undefined ? { githubWebhookSecret: v.github_webhook_secret } : {}),
        ...(v.posthog_signal_events !== undefined ? { posthogSignalEvents: JSON.stringify(v.posthog_signal_events) } : {}),
      })
      .where(eq(projects.id, project.id));
    const row = (await db.select().from(projects).where(eq(projects.id, project.id)).get())!;
    return c.json({ project: projectView(row) });
  });

  return app;
}
