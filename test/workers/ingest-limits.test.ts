/**
 * The same limits on every ingest route, through the real HTTP entry points:
 * deep nesting → 400 naming the field, oversized bodies → 413, too many
 * events → 413, the per-project rate → 429 with Retry-After, blank content →
 * 400, gzip on /v1/signals, OTLP field types → 400, a long Slack team id that
 * is still stored (not dead-lettered), unknown GitHub events acknowledged.
 * Nothing here depends on wall-clock speed: the queue is polled for.
 */
import { sign } from "@octokit/webhooks-methods";
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, BASE, createProject, settled } from "./helpers";

const SLACK_SECRET = "limits-slack-secret";
const GITHUB_SECRET = "limits-github-secret";
const MiB = 1024 * 1024;

interface Problem {
  status: number;
  code: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

async function problemOf(res: Response): Promise<Problem> {
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return (await res.json()) as Problem;
}

/** A project with Slack and GitHub secrets; returns its full key. */
async function project(id: string): Promise<string> {
  const key = await createProject(id);
  const res = await api(key, "/v1/project", {
    method: "PATCH",
    body: JSON.stringify({ slack_signing_secret: SLACK_SECRET, github_webhook_secret: GITHUB_SECRET }),
  });
  expect(res.status).toBe(200);
  return key;
}

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** `{"a":{"a":…1…}}`, `depth` objects deep, as text (JSON.stringify itself would recurse). */
function deepObject(depth: number): string {
  return '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** `[[…]]`, `depth` arrays deep. */
function deepArray(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

/** An OTLP AnyValue nested `depth` kvlists deep. */
function deepAnyValue(depth: number): string {
  return '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(depth) + '{"stringValue":"x"}' + "}]}}".repeat(depth);
}

type Send = (id: string, key: string, body: BodyInit, headers?: Record<string, string>) => Promise<Response>;

const send = {
  signals: ((_id, key, body, headers = {}) =>
    SELF.fetch(`${BASE}/v1/signals`, { method: "POST", body, headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers } })) as Send,
  logs: (type: string): Send => (_id, key, body, headers = {}) =>
    SELF.fetch(`${BASE}/v1/logs`, { method: "POST", body, headers: { authorization: `Bearer ${key}`, "content-type": type, ...headers } }),
  sentry: (kind: "envelope" | "store"): Send => (id, key, body, headers = {}) =>
    SELF.fetch(`${BASE}/api/${id}/${kind}/?sentry_key=${key}`, { method: "POST", body, headers }),
  posthog: (path: string): Send => (_id, _key, body, headers = {}) =>
    SELF.fetch(`${BASE}${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } }),
  slack: (async (id, _key, body, headers = {}) => {
    const text = typeof body === "string" ? body : "";
    const ts = String(Math.floor(Date.now() / 1000));
    return SELF.fetch(`${BASE}/slack/events/${id}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": `v0=${await hmacHex(SLACK_SECRET, `v0:${ts}:${text}`)}`, ...headers },
    });
  }) as Send,
  github: (event = "issues"): Send => async (id, _key, body, headers = {}) =>
    SELF.fetch(`${BASE}/github/webhooks/${id}`, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": crypto.randomUUID(),
        // a streamed body is cut off at the cap before its signature is checked
        "x-hub-signature-256": await sign(GITHUB_SECRET, typeof body === "string" && body ? body : "streamed"),
        ...headers,
      },
    }),
} satisfies Record<string, Send | ((...a: never[]) => Send)>;

const signal = (extra = "") => `{"source_product":"errors","source_type":"exception","content":"TypeError: x"${extra}}`;
const sentryEvent = (extra = "") => `{"event_id":"${crypto.randomUUID().replace(/-/g, "")}","message":"boom","level":"error"${extra}}`;
const slackEvent = (event: string) =>
  `{"type":"event_callback","team_id":"T0001","event_id":"Ev${Date.now()}","event_time":1763961097,"event":${event}}`;
const issue = (extra = "") =>
  `{"action":"opened","issue":{"id":4242,"number":7,"title":"Export times out","body":"since Monday"${extra}},"repository":{"full_name":"acme/app"}}`;
const otlp = (records: string) => `{"resourceLogs":[{"resource":{"attributes":[]},"scopeLogs":[{"scope":{"name":"s"},"logRecords":[${records}]}]}]}`;

