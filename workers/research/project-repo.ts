/**
 * The repository a research run checks out: the project's settings from
 * PATCH /v1/project `repository` (D1 `projects.repository_*`), or null when
 * the project has connected none.
 *
 * `branch` null: the remote's default branch (HEAD); `testCommand` null: the
 * project gave none. The URL was checked when it was set
 * (workers/admin/url-policy.ts) and holds no credentials.
 */
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { projects } from "../db/schema";
import { storedReviewBots } from "../fix/review-bots";

export interface ProjectRepository {
  url: string;
  branch: string | null;
  testCommand: string | null;
  /** review bots the project trusts as reviewers (fix/review-bots.ts), lower case */
  reviewBots: string[];
}

export async function projectRepository(env: { DB: D1Database }, projectId: string): Promise<ProjectRepository | null> {
  const row = await drizzle(env.DB)
    .select({ url: projects.repositoryUrl, branch: projects.repositoryBranch, testCommand: projects.repositoryTestCommand, reviewBots: projects.reviewBots })
    .from(projects)
    .where(eq(projects.id, projectId))
    .get();
  if (!row?.url) return null;
  return { url: row.url, branch: row.branch, testCommand: row.testCommand, reviewBots: storedReviewBots(row.reviewBots) };
}
