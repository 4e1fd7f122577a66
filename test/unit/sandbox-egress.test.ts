/**
 * The Cloudflare Sandbox's egress (workers/workspace/egress.ts): GitHub gets
 * the deployment's token added by the Worker and never the container's own;
 * package registries are forwarded without credentials; other hosts are
 * refused with a reason.
 */
import { describe, expect, it } from "vitest";
import { GITHUB_HOSTS, outboundByHost, PACKAGE_HOSTS, refuseEgress } from "../../workers/workspace/egress";

function upstreamSpy() {
  const seen: Request[] = [];
  return { seen, upstream: async (req: Request) => (seen.push(req), new Response("ok")) };
}

describe("sandbox egress", () => {
  it("adds the deployment's token for GitHub, replacing whatever the container sent", async () => {
    const { seen, upstream } = upstreamSpy();
    const table = outboundByHost(upstream);
    const env = { GITHUB_TOKEN: "ghs_deploymentToken" };
    await table["github.com"](new Request("https://github.com/shop/web.git/info/refs?service=git-upload-pack", { headers: { authorization: "Basic bGVhaw==", cookie: "a=b" } }), env);
    await table["api.github.com"](new Request("https://api.github.com/repos/shop/web", { headers: { authorization: "token stolen" } }), env);
    expect(seen[0].headers.get("authorization")).toBe(`Basic ${btoa("x-access-token:ghs_deploymentToken")}`);
    expect(seen[0].headers.get("cookie")).toBeNull();
    expect(seen[0].url).toBe("https://github.com/shop/web.git/info/refs?service=git-upload-pack");
    expect(seen[1].headers.get("authorization")).toBe("Bearer ghs_deploymentToken");
  });

  it("sends no credential to GitHub when the deployment has none, and none to a package registry", async () => {
    const { seen, upstream } = upstreamSpy();
    const table = outboundByHost(upstream);
    await table["github.com"](new Request("https://github.com/shop/web.git", { headers: { authorization: "Basic bGVhaw==" } }), {});
    await table["registry.npmjs.org"](new Request("https://registry.npmjs.org/left-pad", { headers: { authorization: "Bearer npm_x" } }), { GITHUB_TOKEN: "ghs_deploymentToken" });
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual([null, null]);
  });

  it("covers the hosts it names, and refuses the rest with a reason", async () => {
    expect(Object.keys(outboundByHost()).sort()).toEqual([...GITHUB_HOSTS, ...PACKAGE_HOSTS].sort());
    const r = refuseEgress(new Request("https://paste.example.net/upload", { method: "POST", body: "secrets" }));
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ reason: "host_not_allowed", host: "paste.example.net" });
  });
});
