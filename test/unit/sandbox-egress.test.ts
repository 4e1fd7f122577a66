/**
 * The Cloudflare Sandbox's egress (workers/workspace/egress.ts): GitHub gets
 * the deployment's credential added by the Worker — for the sandbox's own
 * repository only (its scope, egress-scope.ts, arriving as the handler's
 * `ctx.params`) — and never the container's own; package registries are
 * forwarded without credentials; other hosts are refused with a reason; a
 * sandbox without a scope is refused on GitHub. With a GitHub App configured,
 * the credential is an installation token minted for the scope's repository
 * and access (against the fake of GitHub's App endpoints, which verifies the
 * App's JWT).
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GITHUB_HOSTS, githubCredential, outboundByHost, outboundHandlers, PACKAGE_HOSTS, refuseEgress, repoOfRequest } from "../../workers/workspace/egress";
import { egressScopeFor, egressScopeOf, GITHUB_SCOPED_HANDLER, scopeOverrides, type EgressScope } from "../../workers/workspace/egress-scope";
import { isWriteRequest } from "../../workers/workspace/github-request";
import { fakeGitHubApp } from "./fake-github-app";

function upstreamSpy() {
  const seen: Request[] = [];
  return { seen, upstream: async (req: Request) => (seen.push(req), new Response("ok")) };
}

const webRead: EgressScope = { owner: "shop", repo: "web", access: "read" };
const webWrite: EgressScope = { owner: "shop", repo: "web", access: "write" };
/** the handler the sandbox's per-instance override names, as ContainerProxy calls it */
const scoped = (upstream: (req: Request) => Promise<Response>, deps = {}) => outboundHandlers(upstream, deps)[GITHUB_SCOPED_HANDLER];
const ctx = (params: unknown) => ({ containerId: "do-id", className: "NightshiftSandbox", params });

