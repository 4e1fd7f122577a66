/**
 * What a (verified) Slack Events API request means for nightshift:
 * `url_verification` → echo the challenge; an `event_callback` carrying a
 * person's `message` or `app_mention` → one signal, id `slack:<team>:<channel>:<ts>` so
 * Slack's retries of the same event are stored once; anything else (bot
 * posts, edits, deletions, joins, other event types) → ignored, with a reason.
 */
import { z } from "zod";
import { hasVisibleText } from "../../control-chars";
import type { SignalInput } from "../../schema";
import { mrkdwnToText } from "./mrkdwn";

const UrlVerification = z.object({ type: z.literal("url_verification"), challenge: z.string().min(1).max(1000) });

const MessageEvent = z.looseObject({
  type: z.string(),
  subtype: z.string().optional(),
  channel: z.string().optional(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().nullish(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  hidden: z.boolean().optional(),
  files: z.array(z.looseObject({ name: z.string().optional(), title: z.string().optional() })).optional(),
});

const EventCallback = z.looseObject({
  type: z.literal("event_callback"),
  event_id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "a Slack event id"),
  event_time: z.number().optional(),
  team_id: z.string().optional(),
  api_app_id: z.string().optional(),
  event: MessageEvent,
});

export type SlackOutcome =
  | { kind: "challenge"; challenge: string }
  | { kind: "signal"; signal: SignalInput }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; detail: string };

export const SIGNAL_EVENT_TYPES = new Set(["message", "app_mention"]);
/** message subtypes that are still a person saying something */
const PERSON_SUBTYPES = new Set(["thread_broadcast", "file_share", "me_message"]);

/** ≤ 3 UTF-8 bytes per UTF-16 unit: 16,000 units stay well under the 64 KiB content limit */
const MAX_TEXT_UNITS = 16_000;

function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // do not split a surrogate pair
  return `${text.slice(0, end)} … (truncated)`;
}

function epochMs(ts: string | undefined, eventTime: number | undefined): number | undefined {
  const sec = ts !== undefined && /^\d+(\.\d+)?$/.test(ts) ? Number(ts) : eventTime;
  return sec !== undefined && Number.isFinite(sec) && sec >= 0 ? Math.round(sec * 1000) : undefined;
}

export function slackOutcome(body: unknown): SlackOutcome {
  const type = body && typeof body === "object" ? (body as { type?: unknown }).type : undefined;
  if (type === "url_verification") {
    const v = UrlVerification.safeParse(body);
    return v.success ? { kind: "challenge", challenge: v.data.challenge } : { kind: "invalid", detail: "url_verification without a challenge" };
  }
  if (type !== "event_callback") return { kind: "ignored", reason: `callback_type:${String(type ?? "none").slice(0, 50)}` };

  const parsed = EventCallback.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: "invalid", detail: `${issue.path.join(".") || "body"}: ${issue.message}` };
  }
  const { event_id, event_time, team_id, api_app_id, event: e } = parsed.data;
  if (!SIGNAL_EVENT_TYPES.has(e.type)) return { kind: "ignored", reason: `event_type:${e.type.slice(0, 50)}` };
  if (e.bot_id || e.subtype === "bot_message") return { kind: "ignored", reason: "bot_message" };
  if (e.hidden || (e.subtype && !PERSON_SUBTYPES.has(e.subtype))) return { kind: "ignored", reason: `subtype:${(e.subtype ?? "hidden").slice(0, 50)}` };

  const files = (e.files ?? []).map((f) => f.title || f.name).filter(Boolean);
  const text = [mrkdwnToText(e.text ?? "").trim(), ...files.map((f) => `[file: ${f}]`)].filter(Boolean).join(" ");
  if (!hasVisibleText(text)) return { kind: "ignored", reason: "empty_message" };

  const channel = clipText(e.channel ?? "unknown-channel", 100);
  const user = clipText(e.user ?? "unknown-user", 100);
  const timestamp = epochMs(e.ts, event_time);
  return {
    kind: "signal",
    signal: {
      // one id per message, not per event: a mention arrives as both `message` and `app_mention`;
      // the route passes it through boundedSignalId (a long or odd team, channel or ts is hashed)
      id: e.ts ? `slack:${team_id ?? "team"}:${e.channel ?? "unknown-channel"}:${e.ts}` : `slack:${event_id}`,
      source_product: "slack",
      source_type: "message",
      content: `#${channel} — ${user}: ${clipText(text, MAX_TEXT_UNITS)}`,
      ...(timestamp !== undefined ? { timestamp } : {}),
      metadata: Object.fromEntries(
        Object.entries({ event_type: e.type, team_id, api_app_id, channel, channel_type: e.channel_type, user, ts: e.ts, thread_ts: e.thread_ts })
          .filter((kv): kv is [string, string] => kv[1] !== undefined)
          // each at most 100 characters: metadata stays far below its 16 KiB limit
          .map(([k, v]) => [k, clipText(v, 100)]),
      ),
    },
  };
}
