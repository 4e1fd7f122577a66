/**
 * The shapes a PostHog capture request body takes, validated with zod:
 * `{api_key, batch: [events], sent_at?}` (posthog-node `/batch/`), a bare
 * array of events (posthog-js `/e/`), or one event `{api_key, event, …}`.
 * The project key may sit in `api_key` or `token` at the top, or in an
 * event's `api_key`, `token` or `properties.token`.
 */
import { z } from "zod";
import type { FieldError } from "../../problem";
import { fieldName } from "../../schema";

export const PostHogEvent = z.looseObject({
  event: z.string().trim().min(1).max(400),
  uuid: z.string().max(200).optional(),
  distinct_id: z.union([z.string(), z.number()]).nullish(),
  timestamp: z.union([z.string(), z.number()]).nullish(),
  /** ms before `sent_at` at which the event happened (posthog-js, when there is no timestamp) */
  offset: z.number().nullish(),
  properties: z.record(z.string(), z.unknown()).nullish(),
  api_key: z.string().nullish(),
  token: z.string().nullish(),
});
export type PostHogEvent = z.infer<typeof PostHogEvent>;

const Envelope = z.looseObject({
  api_key: z.string().nullish(),
  token: z.string().nullish(),
  sent_at: z.union([z.string(), z.number()]).nullish(),
  batch: z.array(z.unknown()),
});

export interface PostHogPayload {
  apiKey: string | null;
  events: PostHogEvent[];
  /** epoch ms the SDK sent the batch, when it said */
  sentAt: number | null;
}

export type PayloadResult = { ok: true; value: PostHogPayload } | { ok: false; code: string; detail: string; errors?: FieldError[] };

/** The latest time a Date holds; later (or NaN) is no time at all. */
const MAX_DATE_MS = 8.64e15;

function epochMs(v: string | number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const ms = typeof v === "number" ? v : Date.parse(v);
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? ms : null;
}

function keyOf(e: PostHogEvent): string | null {
  const fromProps = e.properties?.token;
  return e.api_key || e.token || (typeof fromProps === "string" && fromProps ? fromProps : null);
}

/** How many events a capture body holds, before any is validated (for the per-request cap). */
export function rawEventCount(json: unknown): number {
  if (Array.isArray(json)) return json.length;
  if (json && typeof json === "object" && "batch" in json) {
    const batch = (json as { batch: unknown }).batch;
    return Array.isArray(batch) ? batch.length : 0;
  }
  return json && typeof json === "object" ? 1 : 0;
}

export function parsePostHogPayload(json: unknown, queryKey: string | null = null): PayloadResult {
  let raw: unknown[];
  let topKey: string | null = null;
  let sentAt: number | null = null;
  let prefix: string;
  if (Array.isArray(json)) {
    raw = json;
    prefix = "";
  } else if (json && typeof json === "object" && "batch" in json) {
    const env = Envelope.safeParse(json);
    if (!env.success) {
      const errors = env.error.issues.slice(0, 20).map((i) => ({ field: fieldName(i.path), message: i.message }));
      return { ok: false, code: "invalid_payload", detail: `${errors[0].field}: ${errors[0].message}`, errors };
    }
    raw = env.data.batch;
    topKey = env.data.api_key || env.data.token || null;
    sentAt = epochMs(env.data.sent_at);
    prefix = "batch";
  } else if (json && typeof json === "object" && "event" in json) {
    raw = [json];
    prefix = "";
  } else {
    return { ok: false, code: "invalid_payload", detail: "expected {api_key, batch: [events]}, an array of events, or one event {api_key, event, properties}" };
  }

  const events: PostHogEvent[] = [];
  const errors: FieldError[] = [];
  raw.forEach((item, i) => {
    const parsed = PostHogEvent.safeParse(item);
    if (parsed.success) events.push(parsed.data);
    else {
      const at = prefix ? [prefix, i] : Array.isArray(json) ? [i] : [];
      for (const issue of parsed.error.issues) errors.push({ field: fieldName([...at, ...issue.path]), message: issue.message });
    }
  });
  if (errors.length) {
    return { ok: false, code: "invalid_event", detail: `${errors[0].field}: ${errors[0].message}`, errors: errors.slice(0, 20) };
  }
  const apiKey = topKey ?? events.map(keyOf).find((k) => k) ?? queryKey ?? null;
  return { ok: true, value: { apiKey, events, sentAt } };
}

/** When the event happened, in epoch ms: its timestamp, else `sent_at - offset`. */
export function eventTime(e: PostHogEvent, sentAt: number | null): number | undefined {
  const ts = epochMs(e.timestamp);
  if (ts !== null && ts >= 0) return Math.round(ts);
  if (sentAt !== null && typeof e.offset === "number") {
    const t = Math.round(sentAt - e.offset);
    return t >= 0 && t <= MAX_DATE_MS ? t : undefined;
  }
  return undefined;
}
