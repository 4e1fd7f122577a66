/**
 * workers/forge/github-app.ts against a local fake of GitHub's App endpoints
 * (fake-github-app.ts) that verifies the App's RS256 JWT with its public key:
 * a PKCS#1 key works end to end (look-up → mint → installation-authenticated
 * call), tokens are reused while fresh and minted again after, failures are
 * ForgeErrors with reasons and no secrets, and the access_tokens bodies sent
 * match GitHub's OpenAPI schema.
 */
import { readFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { Ajv } from "ajv";
import { beforeAll, describe, expect, it } from "vitest";
import { ForgeError } from "../../workers/forge/forge-client";
import { GitHubApp, githubAppConfigured, redactTokens, TOKEN_REUSE_MS } from "../../workers/forge/github-app";
import { fakeGitHubApp } from "./fake-github-app";

const APP_ID = "123456";
const { privateKey: PKCS1, publicKey: SPKI } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "der" },
});
const other = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "der" } });

/** the request body schema GitHub documents for an operation, $refs into components inlined */
function requestSchema(doc: { paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: unknown }> } }>>; components: { schemas: Record<string, unknown> } }, path: string, method: string): object {
  const inline = (node: unknown, depth: number): unknown => {
    if (depth > 20) throw new Error("schema nests too deep");
    if (Array.isArray(node)) return node.map((n) => inline(n, depth + 1));
    if (node && typeof node === "object") {
      const ref = (node as { $ref?: string }).$ref;
      if (typeof ref === "string") return inline(doc.components.schemas[ref.replace("#/components/schemas/", "")], depth + 1);
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v, depth + 1)]));
    }
    return node;
  };
  return inline(doc.paths[path][method].requestBody.content["application/json"].schema, 0) as object;
}

let validateAccessTokensBody: (body: unknown) => void;

beforeAll(() => {
  const doc = JSON.parse(readFileSync("node_modules/@octokit/openapi/generated/api.github.com.json", "utf8"));
  const ajv = new Ajv({ strict: false, allErrors: true });
  const schema = requestSchema(doc, "/app/installations/{installation_id}/access_tokens", "post");
  const validate = ajv.compile(schema);
  // the schema must be able to reject: a wrong shape fails it
  expect(validate({ repositories: "web" })).toBe(false);
  expect(validate({ permissions: { contents: "admin" } })).toBe(false);
  validateAccessTokensBody = (body) => {
    if (!validate(body)) throw new Error(`access_tokens body does not match GitHub's schema: ${ajv.errorsText(validate.errors)}`);
  };
});

function fake(overrides: Partial<Parameters<typeof fakeGitHubApp>[0]> = {}) {
  const bodies: unknown[] = [];
  const gh = fakeGitHubApp({
    appId: APP_ID,
    publicKeySpki: SPKI,
    installations: { "shop/web": 42 },
    onAccessTokensBody: (body) => {
      bodies.push(body);
      validateAccessTokensBody(body);
    },
    ...overrides,
  });
  return { ...gh, bodies };
}

async function rejection(promise: Promise<unknown>): Promise<ForgeError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ForgeError);
    return err as ForgeError;
  }
  throw new Error("expected a rejection");
}

