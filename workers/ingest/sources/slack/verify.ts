/**
 * Slack request signatures (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256 of
 * "v0:<timestamp>:<raw body>">` with the app's signing secret, and
 * `X-Slack-Request-Timestamp` within five minutes of now, both ways (Slack's
 * "Verifying requests from Slack"; the published test vector is in
 * test/fixtures/clients). The HMAC is WebCrypto's, and the comparison is
 * `crypto.subtle.verify`, constant-time; no SDK. Machine-readable codes; the
 * clock is a parameter so tests can pin it.
 */

/** Slack's replay window, in seconds, both ways. */
export const SLACK_MAX_SKEW_SECONDS = 300;

export interface SlackSignatureInput {
  signingSecret: string;
  /** the raw body exactly as received, before any parsing */
  body: string;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  /** epoch milliseconds; defaults to the real clock */
  nowMs?: number;
}

export type SlackVerdict =
  | { ok: true }
  | { ok: false; code: "missing_signature" | "stale_timestamp" | "invalid_signature"; detail: string };

const encoder = new TextEncoder();
const SIGNATURE = /^v0=([0-9a-f]{64})$/i;

export async function verifySlackSignature(input: SlackSignatureInput): Promise<SlackVerdict> {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) {
    return { ok: false, code: "missing_signature", detail: "send X-Slack-Signature and X-Slack-Request-Timestamp" };
  }
  const nowMs = input.nowMs ?? Date.now();
  const ts = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isFinite(ts) || Math.abs(Math.floor(nowMs / 1000) - ts) > SLACK_MAX_SKEW_SECONDS) {
    return {
      ok: false,
      code: "stale_timestamp",
      detail: `X-Slack-Request-Timestamp must be within ${SLACK_MAX_SKEW_SECONDS} s of now (replay protection)`,
    };
  }
  const hex = SIGNATURE.exec(signature)?.[1];
  if (!hex) return { ok: false, code: "invalid_signature", detail: "X-Slack-Signature must be v0= and 64 hex digits" };
  const mac = new Uint8Array(32);
  for (let i = 0; i < 32; i++) mac[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  const key = await crypto.subtle.importKey("raw", encoder.encode(input.signingSecret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const valid = await crypto.subtle.verify("HMAC", key, mac, encoder.encode(`v0:${timestamp}:${input.body}`));
  return valid ? { ok: true } : { ok: false, code: "invalid_signature", detail: "the Slack signature does not match the body" };
}
