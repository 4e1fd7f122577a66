/**
 * The Cloudflare Sandbox's egress (workers/workspace/egress.ts): GitHub gets
 * the deployment's token added by the Worker and never the container's own;
 * package registries are forwarded without credentials; other hosts are
 * refused with a reason. With a GitHub App configured, the credential is an
 * installation token minted for the request's repository (against the fake of
 * GitHub's App endpoints, which verifies the App's JWT).
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GITHUB_HOSTS, githubCredential, outboundByHost, PACKAGE_HOSTS, refuseEgress, repoOfRequest } from "../../workers/workspace/egress";
import { fakeGitHubApp } from "./fake-github-app";

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

  describe("with a GitHub App", () => {
    const APP_ID = "4242";
    const keys = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "der" } });
    const appEnv = (extra: Record<string, string> = {}) => ({ GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: keys.privateKey, ...extra });
    const fake = () => fakeGitHubApp({ appId: APP_ID, publicKeySpki: keys.publicKey, installations: { "shop/web": 42 } });

    it("finds the repository in git, archive and API paths, and nothing else", () => {
      const repo = (url: string) => repoOfRequest(new URL(url));
      expect(repo("https://github.com/shop/web.git/info/refs?service=git-receive-pack")).toEqual({ owner: "shop", repo: "web" });
      expect(repo("https://github.com/shop/web.git/git-upload-pack")).toEqual({ owner: "shop", repo: "web" });
      expect(repo("https://github.com/shop/web/git-receive-pack")).toEqual({ owner: "shop", repo: "web" });
      expect(repo("https://github.com/shop/my.lib.git")).toEqual({ owner: "shop", repo: "my.lib" });
      expect(repo("https://codeload.github.com/shop/web/tar.gz/refs/heads/main")).toEqual({ owner: "shop", repo: "web" });
      expect(repo("https://api.github.com/repos/shop/web/pulls")).toEqual({ owner: "shop", repo: "web" });
      expect(repo("https://api.github.com/user")).toBeNull();
      expect(repo("https://github.com/shop")).toBeNull();
      expect(repo("https://github.com/-bad/web.git")).toBeNull();
      expect(repo("https://objects.githubusercontent.com/shop/web")).toBeNull();
      expect(repo(`https://github.com/${"a".repeat(3000)}/web`)).toBeNull();
    });

    it("adds an installation token minted for the request's repository, reused across requests, instead of GITHUB_TOKEN", async () => {
      const gh = fake();
      const { seen, upstream } = upstreamSpy();
      const table = outboundByHost(upstream, { appFetch: gh.fetch });
      const env = appEnv({ GITHUB_TOKEN: "ghs_deploymentToken" });
      await table["github.com"](new Request("https://github.com/shop/web.git/info/refs?service=git-receive-pack", { headers: { authorization: "Basic bGVhaw==" } }), env);
      await table["github.com"](new Request("https://github.com/shop/web.git/git-receive-pack", { method: "POST", body: "0000", headers: { authorization: "Basic bGVhaw==" } }), env);
      await table["api.github.com"](new Request("https://api.github.com/repos/shop/web"), env);
      expect(gh.jwtProblems).toEqual([]);
      expect(gh.minted.length).toBe(1);
      expect(gh.minted[0]).toMatchObject({ installationId: 42, body: { repositories: ["web"], permissions: { contents: "write" } } });
      const token = gh.minted[0].token;
      expect(seen.map((r) => r.headers.get("authorization"))).toEqual([`Basic ${btoa(`x-access-token:${token}`)}`, `Basic ${btoa(`x-access-token:${token}`)}`, `Bearer ${token}`]);
      expect(await seen[1].text()).toBe("0000");
      // the container never sees the App's calls: only its own requests went upstream
      expect(seen.map((r) => new URL(r.url).pathname)).toEqual(["/shop/web.git/info/refs", "/shop/web.git/git-receive-pack", "/repos/shop/web"]);
    });

    it("falls back to GITHUB_TOKEN (or nothing) where the App is not installed or no repository is named", async () => {
      const gh = fake();
      const withToken = appEnv({ GITHUB_TOKEN: "ghs_deploymentToken" });
      const cred = (url: string, env: Record<string, string>) => githubCredential(env, new Request(url), { appFetch: gh.fetch });
      expect(await cred("https://github.com/leftpad/lib.git/info/refs", withToken)).toEqual({ token: "ghs_deploymentToken", source: "token" });
      expect(await cred("https://github.com/leftpad/lib.git/info/refs", appEnv())).toBeNull();
      expect(await cred("https://objects.githubusercontent.com/github-production-release-asset/1", withToken)).toEqual({ token: "ghs_deploymentToken", source: "token" });
      expect(await cred("https://api.github.com/rate_limit", appEnv())).toBeNull();
      expect(gh.minted.length).toBe(0);
      expect((await cred("https://github.com/shop/web.git/info/refs", appEnv()))?.source).toBe("app");
    });

    it("answers 502 with a reason, and no secret, when the App cannot mint", async () => {
      const gh = fakeGitHubApp({ appId: APP_ID, publicKeySpki: keys.publicKey, installations: { "shop/web": 42 }, failWith: 401 });
      const { seen, upstream } = upstreamSpy();
      const table = outboundByHost(upstream, { appFetch: gh.fetch });
      const res = await table["github.com"](new Request("https://github.com/shop/web.git/info/refs"), appEnv({ GITHUB_TOKEN: "ghs_deploymentToken" }));
      expect(res.status).toBe(502);
      const body = await res.json();
      expect(body).toMatchObject({ reason: "github_credential_unavailable", cause: "unauthorized" });
      expect(JSON.stringify(body)).not.toMatch(/ghs_|BEGIN|eyJ/);
      expect(seen).toEqual([]);

      const bad = await table["github.com"](new Request("https://github.com/shop/web.git/info/refs"), { GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----" });
      expect(bad.status).toBe(502);
      expect(await bad.json()).toMatchObject({ cause: "bad_private_key" });
    });
  });
});
