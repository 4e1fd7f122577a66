/**
 * Where and for whom a PostHog event happened, as readable lines for
 * signal content: page or screen, release, environment, user (distinct_id),
 * SDK, and the event's own (non-`$`) properties.
 */
import { clip, firstText, showValue } from "./text";

const MAX_CUSTOM_PROPERTIES = 15;

export const RELEASE_KEYS = ["release", "$release", "$release_id", "$app_version", "app_version", "$app_release"];
export const ENVIRONMENT_KEYS = ["environment", "$environment", "env", "$env"];
/** properties that have a line of their own (or are secrets) */
const SHOWN_ELSEWHERE = new Set([...RELEASE_KEYS, ...ENVIRONMENT_KEYS, "token", "api_key", "distinct_id"]);

/** Custom (non-`$`) properties, one `key: value` per line, for context. */
export function customProperties(props: Record<string, unknown>, max = MAX_CUSTOM_PROPERTIES): string[] {
  const keys = Object.keys(props).filter((k) => !k.startsWith("$") && !SHOWN_ELSEWHERE.has(k));
  const lines = keys.slice(0, max).map((k) => `  ${clip(k, 80)}: ${showValue(props[k])}`);
  if (keys.length > max) lines.push(`  (${keys.length - max} more properties)`);
  return lines;
}

export interface ContextLines {
  url?: string;
  release?: string;
  environment?: string;
  lib?: string;
  user?: string;
}

export function contextOf(props: Record<string, unknown>, distinctId: unknown): ContextLines {
  const lib = firstText(props, ["$lib"]);
  const libVersion = firstText(props, ["$lib_version"]);
  const user = typeof distinctId === "string" || typeof distinctId === "number" ? String(distinctId) : firstText(props, ["distinct_id"]);
  // bounded here: these also go into the signal's metadata (at most 16 KiB)
  const bounded = (v: string | undefined, max: number) => (v === undefined ? undefined : clip(v, max));
  return {
    url: bounded(firstText(props, ["$current_url", "$screen_name", "$pathname"]), 2000),
    release: bounded(firstText(props, RELEASE_KEYS), 200),
    environment: bounded(firstText(props, ENVIRONMENT_KEYS), 100),
    lib: bounded(lib ? `${lib}${libVersion ? ` ${libVersion}` : ""}` : undefined, 100),
    user: bounded(user, 200),
  };
}

export function contextText(ctx: ContextLines): string[] {
  const lines: string[] = [];
  if (ctx.url) lines.push(`url: ${clip(ctx.url, 500)}`);
  if (ctx.release) lines.push(`release: ${clip(ctx.release, 200)}`);
  if (ctx.environment) lines.push(`environment: ${clip(ctx.environment, 100)}`);
  if (ctx.user) lines.push(`user: ${clip(ctx.user, 200)}`);
  if (ctx.lib) lines.push(`library: ${clip(ctx.lib, 100)}`);
  return lines;
}
