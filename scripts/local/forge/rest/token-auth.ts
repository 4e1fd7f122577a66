/**
 * The REST API's credential check, as GitHub takes a token:
 * `Authorization: token <t>` or `Authorization: Bearer <t>`. Both sides are
 * hashed and compared in constant time (as ../basic-auth.ts does for git),
 * so neither timing nor length tells anything about the configured token.
 *
 * Contract: `bearerMatches(header, token)` is true only for one of those two
 * schemes (case-insensitive) carrying exactly `token`. Headers over 4 KiB are
 * refused without parsing.
 */
import { createHash, timingSafeEqual } from "node:crypto";

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

export function bearerMatches(authorization: string | undefined, token: string): boolean {
  if (!authorization || authorization.length > 4096) return false;
  const space = authorization.indexOf(" ");
  if (space < 0) return false;
  const scheme = authorization.slice(0, space).toLowerCase();
  if (scheme !== "token" && scheme !== "bearer") return false;
  return timingSafeEqual(digest(authorization.slice(space + 1).trim()), digest(token));
}
