/** The HTTP surface: one Hono app composed of the stage routers. */
import { Hono } from "hono";
import { projectRoutes } from "./admin/projects-route";
import { redriveRoute } from "./admin/redrive-route";
import { correctionRoutes } from "./grouping/corrections-route";
import type { AppEnv } from "./ingest/auth";
import { problem } from "./ingest/problem";
import { signalsRoute } from "./ingest/signals-route";
import { readRoutes } from "./inbox/routes";
import { mcpRoute } from "./mcp/route";
import { releaseRoute } from "./reports/release-route";
import { dismissRoute } from "./reports/dismiss-route";
import { noiseRoutes } from "./triage/noise-route";
import { fixRetryRoute } from "./fix/retry-route";
import { safetyVerdictRoutes } from "./safety/verdicts-route";
import { sourceRoutes } from "./ingest/sources";

export function createApp() {
  const app = new Hono<AppEnv>();
  app.get("/", (c) => c.json({ name: "nightshift", docs: "see README.md", health: "ok" }));
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.route("/", signalsRoute());
  app.route("/", sourceRoutes());
  app.route("/", projectRoutes());
  app.route("/", redriveRoute());
  app.route("/", readRoutes());
  app.route("/", correctionRoutes());
  app.route("/", releaseRoute());
  app.route("/", dismissRoute());
  app.route("/", noiseRoutes());
  app.route("/", fixRetryRoute());
  app.route("/", safetyVerdictRoutes());
  app.route("/", mcpRoute());
  app.notFound((c) => problem(c, 404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((err, c) => {
    console.error("unhandled", err);
    return problem(c, 500, "internal_error", "unexpected error; the request was not processed");
  });
  return app;
}
