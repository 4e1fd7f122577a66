/**
 * Where a Sentry SDK puts its DSN public key, which nightshift takes as the
 * project API key: the `X-Sentry-Auth: Sentry sentry_key=…, sentry_version=7`
 * header (older SDKs, the store endpoint), the same in `Authorization:
 * Sentry …`, `Authorization: Bearer <key>`, or the `sentry_key` query
 * parameter (what current SDKs send with envelopes). Headers win over the query.
 */
import { bearerToken } from "../../auth";

/** What SDKs send is ~150 characters (key, version, client, timestamp); a longer header is not one. */
const MAX_AUTH_HEADER = 2048;

/** `Sentry sentry_key=abc, sentry_version=7` → `{sentry_key: "abc", sentry_version: "7"}` */
export function parseSentryAuth(header: string | undefined): Record<string, string> | null {
  if (!header || header.length > MAX_AUTH_HEADER) return null;
  // the spaces around "Sentry" are taken whole (`(?=(\s+))\1`, an atomic \s+): giving some back never
  // lets `(.*)$` match, it only re-read the rest once per space (quadratic on a header of spaces)
  const m = /^(?=(\s*))\1Sentry(?=(\s+))\2(.*)$/i.exec(header);
  if (!m) return null;
  const out: Record<string, string> = {};
  for (const part of m[3].split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    if (name && value) out[name] = value;
  }
  return out;
}

export interface KeySources {
  xSentryAuth?: string;
  authorization?: string;
  query?: string;
}

/** The key the request carries, or null when it carries none. */
export function sentryKey(from: KeySources): string | null {
  return (
    parseSentryAuth(from.xSentryAuth)?.sentry_key ??
    parseSentryAuth(from.authorization)?.sentry_key ??
    bearerToken(from.authorization) ??
    (from.query?.trim() || null)
  );
}
