/**
 * Secrets at rest (issue 8): a project's source secrets (Slack signing secret,
 * GitHub webhook secret) and its external MCP servers' tokens are stored in D1
 * sealed with AES-256-GCM under a key derived (HKDF-SHA-256) from the Worker
 * secret `SECRETS_KEY`. WebCrypto only.
 *
 * Stored format, versioned: `v1:<iv base64>:<ciphertext+tag base64>` (12-byte
 * random IV, 16-byte tag). The caller's `context` (e.g.
 * `projects/<id>/slack_signing_secret`) is the additional authenticated data,
 * so a sealed value copied to another project or field does not open.
 *
 * Contract:
 * - `seal` throws `SecretsKeyMissing` when SECRETS_KEY is unset (production
 *   must `wrangler secret put SECRETS_KEY`; the `local` wrangler environment
 *   sets a dev default, LOCAL_DEV_SECRETS_KEY, so the demo needs no setup).
 * - `open` returns the plaintext; a value without the `v1:` shape is a legacy
 *   plaintext row (written before encryption) and comes back as it is, key or
 *   no key. A `v1:` value that does not open (tampered, wrong key, other
 *   context) throws `SecretUnreadable`; with no key it throws SecretsKeyMissing.
 */

export interface SecretsEnv {
  /** a secret (`wrangler secret put SECRETS_KEY`): any long random string; HKDF turns it into the AES key */
  SECRETS_KEY?: string;
}

/** The `local` wrangler environment's key ([env.local.vars]); never for production. */
export const LOCAL_DEV_SECRETS_KEY = "local-only-secrets-key-not-for-production";

export class SecretsKeyMissing extends Error {
  readonly code = "secrets_key_missing";
  constructor() {
    super("SECRETS_KEY is not set: secrets cannot be stored or read encrypted. Set it with `wrangler secret put SECRETS_KEY` (any long random string; keep it, rows sealed under it need it)");
  }
}

export class SecretUnreadable extends Error {
  readonly code = "secret_unreadable";
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
// linear: one character class, anchored, no nesting
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

const keys = new Map<string, Promise<CryptoKey>>();

function aesKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = (async () => {
      const ikm = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
      return crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: encoder.encode("nightshift secret-box"), info: encoder.encode(`${VERSION} aes-256-gcm`) },
        ikm,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      );
    })();
    if (keys.size > 8) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array | null {
  if (!B64.test(text) || text.length % 4 !== 0) return null;
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

function keyOf(env: SecretsEnv): string | null {
  const key = env.SECRETS_KEY?.trim();
  return key ? key : null;
}

/** Whether a stored value is sealed (has the versioned shape) rather than legacy plaintext. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(`${VERSION}:`) && stored.split(":").length === 3;
}

export async function seal(env: SecretsEnv, plaintext: string, context: string): Promise<string> {
  const secret = keyOf(env);
  if (!secret) throw new SecretsKeyMissing();
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, await aesKey(secret), encoder.encode(plaintext)),
  );
  return `${VERSION}:${toBase64(iv)}:${toBase64(ct)}`;
}

export async function open(env: SecretsEnv, stored: string, context: string): Promise<string> {
  if (!isSealed(stored)) return stored; // legacy plaintext row
  const secret = keyOf(env);
  if (!secret) throw new SecretsKeyMissing();
  const [, ivText, ctText] = stored.split(":");
  const iv = fromBase64(ivText);
  const ct = fromBase64(ctText);
  if (!iv || iv.length !== IV_BYTES || !ct || ct.length < TAG_BYTES) throw new SecretUnreadable(`the sealed secret for ${context} is malformed`);
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, await aesKey(secret), ct);
    return new TextDecoder().decode(plain);
  } catch {
    throw new SecretUnreadable(`the sealed secret for ${context} does not open: it was altered, or sealed under another SECRETS_KEY or for another field`);
  }
}

/** Seals a value, or passes null (a cleared secret) through. */
export async function sealNullable(env: SecretsEnv, plaintext: string | null, context: string): Promise<string | null> {
  return plaintext === null ? null : seal(env, plaintext, context);
}

/** The context (AAD) of one of a project's secrets. */
export function secretContext(project: string, field: string): string {
  return `projects/${project}/${field}`;
}

/** `open` for a request path: the plaintext, or the code and detail of a 503/500 problem. */
export async function openForRequest(
  env: SecretsEnv,
  stored: string,
  context: string,
): Promise<{ ok: true; value: string } | { ok: false; status: 500 | 503; code: string; detail: string }> {
  try {
    return { ok: true, value: await open(env, stored, context) };
  } catch (err) {
    if (err instanceof SecretsKeyMissing) return { ok: false, status: 503, code: err.code, detail: err.message };
    if (err instanceof SecretUnreadable) return { ok: false, status: 500, code: err.code, detail: `${err.message}; set the secret again with PATCH /v1/project` };
    throw err;
  }
}
