/**
 * Slack request signatures (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256 of
 * "v0:<timestamp>:<raw body>">` with the app's signing secret, and
 * `X-Slack-Request-Timestamp` within five minutes of now. The HMAC and the
 * staleness rule are @slack/bolt's own `verifySlackRequest` (imported alone,
 * without Bolt's express-based entry); this wrapper adds the future half of
 * the replay window, which Bolt leaves open, and machine-readable codes.
 * The clock is a parameter so tests can pin it.
 */
import { verifySlackRequest } from "@slack/bolt/dist/receivers/verify-request";

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

export function verifySlackSignature(input: SlackSignatureInput): SlackVerdict {
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
  try {
    verifySlackRequest({
      signingSecret: input.signingSecret,
      body: input.body,
      headers: { "x-slack-signature": signature, "x-slack-request-timestamp": ts },
      nowMilliseconds: nowMs,
    });
    return { ok: true };
  } catch (e) {
    return { ok: false, code: "invalid_signature", detail: `the Slack signature does not match the body (${(e as Error).message})` };
  }
}
