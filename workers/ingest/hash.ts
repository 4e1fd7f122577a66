/** Hex SHA-256 and constant-time comparison for API keys and tokens. */

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function timingSafeEqual(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  if (ea.length !== eb.length) return false;
  return crypto.subtle.timingSafeEqual(ea, eb);
}

/**
 * A new project API key: `ns_` + 32 random bytes in hex. Word characters
 * only, so the key also works as the public key of a Sentry DSN.
 */
export function newApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `ns_${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A new project id: 10 digits, so it also works as the project of a Sentry DSN. */
export function newProjectId(): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0] % 9_000_000_000;
  return String(1_000_000_000 + n);
}