describe("GitHub App (installation auth)", () => {
  it("with GitHub's PKCS#1 key: finds the installation, mints a token with a verified JWT, and calls as the installation", async () => {
    const gh = fake();
    const app = GitHubApp.fromEnv({ GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: PKCS1.trim().split("\n").join("\\n") }, { fetch: gh.fetch });
    const id = await app.installationIdFor("shop", "web");
    expect(id).toBe(42);
    const octokit = app.installationOctokit(id);
    const res = await octokit.rest.repos.get({ owner: "shop", repo: "web" });
    expect(res.data.full_name).toBe("shop/web");
    expect(gh.jwtProblems).toEqual([]);
    expect(gh.calls.map((c) => `${c.method} ${c.path} ${c.scheme}`)).toEqual([
      "GET /repos/shop/web/installation bearer",
      "POST /app/installations/42/access_tokens bearer",
      "GET /repos/shop/web token",
    ]);
    expect(gh.calls[2].credential).toBe(gh.minted[0].token);
  });

  it("reuses a token while fresh (one mint for two calls and installationToken), and mints again once it is old", async () => {
    const gh = fake();
    let now = Date.parse("2026-12-02T08:00:00Z");
    const app = new GitHubApp({ appId: APP_ID, privateKey: PKCS1, fetch: gh.fetch, now: () => now });
    const octokit = app.installationOctokit(42);
    await octokit.rest.repos.get({ owner: "shop", repo: "web" });
    await app.installationOctokit(42).rest.repos.get({ owner: "shop", repo: "web" });
    const { token, expiresAt } = await app.installationToken(42);
    expect(gh.minted.length).toBe(1);
    expect(token).toBe(gh.minted[0].token);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    expect(gh.calls.filter((c) => c.path.endsWith("/access_tokens")).length).toBe(1);

    now += TOKEN_REUSE_MS + 1;
    await octokit.rest.repos.get({ owner: "shop", repo: "web" });
    expect(gh.minted.length).toBe(2);
    expect(gh.calls.at(-1)?.credential).toBe(gh.minted[1].token);
  });

  it("narrows a token to repositories and permissions, with a body GitHub's schema accepts", async () => {
    const gh = fake();
    const app = new GitHubApp({ appId: APP_ID, privateKey: PKCS1, fetch: gh.fetch });
    const a = await app.installationToken(42, { repositories: ["web"], permissions: { contents: "write" } });
    const b = await app.installationToken(42, { repositories: ["web"], permissions: { contents: "write" } });
    const c = await app.installationToken(42);
    expect(b.token).toBe(a.token);
    expect(c.token).not.toBe(a.token);
    expect(gh.bodies).toEqual([{ repositories: ["web"], permissions: { contents: "write" } }]);
    // the check can fail: a body GitHub would refuse is caught
    expect(() => validateAccessTokensBody({ repositories: [7] })).toThrow(/schema/);
  });

  it("caches the installation per repository, and shares one look-up between concurrent callers", async () => {
    const gh = fake();
    const app = new GitHubApp({ appId: APP_ID, privateKey: PKCS1, fetch: gh.fetch });
    const ids = await Promise.all([app.installationIdFor("shop", "web"), app.installationIdFor("shop", "web"), app.installationIdFor("Shop", "Web")]);
    expect(ids).toEqual([42, 42, 42]);
    await app.installationIdFor("shop", "web");
    expect(gh.calls.filter((c) => c.path === "/repos/shop/web/installation").length).toBe(1);
    app.forgetInstallation("shop", "web");
    await app.installationIdFor("shop", "web");
    expect(gh.calls.filter((c) => c.path === "/repos/shop/web/installation").length).toBe(2);
  });

  it("a repository without the App installed → not_installed; an unknown installation → not_installed", async () => {
    const gh = fake();
    const app = new GitHubApp({ appId: APP_ID, privateKey: PKCS1, fetch: gh.fetch });
    const err = await rejection(app.installationIdFor("shop", "elsewhere"));
    expect(err.reason).toBe("not_installed");
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/not installed on shop\/elsewhere/);
    expect((await rejection(app.installationToken(77))).reason).toBe("not_installed");
    expect((await rejection(app.installationOctokit(77).rest.repos.get({ owner: "shop", repo: "web" }))).reason).toBe("not_installed");
  });

  it("a JWT GitHub refuses (another key) → unauthorized, without the JWT in the message", async () => {
    const gh = fake();
    const app = new GitHubApp({ appId: APP_ID, privateKey: other.privateKey, fetch: gh.fetch });
    const err = await rejection(app.installationIdFor("shop", "web"));
    expect(err.reason).toBe("unauthorized");
    expect(err.status).toBe(401);
    expect(gh.jwtProblems).toEqual(["bad signature"]);
    const jwt = gh.calls[0].credential ?? "";
    expect(jwt.length).toBeGreaterThan(100);
    expect(err.message.includes(jwt.split(".")[2])).toBe(false);
    const minting = await rejection(app.installationToken(42));
    expect(minting.reason).toBe("unauthorized");
    // the installation client too: the failure is the minting's, as a ForgeError
    expect((await rejection(app.installationOctokit(42).rest.repos.get({ owner: "shop", repo: "web" }))).reason).toBe("unauthorized");
  });

  it("server errors are retryable; GitHub not reached is network", async () => {
    const app = new GitHubApp({ appId: APP_ID, privateKey: PKCS1, fetch: fake({ failWith: 502 }).fetch });
    const err = await rejection(app.installationIdFor("shop", "web"));
    expect([err.reason, err.status, err.retryable]).toEqual(["server_error", 502, true]);
    const down = new GitHubApp({ appId: APP_ID, privateKey: PKCS1, fetch: (async () => Promise.reject(new TypeError("fetch failed"))) as typeof fetch });
    const net = await rejection(down.installationToken(42));
    expect([net.reason, net.status, net.retryable]).toEqual(["network", 0, true]);
  });

  it("an unusable key → bad_private_key, never echoing the key", async () => {
    const body = PKCS1.split("\n").slice(1, -2).join("\n");
    const garbage = [
      "not a pem",
      `-----BEGIN RSA PRIVATE KEY-----\n${body.slice(0, 300)}\n-----END RSA PRIVATE KEY-----`,
      `-----BEGIN RSA PRIVATE KEY-----\n${body}`,
    ];
    for (const key of garbage) {
      let error: unknown;
      try {
        GitHubApp.fromEnv({ GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: key });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ForgeError);
      expect((error as ForgeError).reason).toBe("bad_private_key");
      expect((error as Error).message.includes(body.slice(0, 20))).toBe(false);
    }
    // well-formed DER that is no RSA key: refused at first use, before any request
    const gh = fake();
    const bogus = `-----BEGIN RSA PRIVATE KEY-----\n${btoa(String.fromCharCode(0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x05))}\n-----END RSA PRIVATE KEY-----`;
    const app = new GitHubApp({ appId: APP_ID, privateKey: bogus, fetch: gh.fetch });
    expect((await rejection(app.installationIdFor("shop", "web"))).reason).toBe("bad_private_key");
    expect((await rejection(app.installationOctokit(42).rest.repos.get({ owner: "shop", repo: "web" }))).reason).toBe("bad_private_key");
    expect(gh.calls).toEqual([]);
  });

  it("configuration: needs id and key; the id is numeric; GHES API roots work", async () => {
    expect(githubAppConfigured({})).toBe(false);
    expect(githubAppConfigured({ GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: " " })).toBe(false);
    expect(githubAppConfigured({ GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: PKCS1 })).toBe(true);
    expect(() => GitHubApp.fromEnv({})).toThrow(expect.objectContaining({ reason: "app_not_configured" }));
    expect(() => GitHubApp.fromEnv({ GITHUB_APP_ID: "my-app", GITHUB_APP_PRIVATE_KEY: PKCS1 })).toThrow(expect.objectContaining({ reason: "app_not_configured" }));
    expect(() => GitHubApp.fromEnv({ GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: PKCS1, GITHUB_API_URL: "ftp://x" })).toThrow(expect.objectContaining({ reason: "app_not_configured" }));

    const gh = fake({ baseUrl: "https://ghe.example.com/api/v3" });
    const app = GitHubApp.fromEnv({ GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: PKCS1, GITHUB_API_URL: "https://ghe.example.com/api/v3/" }, { fetch: gh.fetch });
    const id = await app.installationIdFor("shop", "web");
    await app.installationOctokit(id).rest.repos.get({ owner: "shop", repo: "web" });
    expect(gh.calls.map((c) => c.path)).toEqual(["/repos/shop/web/installation", "/app/installations/42/access_tokens", "/repos/shop/web"]);
    expect(gh.jwtProblems).toEqual([]);
    await expect(app.installationIdFor("shop", "../etc")).rejects.toMatchObject({ reason: "invalid_repo" });
  });

  it("redacts anything token-shaped from text", () => {
    const text = redactTokens("Bad credentials for ghs_abcdefghijklmnop0123 and eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxIn0.c2lnbmF0dXJl; header token ghs_x1234567890");
    expect(text).not.toMatch(/ghs_abcdef|eyJhbGci|c2lnbmF0dXJl|x1234567890/);
    expect(redactTokens("x".repeat(10_000)).length).toBe(300);
  });
});
