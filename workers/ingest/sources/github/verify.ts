/**
 * GitHub webhook signatures: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of
 * the raw body>` with the webhook's secret. The HMAC and its constant-time
 * comparison are @octokit/webhooks-methods' `verify`; this wrapper checks the
 * header's shape first (the library's Web build throws on a non-hex value)
 * and answers with machine-readable codes.
 */
import { verify } from "@octokit/webhooks-methods";

export type GithubVerdict = { ok: true } | { ok: false; code: "missing_signature" | "invalid_signature"; detail: string };

const SHAPE = /^sha256=[0-9a-f]{64}$/i;

export async function verifyGithubSignature(secret: string, rawBody: string, header: string | null | undefined): Promise<GithubVerdict> {
  if (!header) return { ok: false, code: "missing_signature", detail: "send X-Hub-Signature-256 (set a secret on the GitHub webhook)" };
  const signature = header.trim();
  if (!SHAPE.test(signature)) {
    return { ok: false, code: "invalid_signature", detail: "X-Hub-Signature-256 must be `sha256=` and 64 hex digits" };
  }
  let ok = false;
  try {
    ok = rawBody.length > 0 && (await verify(secret, rawBody, signature.toLowerCase()));
  } catch {
    ok = false;
  }
  return ok ? { ok: true } : { ok: false, code: "invalid_signature", detail: "X-Hub-Signature-256 does not match the body and the project's webhook secret" };
}
