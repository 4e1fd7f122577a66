import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifySlackSignature } from "../../workers/ingest/sources/slack/verify";
import vector from "../fixtures/clients/slack_signature_vector.json";

const at = (seconds: number) => seconds * 1000;
const ts = Number(vector.timestamp);
const base = { signingSecret: vector.signing_secret, body: vector.body, signature: vector.signature, timestamp: vector.timestamp };

describe("Slack v0 signatures (Bolt's verifySlackRequest)", () => {
  it("accepts Slack's published example with the clock at its timestamp + 60 s", async () => {
    expect(await verifySlackSignature({ ...base, nowMs: at(ts + 60) })).toEqual({ ok: true });
  });

  it("rejects the same example with the real clock: it is years old", async () => {
    expect(await verifySlackSignature(base)).toMatchObject({ ok: false, code: "stale_timestamp" });
  });

  it("holds the five-minute window both ways", async () => {
    expect(await verifySlackSignature({ ...base, nowMs: at(ts + 300) })).toEqual({ ok: true });
    expect(await verifySlackSignature({ ...base, nowMs: at(ts + 301) })).toMatchObject({ ok: false, code: "stale_timestamp" });
    expect(await verifySlackSignature({ ...base, nowMs: at(ts - 301) })).toMatchObject({ ok: false, code: "stale_timestamp" });
  });

  it("rejects a changed body, a wrong secret, another version and missing headers", async () => {
    const now = at(ts + 60);
    expect(await verifySlackSignature({ ...base, nowMs: now, body: vector.body.replace("roadrunner", "coyote") })).toMatchObject({ ok: false, code: "invalid_signature" });
    expect(await verifySlackSignature({ ...base, nowMs: now, signingSecret: "another-secret-value" })).toMatchObject({ ok: false, code: "invalid_signature" });
    expect(await verifySlackSignature({ ...base, nowMs: now, signature: vector.signature.replace("v0=", "v1=") })).toMatchObject({ ok: false, code: "invalid_signature" });
    expect(await verifySlackSignature({ ...base, nowMs: now, signature: "v0=zz" })).toMatchObject({ ok: false, code: "invalid_signature" });
    expect(await verifySlackSignature({ ...base, nowMs: now, signature: `${vector.signature}00` })).toMatchObject({ ok: false, code: "invalid_signature" });
    expect(await verifySlackSignature({ ...base, nowMs: now, signature: undefined })).toMatchObject({ ok: false, code: "missing_signature" });
    expect(await verifySlackSignature({ ...base, nowMs: now, timestamp: null })).toMatchObject({ ok: false, code: "missing_signature" });
    expect(await verifySlackSignature({ ...base, nowMs: now, timestamp: "soon" })).toMatchObject({ ok: false, code: "stale_timestamp" });
  });

  it("matches an HMAC computed independently with node:crypto", async () => {
    const body = JSON.stringify({ type: "event_callback", event_id: "Ev1" });
    const t = "1700000000";
    const signature = `v0=${createHmac("sha256", "test-signing-secret").update(`v0:${t}:${body}`).digest("hex")}`;
    expect(await verifySlackSignature({ signingSecret: "test-signing-secret", body, signature, timestamp: t, nowMs: at(1700000000) })).toEqual({ ok: true });
  });
});
