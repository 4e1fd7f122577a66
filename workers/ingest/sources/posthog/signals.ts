/**
 * PostHog events → nightshift signals. `$exception` events become
 * source_type "exception"; any other event the project lists in its
 * `posthog_signal_events` setting becomes source_type "event". The id is
 * `posthog:<event uuid>` so a batch the SDK retries is stored once (events
 * without a usable uuid get a hash of the event instead).
 */
import { sha256Hex } from "../../hash";
import type { SignalInput } from "../../schema";
import { contextOf, contextText, customProperties } from "./context";
import { eventTime, type PostHogEvent } from "./payload";
import { exceptionText } from "./stack";
import { clip, truncateUtf8 } from "./text";

export const EXCEPTION_EVENT = "$exception";
export const SOURCE_PRODUCT = "posthog";

const SAFE_ID = /^[A-Za-z0-9._:@-]{1,110}$/;

export async function posthogSignalId(e: PostHogEvent): Promise<string> {
  if (e.uuid && SAFE_ID.test(e.uuid)) return `posthog:${e.uuid}`;
  return `posthog:sha256-${(await sha256Hex(JSON.stringify(e))).slice(0, 40)}`;
}

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export async function exceptionSignal(e: PostHogEvent, sentAt: number | null): Promise<SignalInput> {
  const props = e.properties ?? {};
  const chain = exceptionText(props);
  const ctx = contextOf(props, e.distinct_id);
  const level = typeof props.$exception_level === "string" ? clip(props.$exception_level, 20) : undefined;
  const lines = [chain.text, ...contextText(ctx)];
  if (level || chain.handled !== undefined) {
    lines.push(`level: ${[level, chain.handled === undefined ? undefined : chain.handled ? "handled" : "unhandled"].filter(Boolean).join(", ")}`);
  }
  const custom = customProperties(props);
  if (custom.length) lines.push("properties:", ...custom);
  const timestamp = eventTime(e, sentAt);
  return {
    id: await posthogSignalId(e),
    source_product: SOURCE_PRODUCT,
    source_type: "exception",
    content: truncateUtf8(lines.join("\n")),
    ...(timestamp !== undefined ? { timestamp } : {}),
    metadata: withoutUndefined({
      posthog_event: EXCEPTION_EVENT,
      uuid: e.uuid,
      ...ctx,
      level,
      handled: chain.handled,
      exception_types: chain.types,
    }),
  };
}

export async function eventSignal(e: PostHogEvent, sentAt: number | null): Promise<SignalInput> {
  const props = e.properties ?? {};
  const ctx = contextOf(props, e.distinct_id);
  const lines = [`PostHog event: ${clip(e.event, 200)}`, ...contextText(ctx)];
  const custom = customProperties(props, 40);
  if (custom.length) lines.push("properties:", ...custom);
  const timestamp = eventTime(e, sentAt);
  return {
    id: await posthogSignalId(e),
    source_product: SOURCE_PRODUCT,
    source_type: "event",
    content: truncateUtf8(lines.join("\n")),
    ...(timestamp !== undefined ? { timestamp } : {}),
    metadata: withoutUndefined({ posthog_event: e.event, uuid: e.uuid, ...ctx }),
  };
}

/** The project's extra signal events, from its `posthog_signal_events` setting (a JSON array string). */
export function signalEventNames(setting: string | null | undefined): Set<string> {
  if (!setting) return new Set();
  try {
    const names: unknown = JSON.parse(setting);
    return new Set(Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : []);
  } catch {
    return new Set();
  }
}
