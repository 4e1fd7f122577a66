/**
 * GitHub `issues` events → signals.
 *
 * Idempotency: `opened` and `edited` share one id per issue,
 * `github:issue:<issue.id>` (GitHub's global issue id, stable across title
 * changes), so an issue counts once however often it is edited, and an edit
 * that arrives for an issue opened before the webhook existed still counts it
 * once. `reopened` means the problem came back: each reopen is a new
 * occurrence, id `github:issue:<issue.id>:reopened:<X-GitHub-Delivery>`, so a
 * redelivery of the same reopen is still stored once. Other actions (closed,
 * labeled, assigned, …) are not signals.
 */
import type { SignalInput } from "../../schema";
import { truncateUtf8 } from "../logs/text";
import type { IssuesPayload } from "./payloads";

export const ISSUE_SIGNAL_ACTIONS = ["opened", "edited", "reopened"] as const;

export function issueSignalId(payload: IssuesPayload, deliveryId: string): string {
  const base = `github:issue:${payload.issue.id}`;
  return payload.action === "reopened" ? `${base}:reopened:${deliveryId}` : base;
}

/** The signal for an issue event, or null when the action is not one that counts. */
export function issueSignal(payload: IssuesPayload, deliveryId: string): SignalInput | null {
  if (!(ISSUE_SIGNAL_ACTIONS as readonly string[]).includes(payload.action)) return null;
  const { issue } = payload;
  const labels = (issue.labels ?? []).map((l) => (typeof l === "string" ? l : l.name)).filter(Boolean);
  const repo = payload.repository?.full_name;
  const lines = [`Title: ${issue.title.trim()}`, `Body: ${issue.body?.trim() || "(empty)"}`];
  if (repo) lines.push(`Repository: ${repo}`);
  if (labels.length) lines.push(`Labels: ${labels.join(", ")}`);
  if (issue.html_url) lines.push(`URL: ${issue.html_url}`);
  if (payload.action === "reopened") lines.push("Event: the issue was reopened");
  const when = payload.action === "reopened" ? issue.updated_at : issue.created_at;
  const ts = when ? Date.parse(when) : Number.NaN;
  return {
    id: issueSignalId(payload, deliveryId),
    source_product: "github",
    source_type: "issue",
    content: truncateUtf8(lines.join("\n")),
    ...(Number.isFinite(ts) ? { timestamp: ts } : {}),
    metadata: {
      action: payload.action,
      delivery_id: deliveryId,
      ...(repo ? { repository: repo } : {}),
      issue_number: issue.number,
      ...(issue.html_url ? { url: issue.html_url } : {}),
      ...(labels.length ? { labels } : {}),
      ...(issue.user?.login ? { author: issue.user.login } : {}),
    },
  };
}
