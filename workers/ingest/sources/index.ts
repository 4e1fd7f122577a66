/**
 * Source adapters: each turns what a real tool sends into `SignalInput`s and
 * hands them to the intake (`admitSignals` + `recordSignals`, limits.ts). One file per source; mounted here.
 */
import { Hono } from "hono";
import type { AppEnv } from "../auth";
import { githubRoutes } from "./github";
import { githubAppWebhookRoutes } from "./github-app-webhooks";
import { logsRoutes } from "./logs";
import { posthogRoutes } from "./posthog";
import { sentryRoutes } from "./sentry";
import { slackRoutes } from "./slack";

export function sourceRoutes() {
  const app = new Hono<AppEnv>();
  app.route("/", sentryRoutes());
  app.route("/", posthogRoutes());
  app.route("/", slackRoutes());
  app.route("/", githubRoutes());
  app.route("/", githubAppWebhookRoutes());
  app.route("/", logsRoutes());
  return app;
}
