/** The admin token (`ADMIN_TOKEN` secret) guards /v1/admin/*; without it the admin API is off. */
import { createMiddleware } from "hono/factory";
import { type AppEnv, bearerToken } from "../ingest/auth";
import { timingSafeEqual } from "../ingest/hash";
import { problem } from "../ingest/problem";

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const admin = c.env.ADMIN_TOKEN;
  if (!admin) return problem(c, 404, "admin_disabled", "set the ADMIN_TOKEN secret to enable the admin API");
  const token = bearerToken(c.req.header("authorization"));
  if (!token || !timingSafeEqual(token, admin)) {
    return problem(c, 401, "invalid_admin_token", "send `Authorization: Bearer <ADMIN_TOKEN>`", undefined, {
      "www-authenticate": 'Bearer realm="nightshift-admin"',
    });
  }
  await next();
});
