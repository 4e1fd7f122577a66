/**
 * The real @sentry/node SDK reporting to the local Worker over loopback with
 * the DSN `http://<project API key>@<host>/<project id>`. Default integrations
 * are off (no instrumentation, no network besides the Worker), no tracing.
 * Sentry.init is global: one init for this file; the tunnel test uses its own
 * NodeClient and Scope.
 */
import * as http from "node:http";
import * as Sentry from "@sentry/node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newProject, waitForSignals, workerUrl } from "./harness";

/** Headers of every request the SDK's transport made, recorded through its `httpModule` option. */
const sent: { path: string; headers: Record<string, unknown> }[] = [];
const recordingHttp = {
  request(options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest {
    sent.push({ path: String(options.path), headers: { ...(options.headers as Record<string, unknown>) } });
    return http.request(options, callback);
  },
};

/**
 * A project as the admin API makes it by default: the SDK wants a numeric
 * project id and a key of word characters in a DSN, and that is what it gets.
 */
async function dsnProject(): Promise<{ id: string; key: string; ingestKey: string }> {
  const res = await fetch(`${workerUrl()}/v1/admin/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${inject("adminToken")}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "sentry client test" }),
  });
  if (res.status !== 201) throw new Error(`create project: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { project: { id: string }; api_key: string; ingest_key: string };
  expect(body.project.id).toMatch(/^\d+$/);
  expect(body.ingest_key).toMatch(/^\w+$/);
  // the DSN carries the ingest-only key (public in apps); reading back uses the full key
  return { id: body.project.id, key: body.api_key, ingestKey: body.ingest_key };
}

interface Cart {
  items: string[];
}

function checkoutTotals(cart: Cart | undefined): number {
  return cart!.items.length;
}

let project: { id: string; key: string; ingestKey: string };

beforeAll(async () => {
  project = await dsnProject();
  const { host } = new URL(workerUrl());
  Sentry.init({
    dsn: `http://${project.ingestKey}@${host}/${project.id}`,
    release: "shop@1.2.3",
    environment: "test",
    defaultIntegrations: false,
    sendClientReports: false,
    enableOpenTelemetrySetup: false,
    enableRuntimeChannelInjection: false,
    transportOptions: { httpModule: recordingHttp },
    initialScope: { tags: { feature: "checkout" } },
  });
});

afterAll(async () => {
  await Sentry.close(2000);
});

describe("@sentry/node → nightshift", () => {
  it("captureException arrives as an exception signal with the type, message and in-app frames", async () => {
    let eventId = "";
    try {
      checkoutTotals(undefined);
    } catch (e) {
      eventId = Sentry.captureException(e);
    }
    expect(await Sentry.flush(5000)).toBe(true);

    const signals = await waitForSignals(project.key, 1);
    expect(signals.map((s) => s.id)).toEqual([`sentry:${eventId}`]);
    const [signal] = signals;
    expect(signal).toMatchObject({ source_product: "errors", source_type: "exception" });
    const lines = signal.content.split("\n");
    expect(lines[0]).toBe("TypeError: Cannot read properties of undefined (reading 'items')");
    expect(lines[1]).toMatch(/^ {4}at checkoutTotals \(.*test\/clients\/sentry\.test\.ts:\d+:\d+\)$/);
    const frames = lines.filter((l) => l.startsWith("    at "));
    expect(frames.length).toBeGreaterThanOrEqual(2);
    // only in-app frames: this file, not vitest or node internals
    for (const f of frames) expect(f).toContain("test/clients/sentry.test.ts");
    expect(lines.slice(frames.length + 1)).toEqual(["release: shop@1.2.3", "environment: test", "tags: feature=checkout"]);

    expect(sent.at(-1)!.path).toBe(`/api/${project.id}/envelope/?sentry_version=7&sentry_key=${project.ingestKey}&sentry_client=sentry.javascript.node%2F11.12.0`);
  });

  it("captureMessage arrives as a message signal", async () => {
    const eventId = Sentry.captureMessage("Payment provider timeout after 30s", "warning");
    expect(await Sentry.flush(5000)).toBe(true);
    const signal = (await waitForSignals(project.key, 2)).find((s) => s.id === `sentry:${eventId}`);
    expect(signal).toMatchObject({ source_type: "message" });
    expect(signal!.content.split("\n")[0]).toBe("Payment provider timeout after 30s");
  });

  it("an event over 32 KiB, which the SDK gzips, arrives too", async () => {
    const before = sent.length;
    const eventId = Sentry.captureException(new RangeError("Invalid array length"), { extra: { cart_dump: "x".repeat(40_000) } });
    expect(await Sentry.flush(5000)).toBe(true);
    expect(sent.slice(before).map((r) => r.headers["content-encoding"])).toEqual(["gzip"]);
    const signal = (await waitForSignals(project.key, 3)).find((s) => s.id === `sentry:${eventId}`);
    expect(signal!.content.split("\n")[0]).toBe("RangeError: Invalid array length");
  });
});

describe("@sentry/node through a tunnel", () => {
  it("reaches any project, whatever its id and key, with `tunnel` and a placeholder DSN", async () => {
    const p = await newProject("sentry-tunnel");
    const client = new Sentry.NodeClient({
      dsn: `http://public@${new URL(workerUrl()).host}/0`,
      tunnel: `${workerUrl()}/api/${p.id}/envelope/?sentry_key=${encodeURIComponent(p.key)}`,
      transport: Sentry.makeNodeTransport,
      stackParser: Sentry.defaultStackParser,
      integrations: [],
      sendClientReports: false,
    });
    const scope = new Sentry.Scope();
    scope.setClient(client);
    client.init();
    const eventId = scope.captureException(new Error("Stock service unavailable"));
    expect(await client.flush(5000)).toBe(true);
    const signals = await waitForSignals(p.key, 1);
    expect(signals.map((s) => [s.id, s.content.split("\n")[0]])).toEqual([[`sentry:${eventId}`, "Error: Stock service unavailable"]]);
    await client.close(2000);
  });
});
