/**
 * NightshiftSandbox's egress as the containers library dispatches it, in
 * workerd: the SDK's ContainerProxy (exported by the Worker) looks handlers
 * up by class name in the library's registry, so this proves they got there
 * (an ES2022 static field would not have: see nightshift-sandbox.ts) and
 * that a per-instance scope override reaches the scoped GitHub handler with
 * its params. The proxy is built with the props Container passes it; no
 * container runs. Forwarded requests end at the test's outbound fake (599).
 */
import { ContainerProxy } from "@cloudflare/sandbox";
import { describe, expect, it } from "vitest";
import { scopeOverrides } from "../../workers/workspace/egress-scope";
import { NightshiftSandbox } from "../../workers/workspace/nightshift-sandbox";

type Props = { className: string; containerId: string; interceptAll?: boolean; enableInternet?: boolean; outboundByHostOverrides?: Record<string, { method: string; params?: unknown }> };

function proxy(props: Omit<Props, "className" | "containerId">): ContainerProxy {
  const ctx = { props: { className: NightshiftSandbox.name, containerId: "do-id", enableInternet: false, ...props } };
  return new ContainerProxy(ctx as unknown as ExecutionContext, {} as never);
}

describe("NightshiftSandbox's egress through ContainerProxy", () => {
  it("has its handlers in the library's registry, not as own static fields", () => {
    for (const field of ["outboundByHost", "outboundHandlers", "outbound"]) expect(Object.getOwnPropertyDescriptor(NightshiftSandbox, field), field).toBeUndefined();
  });

  it("refuses GitHub to an instance without a scope, and hosts it does not name", async () => {
    const unscoped = await proxy({ interceptAll: true }).fetch(new Request("https://github.com/shop/web.git/info/refs"));
    expect(unscoped.status).toBe(403);
    expect(await unscoped.json()).toMatchObject({ reason: "egress_scope_missing" });
    const other = await proxy({ interceptAll: true }).fetch(new Request("https://paste.example.net/upload", { method: "POST", body: "x" }));
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ reason: "host_not_allowed" });
  });

  it("hands an instance's scope to the scoped GitHub handler, which forwards the request", async () => {
    const scoped = proxy({ interceptAll: true, outboundByHostOverrides: scopeOverrides({ owner: "shop", repo: "web", access: "read" }) });
    const res = await scoped.fetch(new Request("https://github.com/shop/web.git/info/refs?service=git-upload-pack"));
    // past the handler, to the outbound fake: no refusal, no credential configured here
    expect(res.status).toBe(599);
    expect(await res.text()).toContain("https://github.com/shop/web.git/info/refs?service=git-upload-pack");
  });
});