describe("deep nesting is a 400 naming the field, on every route", () => {
  /** [route, send, body of a given depth, field the answer names (prefix), code] */
  const cases: [string, Send, (d: number, key: string) => string, string, string][] = [
    ["/v1/signals metadata", send.signals, (d) => `{"signals":[${signal(`,"metadata":${deepObject(d)}`)}]}`, "signals[0].metadata", "metadata_too_deep"],
    ["/v1/signals top-level body", send.signals, (d) => deepArray(d), "[0][0]", "json_too_deep"],
    ["/v1/signals content field", send.signals, (d) => `{"signals":[{"source_product":"a","source_type":"b","content":${deepObject(d)}}]}`, "signals[0].content", "json_too_deep"],
    ["Sentry envelope: event extra", send.sentry("envelope"), (d) => `{}\n{"type":"event"}\n${sentryEvent(`,"extra":${deepObject(d)}`)}`, "extra.a", "json_too_deep"],
    ["Sentry envelope: header", send.sentry("envelope"), (d) => `{"sdk":${deepObject(d)}}\n{"type":"event"}\n${sentryEvent()}`, "envelope.sdk", "json_too_deep"],
    ["Sentry store: event extra", send.sentry("store"), (d) => sentryEvent(`,"extra":${deepObject(d)}`), "extra.a", "json_too_deep"],
    ["PostHog /batch/ properties", send.posthog("/batch/"), (d, key) => `{"api_key":"${key}","batch":[{"event":"$exception","properties":${deepObject(d)}}]}`, "batch[0].properties", "json_too_deep"],
    ["PostHog /e/ top-level array", send.posthog("/e/"), (d) => deepArray(d), "[0][0]", "json_too_deep"],
    ["Slack event", send.slack, (d) => slackEvent(`{"type":"message","channel":"C1","user":"U1","text":"hi","ts":"1.2","blocks":${deepArray(d)}}`), "event.blocks", "json_too_deep"],
    ["GitHub issues payload", send.github("issues"), (d) => issue(`,"reactions":${deepObject(d)}`), "issue.reactions", "json_too_deep"],
    ["GitHub unknown event payload", send.github("projects_v2_item"), (d) => deepObject(d), "a.a", "json_too_deep"],
    ["OTLP attributes", send.logs("application/json"), (d) => otlp(`{"severityNumber":17,"body":{"stringValue":"x"},"attributes":[{"key":"k","value":${deepAnyValue(d)}}]}`), "resourceLogs[0].scopeLogs[0].logRecords[0].attributes", "json_too_deep"],
    ["OTLP top-level body", send.logs("application/json"), (d) => deepArray(d), "[0][0]", "json_too_deep"],
    ["JSON lines", send.logs("application/x-ndjson"), (d) => `{"level":"error","msg":"ok"}\n{"level":"error","err":${deepObject(d)}}`, "line 2", "json_too_deep"],
  ];

  for (const depth of [5_000, 10_000, 100_000]) {
    it(`${depth} levels: 400 with the field, never 202 or 5xx`, async () => {
      const id = `deep-${depth}`;
      const key = await project(id);
      for (const [name, post, body, field, code] of cases) {
        const res = await post(id, key, body(depth, key));
        expect(res.status, name).toBe(400);
        const p = await problemOf(res);
        expect(p.code, name).toBe(code);
        expect(p.errors?.[0]?.field.startsWith(field), `${name}: ${p.errors?.[0]?.field}`).toBe(true);
      }
      // nothing was accepted
      expect((await settled(key)).accepted ?? 0).toBe(0);
    });
  }

  it("metadata: 32 levels are accepted, 33 are a 400 (inside the 64-level body limit)", async () => {
    const key = await project("deep-edge");
    const ok = await send.signals("deep-edge", key, `{"signals":[${signal(`,"metadata":${deepObject(32)}`)}]}`);
    expect(ok.status).toBe(202);
    const res = await send.signals("deep-edge", key, `{"signals":[${signal()},${signal(`,"metadata":${deepObject(33)}`)}]}`);
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: "metadata_too_deep", errors: [{ field: "signals[1].metadata" }] });
  });

  it("metadata over 16 KiB is a 413 naming it (not silently replaced)", async () => {
    const key = await project("meta-size");
    const res = await send.signals("meta-size", key, JSON.stringify({ signals: [{ source_product: "a", source_type: "b", content: "x", metadata: { blob: "y".repeat(17 * 1024) } }] }));
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({ code: "metadata_too_large", errors: [{ field: "signals[0].metadata" }] });
  });
});

/** A body of `bytes` zeros, streamed in 64 KiB chunks (chunked: no Content-Length). */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const n = Math.min(64 * 1024, bytes - sent);
      controller.enqueue(new Uint8Array(n).fill(0x20));
      sent += n;
    },
  });
}