describe("sandbox egress", () => {
  it("adds the deployment's token for the sandbox's repository, replacing whatever the container sent", async () => {
    const { seen, upstream } = upstreamSpy();
    const handle = scoped(upstream);
    const env = { GITHUB_TOKEN: "ghs_deploymentToken" };
    await handle(new Request("https://github.com/shop/web.git/info/refs?service=git-upload-pack", { headers: { authorization: "Basic bGVhaw==", cookie: "a=b" } }), env, ctx(webRead));
    await handle(new Request("https://api.github.com/repos/shop/web", { headers: { authorization: "token stolen" } }), env, ctx(webRead));
    expect(seen[0].headers.get("authorization")).toBe(`Basic ${btoa("x-access-token:ghs_deploymentToken")}`);
    expect(seen[0].headers.get("cookie")).toBeNull();
    expect(seen[0].url).toBe("https://github.com/shop/web.git/info/refs?service=git-upload-pack");
    expect(seen[1].headers.get("authorization")).toBe("Bearer ghs_deploymentToken");
  });

  it("sends no credential to another repository, to a path naming none, or where the deployment has none", async () => {
    const { seen, upstream } = upstreamSpy();
    const handle = scoped(upstream);
    const env = { GITHUB_TOKEN: "ghs_deploymentToken" };
    await handle(new Request("https://github.com/shop/billing.git/info/refs?service=git-upload-pack", { headers: { authorization: "Basic bGVhaw==" } }), env, ctx(webRead));
    await handle(new Request("https://api.github.com/repos/other/web/contents/x"), env, ctx(webRead));
    await handle(new Request("https://api.github.com/graphql", { method: "POST", body: "{}" }), env, ctx(webWrite));
    await handle(new Request("https://objects.githubusercontent.com/github-production-release-asset/1"), env, ctx(webRead));
    await handle(new Request("https://github.com/shop/web.git/info/refs"), {}, ctx(webRead));
    await outboundByHost(upstream)["registry.npmjs.org"](new Request("https://registry.npmjs.org/left-pad", { headers: { authorization: "Bearer npm_x" } }), env);
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual([null, null, null, null, null, null]);
    // forwarded as asked: a public repository still clones anonymously
    expect(seen[0].url).toBe("https://github.com/shop/billing.git/info/refs?service=git-upload-pack");
  });

  it("matches the sandbox's repository in any case, and keeps writes off a read scope", async () => {
    const { seen, upstream } = upstreamSpy();
    const handle = scoped(upstream);
    const env = { GITHUB_TOKEN: "ghs_deploymentToken" };
    const push = () => new Request("https://github.com/Shop/Web.git/git-receive-pack", { method: "POST", body: "0000" });
    await handle(push(), env, ctx(webRead));
    await handle(new Request("https://github.com/shop/web.git/info/refs?service=git-receive-pack"), env, ctx(webRead));
    await handle(new Request("https://api.github.com/repos/shop/web/issues", { method: "POST", body: "{}" }), env, ctx(webRead));
    await handle(push(), env, ctx(webWrite));
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual([null, null, null, `Basic ${btoa("x-access-token:ghs_deploymentToken")}`]);
  });

  it("refuses GitHub with a reason, and adds nothing, when the sandbox has no scope or its params are not one", async () => {
    const { seen, upstream } = upstreamSpy();
    const env = { GITHUB_TOKEN: "ghs_deploymentToken" };
    const table = outboundByHost(upstream);
    for (const host of GITHUB_HOSTS) {
      // the class-wide default: no per-instance override, no params
      const r = await table[host](new Request(`https://${host}/shop/web.git/info/refs`), env, { containerId: "do-id", className: "NightshiftSandbox" } as never);
      expect(r.status).toBe(403);
      expect(await r.json()).toMatchObject({ reason: "egress_scope_missing", host });
    }
    const notScopes: unknown[] = [undefined, null, "shop/web", [], { owner: "shop", repo: "web" }, { owner: "shop", repo: "web", access: "admin" }, { owner: "-shop", repo: "web", access: "read" }, { owner: "shop", repo: "..", access: "write" }, { owner: "shop", repo: 7, access: "read" }];
    for (const params of notScopes) {
      const r = await scoped(upstream)(new Request("https://github.com/shop/web.git/info/refs"), env, ctx(params));
      expect(r.status, JSON.stringify(params)).toBe(403);
    }
    expect(seen).toEqual([]);
  });

  it("covers the hosts it names, and refuses the rest with a reason", async () => {
    expect(Object.keys(outboundByHost()).sort()).toEqual([...GITHUB_HOSTS, ...PACKAGE_HOSTS].sort());
    expect(Object.keys(outboundHandlers())).toEqual([GITHUB_SCOPED_HANDLER]);
    const r = refuseEgress(new Request("https://paste.example.net/upload", { method: "POST", body: "secrets" }));
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ reason: "host_not_allowed", host: "paste.example.net" });
  });

  describe("the scope", () => {
    it("comes from a GitHub clone URL the Worker chose, and from nothing else", () => {
      expect(egressScopeFor("https://github.com/shop/web.git", "read")).toEqual(webRead);
      expect(egressScopeFor("https://github.com/shop/web", "write")).toEqual(webWrite);
      expect(egressScopeFor("https://github.com/shop/web/", "read")).toEqual(webRead);
      for (const url of [
        "http://github.com/shop/web.git",
        "https://api.github.com/repos/shop/web",
        "https://x:ghp_secret@github.com/shop/web.git",
        "https://github.com/shop/web.git/info/refs",
        "https://github.com/shop/web.git?x=1",
        "https://github.com:8443/shop/web.git",
        "https://github.com/shop",
        "https://gitlab.com/shop/web.git",
        "file:///srv/repos/web",
        "/srv/repos/web",
        "not a url",
      ]) {
        expect(egressScopeFor(url, "read"), url).toBeNull();
      }
    });

    it("is installed on every GitHub host as the scoped handler with the scope as its params", () => {
      const overrides = scopeOverrides({ ...webWrite, extra: "dropped" } as EgressScope);
      expect(Object.keys(overrides).sort()).toEqual([...GITHUB_HOSTS].sort());
      for (const host of GITHUB_HOSTS) expect(overrides[host]).toEqual({ method: GITHUB_SCOPED_HANDLER, params: webWrite });
      // what the handler reads back is what was installed
      expect(egressScopeOf(overrides["github.com"].params)).toEqual(webWrite);
    });

    it("tells writes from reads", () => {
      const req = (url: string, method = "GET") => new Request(url, { method, body: method === "GET" || method === "HEAD" ? undefined : "x" });
      expect(isWriteRequest(req("https://github.com/shop/web.git/info/refs?service=git-receive-pack"))).toBe(true);
      expect(isWriteRequest(req("https://github.com/shop/web.git/git-receive-pack", "POST"))).toBe(true);
      expect(isWriteRequest(req("https://api.github.com/repos/shop/web/git/refs", "PATCH"))).toBe(true);
      expect(isWriteRequest(req("https://github.com/shop/web.git/info/refs?service=git-upload-pack"))).toBe(false);
      expect(isWriteRequest(req("https://github.com/shop/web.git/git-upload-pack", "POST"))).toBe(false);
      expect(isWriteRequest(req("https://api.github.com/repos/shop/web/contents/a"))).toBe(false);
      expect(isWriteRequest(req("https://codeload.github.com/shop/web/tar.gz/refs/heads/main"))).toBe(false);
    });
  });

  describe("with a GitHub App", () => {
    const APP_ID = "4242";
    const keys = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "der" } });
    const appEnv = (extra: Record<string, string> = {}) => ({ GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: keys.privateKey, ...extra });
    // one installation holds two projects' repositories: a token for one must not reach the other
    const fake = () => fakeGitHubApp({ appId: APP_ID, publicKeySpki: keys.publicKey, installations: { "shop/web": 42, "shop/billing": 42 } });

    it("finds the repository in git, archive and API paths, and nothing else", () => {
      const repo = (url: string) => repoOfRequest(new URL(url));
      expect(repo("https://github.com/shop/web.git/info/refs?service=git-receive-pack")).toEqual({ owner: "shop", repo: "web" });
      expect(repo("https://github.com/shop/web.git/git-upload-pack")).toEqual({ owner: "shop", repo: "web" });
      expect(repo("https://github.com/shop/web/git-receive-pack")).toEqual({ owner: "shop", repo: "web" });
      expect(repo("https://github.com/shop/my.lib.git")).toEqual({ owner: "shop", repo: "my.lib" });
      expect(repo("https://codeload.github.com/shop/web/tar.gz/refs/heads/main")).toEqual({ owner: "shop", repo: "web" });
      expect(repo("https://api.github.com/repos/shop/web/pulls")).toEqual({ owner: "shop", repo: "web" });
      // dot segments are resolved before the path is read (and forwarded as resolved)
      expect(repo("https://github.com/shop/web.git/../../shop/billing.git/info/refs")).toEqual({ owner: "shop", repo: "billing" });
      expect(repo("https://github.com/shop/web.git/%2e%2e/%2E%2E/shop/billing.git/info/refs")).toEqual({ owner: "shop", repo: "billing" });
      expect(repo("https://api.github.com/user")).toBeNull();
      expect(repo("https://github.com/shop")).toBeNull();
      expect(repo("https://github.com/-bad/web.git")).toBeNull();
      expect(repo("https://objects.githubusercontent.com/shop/web")).toBeNull();
      expect(repo(`https://github.com/${"a".repeat(3000)}/web`)).toBeNull();
    });

    it("adds an installation token narrowed to the run's repository and contents: write, reused across requests, instead of GITHUB_TOKEN", async () => {
      const gh = fake();
      const { seen, upstream } = upstreamSpy();
      const handle = scoped(upstream, { appFetch: gh.fetch });
      const env = appEnv({ GITHUB_TOKEN: "ghs_deploymentToken" });
      await handle(new Request("https://github.com/shop/web.git/info/refs?service=git-receive-pack", { headers: { authorization: "Basic bGVhaw==" } }), env, ctx(webWrite));
      await handle(new Request("https://github.com/shop/web.git/git-receive-pack", { method: "POST", body: "0000", headers: { authorization: "Basic bGVhaw==" } }), env, ctx(webWrite));
      await handle(new Request("https://api.github.com/repos/shop/web"), env, ctx(webWrite));
      expect(gh.jwtProblems).toEqual([]);
      expect(gh.minted.length).toBe(1);
      expect(gh.minted[0]).toMatchObject({ installationId: 42, body: { repositories: ["web"], permissions: { contents: "write" } } });
      const token = gh.minted[0].token;
      expect(seen.map((r) => r.headers.get("authorization"))).toEqual([`Basic ${btoa(`x-access-token:${token}`)}`, `Basic ${btoa(`x-access-token:${token}`)}`, `Bearer ${token}`]);
      expect(await seen[1].text()).toBe("0000");
      // the container never sees the App's calls: only its own requests went upstream
      expect(seen.map((r) => new URL(r.url).pathname)).toEqual(["/shop/web.git/info/refs", "/shop/web.git/git-receive-pack", "/repos/shop/web"]);
    });

    it("gives a research run (read scope) a token with contents: read, and no token for its pushes", async () => {
      const gh = fake();
      const { seen, upstream } = upstreamSpy();
      const handle = scoped(upstream, { appFetch: gh.fetch });
      await handle(new Request("https://github.com/shop/web.git/git-upload-pack", { method: "POST", body: "0000" }), appEnv(), ctx(webRead));
      await handle(new Request("https://github.com/shop/web.git/info/refs?service=git-receive-pack"), appEnv(), ctx(webRead));
      expect(gh.minted.map((m) => m.body)).toEqual([{ repositories: ["web"], permissions: { contents: "read" } }]);
      expect(seen.map((r) => r.headers.get("authorization"))).toEqual([`Basic ${btoa(`x-access-token:${gh.minted[0].token}`)}`, null]);
    });

    it("mints nothing for another repository the App is installed on, nor for a path naming none", async () => {
      const gh = fake();
      const { seen, upstream } = upstreamSpy();
      const handle = scoped(upstream, { appFetch: gh.fetch });
      const env = appEnv({ GITHUB_TOKEN: "ghs_deploymentToken" });
      await handle(new Request("https://github.com/shop/billing.git/info/refs?service=git-receive-pack"), env, ctx(webWrite));
      await handle(new Request("https://github.com/shop/billing.git/git-upload-pack", { method: "POST", body: "0000" }), env, ctx(webWrite));
      await handle(new Request("https://api.github.com/repos/shop/billing/contents/secrets.env"), env, ctx(webWrite));
      await handle(new Request("https://github.com/shop/web.git/../../shop/billing.git/info/refs"), env, ctx(webWrite));
      await handle(new Request("https://api.github.com/installation/repositories"), env, ctx(webWrite));
      expect(gh.calls).toEqual([]);
      expect(gh.minted).toEqual([]);
      expect(seen.map((r) => r.headers.get("authorization"))).toEqual([null, null, null, null, null]);
      expect(new URL(seen[3].url).pathname).toBe("/shop/billing.git/info/refs");
    });

    it("falls back to GITHUB_TOKEN (or nothing) for the run's repository where the App is not installed", async () => {
      const gh = fakeGitHubApp({ appId: APP_ID, publicKeySpki: keys.publicKey, installations: { "shop/billing": 7 } });
      const cred = (env: Record<string, string>) => githubCredential(env, new Request("https://github.com/shop/web.git/info/refs"), webRead, { appFetch: gh.fetch });
      expect(await cred(appEnv({ GITHUB_TOKEN: "ghs_deploymentToken" }))).toEqual({ token: "ghs_deploymentToken", source: "token" });
      expect(await cred(appEnv())).toBeNull();
      expect(gh.minted.length).toBe(0);
    });

    it("answers 502 with a reason, and no secret, when the App cannot mint", async () => {
      const gh = fakeGitHubApp({ appId: APP_ID, publicKeySpki: keys.publicKey, installations: { "shop/web": 42 }, failWith: 401 });
      const { seen, upstream } = upstreamSpy();
      const handle = scoped(upstream, { appFetch: gh.fetch });
      const res = await handle(new Request("https://github.com/shop/web.git/info/refs"), appEnv({ GITHUB_TOKEN: "ghs_deploymentToken" }), ctx(webRead));
      expect(res.status).toBe(502);
      const body = await res.json();
      expect(body).toMatchObject({ reason: "github_credential_unavailable", cause: "unauthorized" });
      expect(JSON.stringify(body)).not.toMatch(/ghs_|BEGIN|eyJ/);
      expect(seen).toEqual([]);

      const bad = await handle(new Request("https://github.com/shop/web.git/info/refs"), { GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----" }, ctx(webRead));
      expect(bad.status).toBe(502);
      expect(await bad.json()).toMatchObject({ cause: "bad_private_key" });
    });

    it("answers 502 rather than widen the token when GitHub will not narrow it to the repository", async () => {
      const gh = fake();
      // GitHub's 422 for repository names it cannot narrow to
      const narrowingRefused: typeof fetch = async (input, init) => {
        const req = new Request(input, init);
        if (req.method === "POST" && new URL(req.url).pathname.endsWith("/access_tokens")) {
          return Response.json({ message: "There is at least one repository that does not exist or is not accessible to the parent installation." }, { status: 422 });
        }
        return gh.fetch(req);
      };
      const { seen, upstream } = upstreamSpy();
      const res = await scoped(upstream, { appFetch: narrowingRefused })(new Request("https://github.com/shop/web.git/info/refs"), appEnv(), ctx(webWrite));
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ reason: "github_credential_unavailable", cause: "validation_failed" });
      expect(gh.minted).toEqual([]);
      expect(seen).toEqual([]);
    });
  });
});
