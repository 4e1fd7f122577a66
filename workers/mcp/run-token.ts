/**
 * A research run's MCP token: read access to one project, its report tools
 * limited to one report, until an expiry. Stateless, `nsr1.<payload>.<mac>`:
 * the payload (base64url JSON: project, report, expiry) signed with
 * HMAC-SHA-256 under MCP_TOKEN_SECRET, so minting needs no storage and a
 * leaked token dies by itself. The research stage mints one per run
 * (`mintRunToken`) and hands it to its agent instead of the project's key.
 */

export const RUN_TOKEN_PREFIX = "nsr1.";
/** the longest a run token may live */
export const MAX_RUN_TOKEN_TTL_MS = 6 * 60 * 60_000;

export interface RunTokenClaims {
  project: string;
  report: string;
  /** ms since the epoch */
  expires_at: number;
}

export type RunTokenCheck =
  | { ok: true; claims: RunTokenClaims }
  | { ok: false; code: "run_tokens_disabled" | "invalid_run_token" | "expired_run_token"; detail: string };

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  // one character over a multiple of four is no base64 at all (atob would throw)
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  // domain-separated, so the secret signs nothing else by accident
  return crypto.subtle.importKey("raw", encoder.encode(`nightshift mcp run token v1\0${secret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

export async function mintRunToken(secret: string | undefined, claims: RunTokenClaims, now = Date.now()): Promise<string> {
  if (!secret) throw new Error("MCP_TOKEN_SECRET is not set: run tokens are disabled");
  if (!claims.project || !claims.report) throw new Error("a run token names a project and a report");
  if (!(claims.expires_at > now) || claims.expires_at - now > MAX_RUN_TOKEN_TTL_MS) {
    throw new Error(`a run token expires within ${MAX_RUN_TOKEN_TTL_MS} ms from now`);
  }
  const payload = base64url(encoder.encode(JSON.stringify({ p: claims.project, r: claims.report, e: claims.expires_at })));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(payload)));
  return `${RUN_TOKEN_PREFIX}${payload}.${base64url(mac)}`;
}

export async function verifyRunToken(secret: string | undefined, token: string, now = Date.now()): Promise<RunTokenCheck> {
  if (!secret) return { ok: false, code: "run_tokens_disabled", detail: "this deployment has no MCP_TOKEN_SECRET; use the project's API key" };
  const invalid = { ok: false, code: "invalid_run_token", detail: "the run token is malformed or its signature does not match" } as const;
  if (!token.startsWith(RUN_TOKEN_PREFIX) || token.length > 2048) return invalid;
  const parts = token.slice(RUN_TOKEN_PREFIX.length).split(".");
  if (parts.length !== 2) return invalid;
  const [payload, macText] = parts;
  const mac = fromBase64url(macText);
  if (!mac || mac.length !== 32) return invalid;
  // crypto.subtle.verify compares in constant time
  if (!(await crypto.subtle.verify("HMAC", await hmacKey(secret), mac, encoder.encode(payload)))) return invalid;
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(payload) ?? new Uint8Array()));
  } catch {
    return invalid;
  }
  const c = claims as { p?: unknown; r?: unknown; e?: unknown };
  if (typeof c.p !== "string" || typeof c.r !== "string" || typeof c.e !== "number") return invalid;
  if (c.e <= now) return { ok: false, code: "expired_run_token", detail: `the run token expired at ${new Date(c.e).toISOString()}` };
  return { ok: true, claims: { project: c.p, report: c.r, expires_at: c.e } };
}
