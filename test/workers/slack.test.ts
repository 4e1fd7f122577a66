import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, BASE, createProject, settled } from "./helpers";

const SECRET = "test-slack-signing-secret";

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Signs like Slack: v0=HMAC-SHA256(secret, "v0:<ts>:<body>"). */
async function slackHeaders(body: string, opts: { secret?: string; ts?: number } = {}) {
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  return {
    "content-type": "application/json",
    "x-slack-request-timestamp": ts,
    "x-slack-signature": `v0=${await hmacHex(opts.secret ?? SECRET, `v0:${ts}:${body}`)}`,
  };
}

async function slackProject(id: string): Promise<string> {
  const key = await createProject(id);
  const res = await api(key, "/v1/project", { method: "PATCH", body: JSON.stringify({ slack_signing_secret: SECRET }) });
  if (res.status !== 200) throw new Error(`patch: ${res.status}`);
  return key;
}

const post = (project: string, body: string, headers: Record<string, string>) =>
  SELF.fetch(`${BASE}/slack/events/${project}`, { method: "POST", body, headers });

function messageEvent(eventId: string, event: Record<string, unknown> = {}) {
  return JSON.stringify({
    token: "legacy-verification-token",
    team_id: "T0001",
    api_app_id: "A0001",
    type: "event_callback",
    event_id: eventId,
    event_time: 1763961097,
    event: { type: "message", channel: "C0SUPPORT", user: "U0ANA", text: "checkout throws <https://shop.example.com/checkout|on the pay step> for every EU card", ts: "1763961097.000100", channel_type: "channel", ...event },
  });
}

async function waitForRow(project: string, id: string) {
  for (let i = 0; i < 400; i++) {
    const row = await env.DB.prepare("SELECT * FROM signals WHERE project_id = ? AND id = ?").bind(project, id).first<Record<string, unknown>>();
    if (row) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`signal ${id} never reached D1`);
}

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return (await res.json()) as { status: number; code: string };
}

describe("POST /slack/events/:project", () => {
  it("answers the url_verification challenge once the signature checks out", async () => {
    await slackProject("sl-challenge");
    const body = JSON.stringify({ token: "t", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" });
    const ok = await post("sl-challenge", body, await slackHeaders(body));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
    const unsigned = await post("sl-challenge", body, { "content-type": "application/json" });
    expect([unsigned.status, (await problemOf(unsigned)).code]).toEqual([401, "missing_signature"]);
  });

  it("turns a person's message into a slack signal, stored once however often Slack retries it", async () => {
    const key = await slackProject("sl-message");
    const body = messageEvent("Ev0MSG1");
    const first = await post("sl-message", body, await slackHeaders(body));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, accepted: 1, dropped: 0, signals: [{ id: "slack:T0001:C0SUPPORT:1763961097.000100", status: "accepted" }] });
    // Slack's retry: same event, new timestamp and signature, retry headers
    const retry = await post("sl-message", body, { ...(await slackHeaders(body)), "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    expect(await retry.json()).toMatchObject({ ok: true, signals: [{ id: "slack:T0001:C0SUPPORT:1763961097.000100" }] });
    // a later message: once it is stored, both copies of the first have been delivered
    // a follow-up that adds a detail (a bare "same here" echo is triage noise and would not be grouped)
    const later = messageEvent("Ev0MSG2", { text: "same here, card payments fail on the pay step for UK cards too", ts: "1763961100.000200" });
    await post("sl-message", later, await slackHeaders(later));
    await waitForRow("sl-message", "slack:T0001:C0SUPPORT:1763961100.000200");

    const row = await waitForRow("sl-message", "slack:T0001:C0SUPPORT:1763961097.000100");
    expect(row).toMatchObject({
      source_product: "slack",
      source_type: "message",
      content: "#C0SUPPORT — U0ANA: checkout throws on the pay step (https://shop.example.com/checkout) for every EU card",
      timestamp: 1763961097000,
    });
    expect(JSON.parse(row.metadata as string)).toMatchObject({ channel: "C0SUPPORT", user: "U0ANA", team_id: "T0001" });
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM signals WHERE project_id = 'sl-message' AND id = 'slack:T0001:C0SUPPORT:1763961097.000100'").first<{ n: number }>();
    expect(count?.n).toBe(1);
    await settled(key);
    const reports = (await (await api(key, "/v1/reports")).json()) as { reports: { signal_count: number }[] };
    expect(reports.reports.reduce((a, r) => a + r.signal_count, 0)).toBe(2);
  });

  it("ignores bot messages and edits with a 200, storing nothing", async () => {
    await slackProject("sl-bot");
    const cases: [string, Record<string, unknown>, string][] = [
      ["Ev0BOT1", { bot_id: "B0DEPLOY", text: "deploy finished" }, "bot_message"],
      ["Ev0BOT2", { subtype: "bot_message", user: undefined, text: "alert: p95 high" }, "bot_message"],
      ["Ev0EDIT", { subtype: "message_changed", hidden: true }, "subtype:message_changed"],
    ];
    for (const [id, event, reason] of cases) {
      const body = messageEvent(id, event);
      const res = await post("sl-bot", body, await slackHeaders(body));
      expect([id, res.status, await res.json()]).toEqual([id, 200, { ok: true, accepted: 0, ignored: reason }]);
    }
    const human = messageEvent("Ev0HUMAN");
    await post("sl-bot", human, await slackHeaders(human));
    await waitForRow("sl-bot", "slack:T0001:C0SUPPORT:1763961097.000100");
    const rows = await env.DB.prepare("SELECT id FROM signals WHERE project_id = 'sl-bot'").all<{ id: string }>();
    expect(rows.results.map((r) => r.id)).toEqual(["slack:T0001:C0SUPPORT:1763961097.000100"]);
  });

  it("rejects a replayed old request, a tampered body and a wrong secret with 401 problems", async () => {
    await slackProject("sl-bad");
    const body = messageEvent("Ev0BAD");
    const old = await post("sl-bad", body, await slackHeaders(body, { ts: Math.floor(Date.now() / 1000) - 6 * 60 }));
    expect([old.status, (await problemOf(old)).code]).toEqual([401, "stale_timestamp"]);

    const headers = await slackHeaders(body);
    const tampered = await post("sl-bad", body.replace("every EU card", "every card"), headers);
    expect([tampered.status, (await problemOf(tampered)).code]).toEqual([401, "invalid_signature"]);

    const wrong = await post("sl-bad", body, await slackHeaders(body, { secret: "someone-elses-secret" }));
    expect([wrong.status, (await problemOf(wrong)).code]).toEqual([401, "invalid_signature"]);

    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM dropped_signals WHERE project_id = 'sl-bad'").first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("answers 404 for an unknown project, 409 without a signing secret, 400 for a signed non-JSON body", async () => {
    const body = messageEvent("Ev0X");
    const unknown = await post("no-such-project", body, await slackHeaders(body));
    expect([unknown.status, (await problemOf(unknown)).code]).toEqual([404, "unknown_project"]);

    await createProject("sl-nosecret");
    const unset = await post("sl-nosecret", body, await slackHeaders(body));
    expect([unset.status, (await problemOf(unset)).code]).toEqual([409, "slack_not_configured"]);

    await slackProject("sl-form");
    const form = "token=x&command=%2Fbug&text=hello";
    const notJson = await post("sl-form", form, { ...(await slackHeaders(form)), "content-type": "application/x-www-form-urlencoded" });
    expect([notJson.status, (await problemOf(notJson)).code]).toEqual([400, "invalid_json"]);
  });
});
