/** Github source adapter (being built). */
import { Hono } from "hono";
import type { AppEnv } from "../auth";

export function githubRoutes() {
  const app = new Hono<AppEnv>();
  return app;
}
