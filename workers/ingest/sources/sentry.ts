/** Sentry source adapter (being built). */
import { Hono } from "hono";
import type { AppEnv } from "../auth";

export function sentryRoutes() {
  const app = new Hono<AppEnv>();
  return app;
}
