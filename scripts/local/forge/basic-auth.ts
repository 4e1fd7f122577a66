/**
 * HTTP Basic credentials as GitHub's git hosting takes them for a token:
 * user `x-access-token`, password the token. The comparison hashes both sides
 * and compares in constant time, so neither timing nor length tells anything
 * about the configured token. Nothing here logs or returns the token.
 *
 * Contract: `tokenMatches(header, token)` is true only for
 * `Authorization: Basic base64("x-access-token:" + token)`.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export const TOKEN_USER = "x-access-token";

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

export function tokenMatches(authorization: string | undefined, token: string): boolean {
  if (!authorization || authorization.length > 4096) return false;
  const space = authorization.indexOf(" ");
  if (space < 0 || authorization.slice(0, space).toLowerCase() !== "basic") return false;
  const decoded = Buffer.from(authorization.slice(space + 1).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const same = timingSafeEqual(digest(password), digest(token));
  return same && user === TOKEN_USER;
}

/** The header value a client sends for `token` (for tests and the Worker side). */
export function basicAuthHeader(token: string): string {
  return "Basic " + Buffer.from(`${TOKEN_USER}:${token}`, "utf8").toString("base64");
}
