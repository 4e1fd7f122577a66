/**
 * The cron sweep reads the D1 mirror of the reports: a report found not
 * actionable has a raised bar (`resume_at`) and is not due again until its
 * weight reaches it, so the sweep does not re-read it every minute; the oldest
 * come first.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { dueReports } from "../../workers/sweep/cron";
import { createProject } from "./helpers";

describe("the sweep's due reports", () => {
  it("leave out a report below its raised bar, take the rest oldest first", async () => {
    await createProject("sweep-bar", 3);
    const row = env.DB.prepare(
      "INSERT INTO reports (id, project_id, state, title, weight, signal_count, resume_at, created_at, updated_at) VALUES (?, 'sweep-bar', ?, 't', ?, 1, ?, 0, ?)",
    );
    const now = 10_000_000;
    await env.DB.batch([
      row.bind("bar-due-new", "potential", 5, 0, now - 10),
      row.bind("bar-raised", "potential", 5, 8, now - 30),
      row.bind("bar-due-old", "potential", 4, 0, now - 20),
      row.bind("bar-raised-reached", "potential", 9, 8, now - 5),
      row.bind("bar-below-threshold", "potential", 2, 0, now - 40),
      row.bind("bar-stalled", "researching", 5, 0, now - 11 * 60_000),
      row.bind("bar-researching-now", "researching", 5, 0, now - 1000),
    ]);
    const due = (await dueReports(env.DB, now)).map((r) => r.id).filter((id) => id.startsWith("bar-"));
    expect(due).toEqual(["bar-stalled", "bar-due-old", "bar-due-new", "bar-raised-reached"]);
  });
});