describe("request size: 5 MiB on every route", () => {
  const routes: [string, Send][] = [
    ["/v1/signals", send.signals],
    ["/v1/logs", send.logs("text/plain")],
    ["Sentry envelope", send.sentry("envelope")],
    ["Sentry store", send.sentry("store")],
    ["PostHog /batch/", send.posthog("/batch/")],
    ["PostHog /e/", send.posthog("/e/")],
    ["Slack", send.slack],
    ["GitHub", send.github("issues")],
  ];

  it("413 body_too_large for a declared or a chunked body over 5 MiB", async () => {
    const key = await project("size");
    for (const [name, post] of routes) {
      const declared = await post("size", key, " ".repeat(5 * MiB + 1));
      expect(declared.status, `${name} declared`).toBe(413);
      expect((await problemOf(declared)).code).toBe("body_too_large");
      const streamed = await post("size", key, chunked(5 * MiB + 1));
      expect(streamed.status, `${name} chunked`).toBe(413);
      expect((await problemOf(streamed)).code).toBe("body_too_large");
    }
  });

  it("the route still answers the next request after a chunked 413", async () => {
    const key = await project("size-next");
    expect((await send.signals("size-next", key, chunked(6 * MiB))).status).toBe(413);
    expect((await send.signals("size-next", key, `{"signals":[${signal()}]}`)).status).toBe(202);
  });
});

