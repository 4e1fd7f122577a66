/**
 * Signal ids that adapters compose from what a source sends (`slack:<team>:
 * <channel>:<ts>`, `posthog:<uuid>`…) must pass the rule every signal id is
 * held to, in the intake and again in the queue consumer: 1..128 characters
 * of letters, digits and `. _ : @ -`. An id composed from long or odd parts
 * would be accepted and then dead-lettered by the consumer, so adapters pass
 * their composed id through `boundedSignalId`: kept when it passes, else
 * replaced by `<prefix>:sha256-<40 hex>` of itself (the same input always
 * gives the same id, so retries still deduplicate).
 */
import { sha256Hex } from "./hash";

export const MAX_SIGNAL_ID = 128;
export const SIGNAL_ID = /^[A-Za-z0-9._:@-]+$/;

export function isSignalId(id: string): boolean {
  return id.length >= 1 && id.length <= MAX_SIGNAL_ID && SIGNAL_ID.test(id);
}

/** `id` if it is a valid signal id, else a stable hash of it under `prefix` (a short valid id prefix such as `slack`). */
export async function boundedSignalId(prefix: string, id: string): Promise<string> {
  if (isSignalId(id)) return id;
  return `${prefix}:sha256-${(await sha256Hex(id)).slice(0, 40)}`;
}
