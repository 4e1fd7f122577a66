import { describe, expect, it } from "vitest";
import { MAX_CONTENT_BYTES } from "../../workers/ingest/schema";
import { slackOutcome } from "../../workers/ingest/sources/slack/event";
import { mrkdwnToText } from "../../workers/ingest/sources/slack/mrkdwn";

const callback = (event: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "event_callback",
  team_id: "T1",
  api_app_id: "A1",
  event_id: "Ev123ABC",
  event_time: 1700000000,
  event: { type: "message", channel: "C42", user: "U7", text: "checkout is broken again", ts: "1700000000.000200", channel_type: "channel", ...event },
  ...extra,
});

describe("Slack events → outcomes", () => {
  it("gives a mention one id, whether it arrives as message or app_mention", () => {
    const asMessage = slackOutcome(callback({}, { event_id: "Ev1" }));
    const asMention = slackOutcome(callback({ type: "app_mention" }, { event_id: "Ev2" }));
    const id = (o: ReturnType<typeof slackOutcome>) => (o.kind === "signal" ? o.signal.id : null);
    expect(id(asMessage)).toBe("slack:T1:C42:1700000000.000200");
    expect(id(asMention)).toBe(id(asMessage));
  });

  it("makes a person's message a signal with a readable line", () => {
    const o = slackOutcome(callback({}));
    expect(o).toEqual({
      kind: "signal",
      signal: {
        id: "slack:T1:C42:1700000000.000200",
        source_product: "slack",
        source_type: "message",
        content: "#C42 — U7: checkout is broken again",
        timestamp: 1700000000000,
        metadata: { event_type: "message", team_id: "T1", api_app_id: "A1", channel: "C42", channel_type: "channel", user: "U7", ts: "1700000000.000200" },
      },
    });
  });

  it("takes app mentions, thread broadcasts and file shares", () => {
    const mention = slackOutcome(callback({ type: "app_mention", text: "<@U0BOT> the export times out" }));
    expect(mention.kind === "signal" && mention.signal.content).toBe("#C42 — U7: @U0BOT the export times out");
    const file = slackOutcome(callback({ subtype: "file_share", text: "", files: [{ name: "error.png", title: "stack trace" }] }));
    expect(file.kind === "signal" && file.signal.content).toBe("#C42 — U7: [file: stack trace]");
    expect(slackOutcome(callback({ subtype: "thread_broadcast" })).kind).toBe("signal");
  });

  it("ignores bots, edits, deletions, joins, other event types and empty messages", () => {
    const reason = (o: ReturnType<typeof slackOutcome>) => (o.kind === "ignored" ? o.reason : o.kind);
    expect(reason(slackOutcome(callback({ bot_id: "B1" })))).toBe("bot_message");
    expect(reason(slackOutcome(callback({ subtype: "bot_message", user: undefined })))).toBe("bot_message");
    expect(reason(slackOutcome(callback({ subtype: "message_changed", hidden: true })))).toBe("subtype:message_changed");
    expect(reason(slackOutcome(callback({ subtype: "message_deleted", hidden: true })))).toBe("subtype:message_deleted");
    expect(reason(slackOutcome(callback({ subtype: "channel_join" })))).toBe("subtype:channel_join");
    expect(reason(slackOutcome(callback({ type: "reaction_added" })))).toBe("event_type:reaction_added");
    expect(reason(slackOutcome(callback({ text: "   " })))).toBe("empty_message");
    expect(reason(slackOutcome({ type: "app_rate_limited" }))).toBe("callback_type:app_rate_limited");
  });

  it("echoes url_verification and flags malformed callbacks", () => {
    expect(slackOutcome({ type: "url_verification", token: "x", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" })).toEqual({
      kind: "challenge",
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
    expect(slackOutcome({ type: "url_verification" }).kind).toBe("invalid");
    expect(slackOutcome(callback({}, { event_id: "has spaces" })).kind).toBe("invalid");
    expect(slackOutcome({ type: "event_callback", event_id: "Ev1" }).kind).toBe("invalid");
  });

  it("keeps very long messages under the content limit", () => {
    const o = slackOutcome(callback({ text: "é😀".repeat(30_000) }));
    if (o.kind !== "signal") throw new Error(o.kind);
    expect(new TextEncoder().encode(o.signal.content).byteLength).toBeLessThanOrEqual(MAX_CONTENT_BYTES);
    expect(o.signal.content).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(o.signal.content.endsWith("… (truncated)")).toBe(true);
  });
});

describe("mrkdwnToText", () => {
  it("turns Slack's control sequences into plain text", () => {
    expect(
      mrkdwnToText("<!here> <@U1|ana> in <#C9|payments>: see <https://status.example.com/x?a=1&amp;b=2|the status page> or <https://a.example> &lt;3 <mailto:ops@example.com|ops@example.com> <!subteam^S1|@oncall>"),
    ).toBe("@here @ana in #payments: see the status page (https://status.example.com/x?a=1&b=2) or https://a.example <3 ops@example.com @oncall");
  });
});