describe("events per request: 500 on every source that batches", () => {
  const many = (n: number, one: (i: number) => string, sep = ",") => Array.from({ length: n }, (_, i) => one(i)).join(sep);
  /** [name, send, body with n events] */
  const cases: [string, Send, (n: number, key: string) => string][] = [
    ["/v1/signals", send.signals, (n) => `{"signals":[${many(n, () => signal())}]}`],
    ["Sentry envelope event items", send.sentry("envelope"), (n) => `{}\n${many(n, () => `{"type":"event"}\n${sentryEvent()}`, "\n")}`],
    ["PostHog /batch/", send.posthog("/batch/"), (n, key) => `{"api_key":"${key}","batch":[${many(n, (i) => `{"event":"pageview","uuid":"u${i}"}`)}]}`],
    ["PostHog /e/ array", send.posthog("/e/"), (n, key) => `[${many(n, (i) => `{"event":"pageview","uuid":"u${i}","properties":{"token":"${key}"}}`)}]`],
    ["OTLP log records", send.logs("application/json"), (n) => otlp(many(n, () => `{"severityNumber":9,"body":{"stringValue":"x"}}`))],
    ["JSON lines", send.logs("application/x-ndjson"), (n) => many(n, () => `{"level":"info","msg":"x"}`, "\n")],
    ["text lines", send.logs("text/plain"), (n) => many(n, (i) => `INFO line ${i}`, "\n")],
  ];

  it("413 batch_too_large at 501 and 600 events, none accepted", async () => {
    const key = await project("batch");
    for (const [name, post, body] of cases) {
      for (const n of [501, 600]) {
        const res = await post("batch", key, body(n, key));
        expect(res.status, `${name} ${n}`).toBe(413);
        expect((await problemOf(res)).code, name).toBe("batch_too_large");
      }
    }
    expect((await settled(key)).accepted ?? 0).toBe(0);
  });

  it("500 events are still taken", async () => {
    const key = await project("batch-500");
    const res = await send.posthog("/batch/")("batch-500", key, `{"api_key":"${key}","batch":[${many(500, (i) => `{"event":"pageview","uuid":"u${i}"}`)}]}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 1, ignored: 500 });
  });
});

describe("per-project rate limit: 429 with Retry-After on every route", () => {
  /** [name, send, a cheap authenticated request that records nothing] */
  const routes: [string, Send, (key: string) => string][] = [
    ["/v1/signals", send.signals, () => "{}"],
    ["/v1/logs", send.logs("application/json"), () => "{}"],
    ["Sentry envelope", send.sentry("envelope"), () => '{}\n{"type":"client_report"}\n{}'],
    ["Sentry store", send.sentry("store"), () => "not json"],
    ["PostHog /batch/", send.posthog("/batch/"), (key) => `{"api_key":"${key}","batch":[{"event":"pageview"}]}`],
    ["PostHog /e/", send.posthog("/e/"), (key) => `[{"event":"pageview","properties":{"token":"${key}"}}]`],
    ["Slack", send.slack, () => '{"type":"url_verification","challenge":"c"}'],
    ["GitHub", send.github("ping"), () => '{"zen":"Keep it logically awesome.","hook_id":1}'],
  ];

  /**
   * Spends the project's budget through the same binding the routes use (key
   * `ingest:<project>`) until the limiter says no, then sends the route's
   * request. Independent of how fast requests are: if the 10-second window
   * rolled over in between, it tries again.
   */
  async function overBudget(id: string, request: () => Promise<Response>): Promise<Response> {
    const limiter = env.INGEST_RATE!;
    let last: Response | null = null;
    for (let attempt = 0; attempt < 20; attempt++) {
      while ((await limiter.limit({ key: `ingest:${id}` })).success) {
        /* spend the window's budget */
      }
      last = await request();
      if (last.status === 429) return last;
      expect(last.status, `attempt ${attempt}`).toBeLessThan(500);
    }
    return last!;
  }

  for (const [name, post, body] of routes) {
    it(name, async () => {
      const id = `rate-${name.replace(/[^a-z]/gi, "").toLowerCase()}`;
      const key = await project(id);
      expect((await post(id, key, body(key))).status, `${name} under its budget`).toBeLessThan(429);
      const limited = await overBudget(id, () => post(id, key, body(key)));
      expect(limited.status, `${name} was never limited`).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("10");
      expect((await problemOf(limited)).code).toBe("rate_limited");
      // the budget is the project's: another project is not limited
      const otherId = `${id}-other`;
      const other = await project(otherId);
      expect((await post(otherId, other, body(other))).status).toBeLessThan(429);
    });
  }
});

describe("blank content and encodings", () => {
  it("/v1/signals: empty, whitespace-only or control-only content is a 400 naming the field", async () => {
    const key = await project("blank");
    for (const content of ["", "   ", "\n\t \r\n", "\u0000\u0007", "\u001b[31m\u001b[0m", "\u200b\ufeff"]) {
      const res = await send.signals("blank", key, JSON.stringify({ signals: [{ source_product: "a", source_type: "b", content: "fine" }, { source_product: "a", source_type: "b", content }] }));
      expect(res.status, JSON.stringify(content)).toBe(400);
      expect(await problemOf(res)).toMatchObject({ code: "invalid_signal", errors: [{ field: "signals[1].content" }] });
    }
    expect((await settled(key)).accepted ?? 0).toBe(0);
  });

  it("Slack: a message whose text is blank or only control characters is skipped, not accepted", async () => {
    await project("blank-slack");
    for (const text of ["   ", "\u0000\u001b[2J", "\u200b"]) {
      const res = await send.slack("blank-slack", "", slackEvent(JSON.stringify({ type: "message", channel: "C1", user: "U1", text, ts: "1763961097.000100" })));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ accepted: 0, ignored: "empty_message" });
    }
  });

  it("/v1/signals takes gzip and deflate bodies; an unknown encoding is a 415", async () => {
    const key = await project("gzip");
    const body = JSON.stringify({ signals: [{ id: "gz-1", source_product: "errors", source_type: "exception", content: "TypeError: gz" }] });
    for (const format of ["gzip", "deflate"] as const) {
      const packed = await new Response(new Blob([body]).stream().pipeThrough(new CompressionStream(format))).arrayBuffer();
      const res = await send.signals("gzip", key, packed, { "content-encoding": format });
      expect(res.status, format).toBe(202);
      expect(await res.json()).toMatchObject({ accepted: 1 });
    }
    const br = await send.signals("gzip", key, body, { "content-encoding": "br" });
    expect(br.status).toBe(415);
    expect((await problemOf(br)).code).toBe("unsupported_encoding");
    const lying = await send.signals("gzip", key, body, { "content-encoding": "gzip" });
    expect(lying.status).toBe(400);
    expect((await problemOf(lying)).code).toBe("invalid_compression");
  });
});

describe("OTLP field types", () => {
  it("a wrong type is a 400 naming the field, not 200 with 0 accepted", async () => {
    const key = await project("otlp-types");
    const cases: [string, string][] = [
      ['{"resourceLogs":"x"}', "resourceLogs"],
      ['{"resourceLogs":{}}', "resourceLogs"],
      ['{"resourceLogs":[{"scopeLogs":[{"logRecords":"abc"}]}]}', "resourceLogs[0].scopeLogs[0].logRecords"],
      [otlp('{"severityNumber":"high","body":{"stringValue":"boom"}}'), "resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber"],
      [otlp('{"severityNumber":"17","body":{"stringValue":"boom"}}'), "resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber"],
      [otlp('{"severityNumber":99,"body":{"stringValue":"boom"}}'), "resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber"],
      [otlp('{"severityNumber":17,"timeUnixNano":"soon","body":{"stringValue":"boom"}}'), "resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano"],
    ];
    for (const [body, field] of cases) {
      const res = await send.logs("application/json")("otlp-types", key, body);
      expect(res.status, body).toBe(400);
      const p = await problemOf(res);
      expect(p.code).toBe("invalid_otlp");
      expect(p.errors?.[0].field, body).toBe(field);
    }
    // the enum's name is the protobuf JSON spelling, and is taken
    const named = await send.logs("application/json")("otlp-types", key, otlp('{"severityNumber":"SEVERITY_NUMBER_ERROR","body":{"stringValue":"boom"}}'));
    expect(named.status).toBe(200);
    expect(await named.json()).toMatchObject({ accepted: 1 });
  });

  it("a record with no body and no attributes is skipped, not a signal", async () => {
    const key = await project("otlp-empty");
    const res = await send.logs("application/json")("otlp-empty", key, otlp('{"severityNumber":17},{"severityNumber":17,"body":{"stringValue":"  "}}'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 0, skipped: 2, received: 2 });
  });
});

describe("ids composed by adapters never break the id rule later", () => {
  it("Slack: a 40-character team id and a long channel are hashed into a valid id, stored, not dead-lettered", async () => {
    const key = await project("slack-long-id");
    const event = {
      type: "event_callback",
      team_id: "T".repeat(40),
      event_id: "EvLongTeam1",
      event_time: 1763961097,
      event: { type: "message", channel: `C${"x".repeat(120)} odd/chars`, user: "U1", text: "checkout is broken for EU cards", ts: "1763961097.000200" },
    };
    const res = await send.slack("slack-long-id", key, JSON.stringify(event));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; signals: { id: string }[] };
    expect(body.accepted).toBe(1);
    const id = body.signals[0].id;
    expect(id).toMatch(/^slack:sha256-[0-9a-f]{40}$/);
    // Slack's retry of the same message gets the same id
    const again = (await (await send.slack("slack-long-id", key, JSON.stringify({ ...event, event_id: "EvLongTeam2" }))).json()) as { signals: { id: string }[] };
    expect(again.signals[0].id).toBe(id);

    const ledger = await settled(key);
    expect(ledger.dead_lettered ?? 0).toBe(0);
    const stored = await env.DB.prepare("SELECT id FROM signals WHERE project_id = ? AND id = ?").bind("slack-long-id", id).first();
    expect(stored).toMatchObject({ id });
    const dead = await env.DB.prepare("SELECT COUNT(*) AS n FROM dead_letters WHERE project_id = ?").bind("slack-long-id").first<{ n: number }>();
    expect(dead!.n).toBe(0);
  });

  it("PostHog: a uuid that is too long or has odd characters becomes a hashed id", async () => {
    const key = await project("ph-long-uuid");
    const res = await send.posthog("/batch/")("ph-long-uuid", key, JSON.stringify({ api_key: key, batch: [{ event: "$exception", uuid: `u ${"x".repeat(150)}`, properties: { $exception_type: "TypeError", $exception_message: "x" } }] }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; signals: { id: string }[] };
    expect(body.accepted).toBe(1);
    expect(body.signals[0].id).toMatch(/^posthog:sha256-[0-9a-f]{40}$/);
  });
});

describe("GitHub event names", () => {
  it("acknowledges projects_v2_item (digits in the name) with a 2xx and ignores it", async () => {
    await project("gh-v2");
    const res = await send.github("projects_v2_item")("gh-v2", "", JSON.stringify({ action: "edited", projects_v2_item: { id: 1 } }));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ event: "projects_v2_item", action: "edited", ignored: expect.stringContaining("not an event nightshift uses") });
  });

  it("still refuses a malformed event name", async () => {
    await project("gh-bad-name");
    const res = await send.github("Issues; rm -rf")("gh-bad-name", "", "{}");
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe("missing_event");
  });
});

describe("hostile text is answered, not a CPU timeout", () => {
  it("text a backtracking expression would spend minutes on: a long A.A.A… log line, a property of spaces", async () => {
    const key = await project("hostile-text");
    const logs = await send.logs("text/plain")("hostile-text", key, `ERROR ${"A.".repeat(1_500_000)}`);
    expect(logs.status).toBe(202);
    expect(await logs.json()).toMatchObject({ accepted: 1 });
    const ph = await send.posthog("/batch/")(
      "hostile-text",
      key,
      JSON.stringify({ api_key: key, batch: [{ event: "$exception", uuid: "hostile-1", properties: { $exception_message: "x", $current_url: `a${" ".repeat(2_000_000)}b`, note: `a${" ".repeat(2_000_000)}b` } }] }),
    );
    expect(ph.status).toBe(200);
    expect(await ph.json()).toMatchObject({ accepted: 1 });
  });
});

