/**
 * The GitHub App client in workerd (forge/github-app.ts, workspace/egress.ts):
 * with a PKCS#1 key — as GitHub hands them out — @octokit/auth-app signs its
 * JWT with WebCrypto here, the fake of GitHub's App endpoints verifies it,
 * and the installation's token authenticates the next call and the
 * sandbox's push. No network: the fake is an injected fetch.
 */
import { describe, expect, it } from "vitest";
import { GitHubApp } from "../../workers/forge/github-app";
import { derToPem } from "../../workers/forge/pkcs8";
import { outboundHandlers } from "../../workers/workspace/egress";
import { GITHUB_SCOPED_HANDLER } from "../../workers/workspace/egress-scope";
import { fakeGitHubApp } from "../unit/fake-github-app";

/** the PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo (what WebCrypto exports) */
function pkcs1Of(pkcs8: Uint8Array): Uint8Array {
  const len = (at: number): [number, number] => {
    const first = pkcs8[at];
    if (first < 0x80) return [first, at + 1];
    let n = 0;
    for (let i = 0; i < (first & 0x7f); i++) n = n * 256 + pkcs8[at + 1 + i];
    return [n, at + 1 + (first & 0x7f)];
  };
  const [, afterOuter] = len(1);
  const octetAt = afterOuter + 3 + 15; // version 0, AlgorithmIdentifier { rsaEncryption, NULL }
  expect(pkcs8[octetAt]).toBe(0x04);
  const [length, start] = len(octetAt + 1);
  return pkcs8.slice(start, start + length);
}

async function appKeys(): Promise<{ pkcs1Pem: string; spki: ArrayBuffer }> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  const spki = (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer;
  return { pkcs1Pem: derToPem(pkcs1Of(pkcs8), "RSA PRIVATE KEY"), spki };
}

describe("GitHub App in workerd", () => {
  it("mints an installation token with a PKCS#1 key and calls as the installation; the sandbox's push gets it too", async () => {
    const { pkcs1Pem, spki } = await appKeys();
    expect(pkcs1Pem.startsWith("-----BEGIN RSA PRIVATE KEY-----\n")).toBe(true);
    const gh = fakeGitHubApp({ appId: "777", publicKeySpki: spki, installations: { "shop/web": 9 } });
    const env = { GITHUB_APP_ID: "777", GITHUB_APP_PRIVATE_KEY: pkcs1Pem.trim().split("\n").join("\\n") };

    const app = GitHubApp.fromEnv(env, { fetch: gh.fetch });
    const res = await app.installationOctokit(await app.installationIdFor("shop", "web")).rest.repos.get({ owner: "shop", repo: "web" });
    expect(res.data.full_name).toBe("shop/web");
    expect(gh.jwtProblems).toEqual([]);
    expect(gh.calls.map((c) => `${c.method} ${c.path} ${c.scheme}`)).toEqual([
      "GET /repos/shop/web/installation bearer",
      "POST /app/installations/9/access_tokens bearer",
      "GET /repos/shop/web token",
    ]);

    const forwarded: Request[] = [];
    // the handler the sandbox's scope (egress-scope.ts) names, with that scope as its params
    const handle = outboundHandlers(async (req) => (forwarded.push(req), new Response("ok")), { appFetch: gh.fetch })[GITHUB_SCOPED_HANDLER];
    await handle(new Request("https://github.com/shop/web.git/info/refs?service=git-receive-pack"), env, { params: { owner: "shop", repo: "web", access: "write" } });
    const token = gh.minted.at(-1)?.token ?? "";
    expect(token).toMatch(/^ghs_fake/);
    expect(forwarded[0].headers.get("authorization")).toBe(`Basic ${btoa(`x-access-token:${token}`)}`);
  });
});
