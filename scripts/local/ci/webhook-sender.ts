/**
 * Delivers one webhook the way GitHub does: POST `url` with the JSON body,
 * `X-GitHub-Event`, a fresh `X-GitHub-Delivery` GUID (kept across retries, as
 * a GitHub redelivery keeps it, so the receiver can drop duplicates),
 * `X-Hub-Signature-256` = @octokit/webhooks-methods `sign(secret, body)` over
 * the exact bytes sent, and GitHub's other hook headers.
 *
 * Retries a network error, a timeout or a 5xx up to `retries` more times with
 * doubling backoff; a 2xx/3xx/4xx answer is final. Never throws: the result
 * says the last status (0 when no answer) and the attempts made.
 */
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";

export interface WebhookDelivery {
  url: string;
  secret: string;
  event: string;
  payload: unknown;
  /** default a new UUID */
  deliveryId?: string;
  /** extra attempts after the first, default 3 */
  retries?: number;
  /** first backoff, doubled each retry; default 250 ms */
  backoffMs?: number;
  /** per attempt, default 10 s */
  timeoutMs?: number;
  hookId?: number;
  installationId?: number;
}

export interface WebhookResult {
  ok: boolean;
  status: number;
  attempts: number;
  deliveryId: string;
  /** the last network error, when there was no answer */
  error?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function sendWebhook(d: WebhookDelivery): Promise<WebhookResult> {
  const deliveryId = d.deliveryId ?? randomUUID();
  const body = JSON.stringify(d.payload);
  const signature = await sign(d.secret, body);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/nightshift-local-ci",
    "x-github-event": d.event,
    "x-github-delivery": deliveryId,
    "x-hub-signature-256": signature,
    "x-github-hook-id": String(d.hookId ?? 1),
  };
  if (d.installationId !== undefined) {
    headers["x-github-hook-installation-target-type"] = "integration";
    headers["x-github-hook-installation-target-id"] = String(d.installationId);
  }
  const retries = d.retries ?? 3;
  let backoff = d.backoffMs ?? 250;
  let status = 0;
  let error: string | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(d.url, { method: "POST", headers, body, signal: AbortSignal.timeout(d.timeoutMs ?? 10_000), redirect: "manual" });
      status = res.status;
      error = undefined;
      await res.arrayBuffer().catch(() => undefined); // drain so the connection is reused
      if (status < 500) return { ok: status >= 200 && status < 300, status, attempts: attempt, deliveryId };
    } catch (e) {
      status = 0;
      error = e instanceof Error ? e.message : String(e);
    }
    if (attempt > retries) return { ok: false, status, attempts: attempt, deliveryId, ...(error ? { error } : {}) };
    await sleep(backoff);
    backoff *= 2;
  }
}
