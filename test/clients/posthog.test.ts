import { randomUUID } from "node:crypto";
import { PostHog } from "posthog-node";
import { describe, expect, it, vi } from "vitest";
import { newProject, waitForSignals, workerUrl } from "./harness";

function cartTotal(cart: { items: { price: number }[] } | undefined): number {
  return cart!.items.reduce((a, i) => a + i.price, 0);
}

function client(key: string, options: { disableCompression?: boolean } = {}) {
  const ph = new PostHog(key, { host: workerUrl(), flushAt: 1, flushInterval: 0, ...options });
  const errors: unknown[] = [];
  ph.on("error", (e) => errors.push(e));
  return { ph, errors };
}

describe("posthog-node against the local Worker", () => {
  it("captureException (gzip /batch/) arrives as a grouped exception signal; opted-in events too, pageviews not", async () => {
    const p = await newProject("posthog", { posthog_signal_events: ["checkout_failed"] });
    const { ph, errors } = client(p.key);
    const uuid = randomUUID();
    try {
      cartTotal(undefined);
    } catch (e) {
      ph.captureException(e, "user-42", { feature: "checkout" }, uuid);
    }
    ph.capture({ distinctId: "user-42", event: "checkout_failed", properties: { plan: "pro", reason: "card declined" } });
    ph.capture({ distinctId: "user-42", event: "$pageview", properties: { $current_url: "https://shop.example.com/" } });
    await ph.shutdown(10_000);
    expect(errors).toEqual([]);

    const signals = await waitForSignals(p.key, 2);
    const exception = signals.find((s) => s.id === `posthog:${uuid}`);
    expect(exception).toMatchObject({ source_product: "posthog", source_type: "exception" });
    const lines = exception!.content.split("\n");
    expect(lines[0]).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'items'\)$/);
    expect(lines[1]).toMatch(/^ {4}at cartTotal \(.*test\/clients\/posthog\.test\.ts:\d+:\d+\)$/);
    expect(exception!.content).toContain("user: user-42");
    expect(exception!.content).toMatch(/library: posthog-node \d+\.\d+\.\d+/);
    expect(exception!.content).toContain("  feature: checkout");

    const event = signals.find((s) => s.source_type === "event");
    expect(event?.content).toBe("PostHog event: checkout_failed\nuser: user-42\nlibrary: posthog-node 5.70.0\nproperties:\n  plan: pro\n  reason: card declined");
    expect(signals).toHaveLength(2);
  });

  it("works uncompressed too, and a bad key surfaces as a client error", async () => {
    const p = await newProject("posthog-plain");
    const { ph, errors } = client(p.key, { disableCompression: true });
    const uuid = randomUUID();
    ph.captureException(new RangeError("page size out of range"), "user-9", undefined, uuid);
    await ph.shutdown(10_000);
    expect(errors).toEqual([]);
    const signals = await waitForSignals(p.key, 1);
    expect(signals.map((s) => [s.id, s.content.split("\n")[0]])).toEqual([[`posthog:${uuid}`, "RangeError: page size out of range"]]);

    // the SDK logs a failed flush to console.error; keep the test output clean
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const bad = client("ns_not-a-key", { disableCompression: true });
      bad.ph.captureException(new Error("lost"), "user-9");
      await bad.ph.shutdown(10_000);
      expect(bad.errors.map((e) => (e as { response?: Response }).response?.status)).toEqual([401]);
    } finally {
      logged.mockRestore();
    }
  });
});
