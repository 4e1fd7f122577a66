import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { stackFingerprint } from "../../workers/grouping/fingerprint";
import worker from "../../workers/index";
import { parseError } from "../../workers/normalize/stack";
import fixture from "../fixtures/clients/posthog_node_exception_batch.json";
import { api, BASE, createProject, settled } from "./helpers";

const UUID = "01a20be5-2a56-72f2-a92c-6299ba0c72b8";

/** The posthog-node fixture with this project's key. */
function nodeBatch(key: string) {
  const { _note, ...body } = structuredClone(fixture);
  return { ...body, api_key: key };
}

async function gzip(text: string): Promise<ArrayBuffer> {
  return new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
}

async function capture(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return SELF.fetch(`${BASE}${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
}

async function waitForRow(project: string, id: string) {
  for (let i = 0; i < 400; i++) {
    const row = await env.DB.prepare("SELECT * FROM signals WHERE project_id = ? AND id = ?").bind(project, id).first<Record<string, unknown>>();
    if (row) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`signal ${id} never reached D1`);
}

function event(name: string, uuid: string, properties: Record<string, unknown> = {}) {
  return { event: name, uuid, distinct_id: "user-7", timestamp: "2026-11-24T05:00:00.000Z", properties };
}

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return (await res.json()) as { status: number; code: string; errors?: { field: string }[] };
}

describe("PostHog capture endpoints", () => {
  it("turns posthog-node's gzip /batch/ with a $exception into a V8-style exception signal", async () => {
    const key = await createProject("ph-gzip");
    const res = await capture("/batch/", await gzip(JSON.stringify(nodeBatch(key))), { "content-encoding": "gzip" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 1, accepted: 1, dropped: 0, ignored: 0, signals: [{ id: `posthog:${UUID}`, status: "accepted" }] });

    const row = await waitForRow("ph-gzip", `posthog:${UUID}`);
    expect(row).toMatchObject({ source_product: "posthog", source_type: "exception", timestamp: Date.parse("2026-11-24T04:51:37.686Z") });
    const content = row.content as string;
    expect(content.split("\n").slice(0, 4)).toEqual([
      "TypeError: Cannot read properties of undefined (reading 'items')",
      "    at checkout (posthog-test.js:3:37)",
      "    at posthog-test.js:5:6",
      "    at Object.<anonymous> (posthog-test.js:8:3)",
    ]);
    expect(content).toContain("user: user-42");
    expect(content).toContain("library: posthog-node 5.70.0");
    expect(content).toContain("level: error, handled");
    expect(content).toContain("  feature: checkout");
    // what grouping reads from it
    const parsed = parseError(content);
    expect([parsed.type, parsed.frames.map((f) => [f.fn, f.line, f.inApp])]).toEqual([
      "TypeError",
      [["checkout", 3, true], [null, 5, true], ["Object.<anonymous>", 8, true]],
    ]);
    expect(stackFingerprint(content)).toBe("stack:TypeError:checkout@posthog-test.js|?@posthog-test.js|Object.<anonymous>@posthog-test.js");
    expect(JSON.parse(row.metadata as string)).toMatchObject({ posthog_event: "$exception", uuid: UUID, user: "user-42", exception_types: ["TypeError"] });
  });

  it("reads the same batch uncompressed, and gzip marked only by ?compression=gzip-js", async () => {
    const key = await createProject("ph-plain");
    const plain = await capture("/batch/", JSON.stringify(nodeBatch(key)));
    expect(await plain.json()).toMatchObject({ status: 1, accepted: 1 });
    const js = await capture("/e/?compression=gzip-js&ver=1.200.0", await gzip(JSON.stringify(nodeBatch(key))), { "content-type": "text/plain" });
    expect(js.status).toBe(200);
    expect(await js.json()).toMatchObject({ status: 1, accepted: 1 });
  });

  it("takes posthog-js' shapes: an array of events with the key in properties.token, and one event at /i/v0/e/", async () => {
    const key = await createProject("ph-js");
    const exc = event("$exception", "0190-js-1", {
      token: key,
      $current_url: "https://shop.example.com/checkout?step=2",
      $lib: "web",
      $lib_version: "1.200.0",
      release: "web@4.2.0",
      environment: "production",
      $exception_list: [
        {
          type: "RangeError",
          value: "Invalid array length",
          stacktrace: {
            type: "raw",
            frames: [
              { filename: "https://shop.example.com/static/vendor.js", function: "vendorLoop", lineno: 1, colno: 999, in_app: false },
              { filename: "https://shop.example.com/static/js/cart.js", function: "buildRows", lineno: 12, colno: 5, in_app: true },
              { filename: "https://shop.example.com/static/js/cart.js", function: "fill", lineno: 30, colno: 9, in_app: true },
            ],
          },
        },
        { type: "Error", value: "upstream failed", mechanism: { type: "chained", source: "cause" } },
      ],
    });
    const res = await capture("/e/", JSON.stringify([exc, event("$pageview", "0190-js-2", { token: key })]), { "content-type": "text/plain" });
    expect(await res.json()).toMatchObject({ status: 1, accepted: 1, ignored: 1 });
    const row = await waitForRow("ph-js", "posthog:0190-js-1");
    expect((row.content as string).split("\n")).toEqual([
      "RangeError: Invalid array length",
      "    at fill (https://shop.example.com/static/js/cart.js:30:9)",
      "    at buildRows (https://shop.example.com/static/js/cart.js:12:5)",
      "    (1 library frame not shown)",
      "Caused by: Error: upstream failed",
      "url: https://shop.example.com/checkout?step=2",
      "release: web@4.2.0",
      "environment: production",
      "user: user-7",
      "library: web 1.200.0",
    ]);

    const single = await capture("/i/v0/e/", JSON.stringify({ api_key: key, ...event("$exception", "0190-js-3", { $exception_type: "Error", $exception_message: "boom" }) }));
    expect(await single.json()).toMatchObject({ status: 1, accepted: 1 });
    expect((await waitForRow("ph-js", "posthog:0190-js-3")).content).toBe("Error: boom\nuser: user-7");
  });

  it("ignores other events unless the project names them in posthog_signal_events", async () => {
    const key = await createProject("ph-events");
    const batch = (uuid: string) => ({
      api_key: key,
      batch: [event("checkout_failed", uuid, { plan: "pro", reason: "card declined", $browser: "Firefox" }), event("$pageview", `${uuid}-pv`)],
    });
    const before = await capture("/batch/", JSON.stringify(batch("ev-1")));
    expect(await before.json()).toEqual({ status: 1, accepted: 0, dropped: 0, ignored: 2 });

    const patch = await api(key, "/v1/project", { method: "PATCH", body: JSON.stringify({ posthog_signal_events: ["checkout_failed"] }) });
    expect(patch.status).toBe(200);
    const after = await capture("/batch/", JSON.stringify(batch("ev-2")));
    expect(await after.json()).toMatchObject({ status: 1, accepted: 1, ignored: 1, signals: [{ id: "posthog:ev-2" }] });
    const row = await waitForRow("ph-events", "posthog:ev-2");
    expect(row).toMatchObject({ source_product: "posthog", source_type: "event" });
    expect(row.content).toBe("PostHog event: checkout_failed\nuser: user-7\nproperties:\n  plan: pro\n  reason: card declined");
    const none = await env.DB.prepare("SELECT COUNT(*) AS n FROM signals WHERE project_id = 'ph-events' AND id = 'posthog:ev-1'").first<{ n: number }>();
    expect(none?.n).toBe(0);
  });

  it("stores a batch the SDK sends twice once (id = posthog:<uuid>)", async () => {
    const key = await createProject("ph-idem");
    const body = JSON.stringify(nodeBatch(key));
    for (let i = 0; i < 2; i++) {
      const res = await capture("/batch/", body);
      expect(await res.json()).toMatchObject({ status: 1, accepted: 1, signals: [{ id: `posthog:${UUID}` }] });
    }
    // a later event: once it is stored, the queue has delivered both copies before it
    await capture("/batch/", JSON.stringify({ api_key: key, batch: [event("$exception", "sentinel", { $exception_type: "Error", $exception_message: "later" })] }));
    await waitForRow("ph-idem", "posthog:sentinel");
    // the row is stored before it is grouped: read its report once the ledger has settled
    await settled(key);
    const rows = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = 'ph-idem' AND id = ?").bind(`posthog:${UUID}`).all<{ report_id: string }>();
    expect(rows.results).toHaveLength(1);
    const reports = (await (await api(key, "/v1/reports")).json()) as { reports: { id: string; signal_count: number }[] };
    expect(reports.reports.find((r) => r.id === rows.results[0].report_id)?.signal_count).toBe(1);
  });

  it("lets posthog-js post from a browser: CORS preflight and headers", async () => {
    const pre = await SELF.fetch(`${BASE}/e/`, { method: "OPTIONS", headers: { origin: "https://shop.example.com", "access-control-request-method": "POST" } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it("answers 401 problems for a missing or unknown key", async () => {
    const { api_key, ...noKey } = nodeBatch("x");
    const missing = await problemOf(await capture("/batch/", JSON.stringify(noKey)));
    expect([missing.status, missing.code]).toEqual([401, "missing_api_key"]);
    const unknown = await problemOf(await capture("/batch/", JSON.stringify(nodeBatch("ns_not-a-key"))));
    expect([unknown.status, unknown.code]).toEqual([401, "invalid_api_key"]);
  });

  it("answers 400/413 problems for malformed and oversized bodies", async () => {
    const key = await createProject("ph-bad");
    const cases: [string, BodyInit, Record<string, string>, number, string, string?][] = [
      ["broken JSON", "{", {}, 400, "invalid_json"],
      ["no events", JSON.stringify({ api_key: key, hello: 1 }), {}, 400, "invalid_payload"],
      ["batch not a list", JSON.stringify({ api_key: key, batch: "x" }), {}, 400, "invalid_payload", "batch"],
      ["event without a name", JSON.stringify({ api_key: key, batch: [event("$exception", "a"), { properties: {} }] }), {}, 400, "invalid_event", "batch[1].event"],
      ["not gzip after the magic bytes", new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4]), { "content-encoding": "gzip" }, 400, "invalid_compression"],
      ["brotli", "{}", { "content-encoding": "br" }, 415, "unsupported_encoding"],
      ["a gzip bomb (6 MiB of zeros)", await gzip(" ".repeat(6 * 1024 * 1024)), { "content-encoding": "gzip" }, 413, "body_too_large"],
    ];
    for (const [name, body, headers, status, code, field] of cases) {
      const p = await problemOf(await capture("/batch/", body, headers));
      expect([name, p.status, p.code]).toEqual([name, status, code]);
      if (field) expect(p.errors?.map((e) => e.field)).toContain(field);
    }
  });

  it("accepts the batch when the queue refuses it (the outbox holds it for the sweep); 503 only when it cannot be recorded", async () => {
    const key = await createProject("ph-503");
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const queueDown = { ...env, SIGNALS: { send: async () => {}, sendBatch: async () => { throw new Error("queue down"); } } };
    const body = JSON.stringify(nodeBatch(key));
    const accepted = await worker.fetch(new Request(`${BASE}/batch/`, { method: "POST", body, headers: { "content-type": "application/json" } }), queueDown as unknown as typeof env, createExecutionContext());
    expect(accepted.status).toBe(200);
    const pending = await env.DB.prepare("SELECT enqueued_at FROM intake_outbox WHERE project_id = 'ph-503' AND settled_at IS NULL").all();
    expect(pending.results).toEqual([{ enqueued_at: 0 }]);
    // D1 refuses the outbox write: nothing was accepted, so the client must retry
    const dbDown = { ...env, DB: new Proxy(env.DB, { get: (db, k) => (k === "batch" ? async () => Promise.reject(new Error("D1 down")) : Reflect.get(db, k).bind(db)) }) };
    const other = JSON.stringify({ ...nodeBatch(key), batch: nodeBatch(key).batch.map((e: { uuid: string }) => ({ ...e, uuid: "0190-other" })) });
    const res = await worker.fetch(new Request(`${BASE}/batch/`, { method: "POST", body: other, headers: { "content-type": "application/json" } }), dbDown as unknown as typeof env, createExecutionContext());
    expect(logged).toHaveBeenCalledWith("posthog: could not record the batch", expect.any(Error));
    logged.mockRestore();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect((await problemOf(res)).code).toBe("enqueue_failed");
  });
});
