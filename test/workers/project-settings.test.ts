/**
 * PATCH /v1/project through the Worker: the repository and the external MCP
 * servers (validation with reasons, display, the readers research uses), and
 * secrets sealed at rest with a legacy plaintext row still read.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { open, secretContext } from "../../workers/admin/secret-box";
import { projectMcpServers } from "../../workers/mcp/project-servers";
import { projectRepository } from "../../workers/research/project-repo";
import worker from "../../workers/index";
import { api, BASE, createProject } from "./helpers";

async function patch(key: string, body: unknown) {
  const res = await api(key, "/v1/project", { method: "PATCH", body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function rejected(key: string, body: unknown, field: string, reason: RegExp) {
  const res = await patch(key, body);
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(res.body.code).toBe("invalid_project");
  const error = (res.body.errors as { field: string; message: string }[]).find((e) => e.field === field);
  expect(error, `${field} in ${JSON.stringify(res.body.errors)}`).toBeDefined();
  expect(error!.message).toMatch(reason);
}

async function row(id: string) {
  return (await env.DB.prepare("SELECT * FROM projects WHERE id = ?").bind(id).first<Record<string, string | null>>())!;
}

describe("PATCH /v1/project repository", () => {
  it("stores a repository, shows it back, and research reads it", async () => {
    const key = await createProject("repo-a");
    expect(await projectRepository(env, "repo-a")).toBeNull();
    const res = await patch(key, { repository: { url: "https://github.com/acme/shop.git", default_branch: "main", test_command: "npm test" } });
    expect(res.status).toBe(200);
    expect(res.body.project.repository).toEqual({ url: "https://github.com/acme/shop.git", default_branch: "main", test_command: "npm test" });
    expect(await projectRepository(env, "repo-a")).toEqual({ url: "https://github.com/acme/shop.git", branch: "main", testCommand: "npm test", reviewBots: [] });

    // the local forms (ALLOW_LOCAL_URLS=on in the local environment); branch and command optional
    for (const url of ["/tmp/sample-app", "file:///tmp/sample-app", "http://127.0.0.1:9418/shop.git"]) {
      const local = await patch(key, { repository: { url } });
      expect(local.status, url).toBe(200);
      expect(local.body.project.repository).toEqual({ url, default_branch: null, test_command: null });
    }
    expect(await projectRepository(env, "repo-a")).toEqual({ url: "http://127.0.0.1:9418/shop.git", branch: null, testCommand: null, reviewBots: [] });

    // other settings leave it alone; null disconnects it
    expect((await patch(key, { promotion_threshold: 7 })).body.project.repository.url).toBe("http://127.0.0.1:9418/shop.git");
    const cleared = await patch(key, { repository: null });
    expect(cleared.body.project.repository).toBeNull();
    expect(await projectRepository(env, "repo-a")).toBeNull();
  });

  it("stores the review bots the fix loop trusts, lower case, and the fix run reads them with the repository", async () => {
    const key = await createProject("repo-bots");
    expect((await patch(key, { repository: { url: "https://github.com/acme/shop.git" } })).status).toBe(200);
    const res = await patch(key, { review_bots: ["CodeRabbitAI[bot]", "greptile-apps[bot]", "coderabbitai[bot]"] });
    expect(res.status).toBe(200);
    expect(res.body.project.review_bots).toEqual(["coderabbitai[bot]", "greptile-apps[bot]"]);
    expect((await projectRepository(env, "repo-bots"))!.reviewBots).toEqual(["coderabbitai[bot]", "greptile-apps[bot]"]);
    await rejected(key, { review_bots: ["evil bot"] }, "review_bots[0]", /a GitHub login/);
    await rejected(key, { review_bots: ["-dash[bot]"] }, "review_bots[0]", /a GitHub login/);
    await rejected(key, { review_bots: Array.from({ length: 21 }, (_, i) => `bot${i}[bot]`) }, "review_bots", /20/);
    expect((await patch(key, { review_bots: [] })).body.project.review_bots).toEqual([]);
  });

  it("rejects credentials, other schemes, odd branches and multi-line commands with a reason", async () => {
    const key = await createProject("repo-b");
    await rejected(key, { repository: { url: "https://x-access-token:ghp_abc@github.com/acme/shop.git" } }, "repository.url", /no credentials/);
    await rejected(key, { repository: { url: "https://user@github.com/acme/shop.git" } }, "repository.url", /no credentials/);
    await rejected(key, { repository: { url: "git@github.com:acme/shop.git" } }, "repository.url", /SSH remotes are not supported/);
    await rejected(key, { repository: { url: "ftp://example.com/shop.git" } }, "repository.url", /not ftp:/);
    await rejected(key, { repository: { url: "shop" } }, "repository.url", /https:\/\//);
    await rejected(key, { repository: { url: "/tmp/../etc" } }, "repository.url", /\.\./);
    await rejected(key, { repository: { url: "file://host/tmp/x" } }, "repository.url", /no host/);
    await rejected(key, { repository: { url: "file:///tmp/%zz" } }, "repository.url", /percent-encoding/);
    await rejected(key, { repository: { url: "https://github.com/acme/shop .git" } }, "repository.url", /no spaces/);
    await rejected(key, { repository: { url: "https://github.com/acme/shop.git", default_branch: "-x" } }, "repository.default_branch", /branch name/);
    await rejected(key, { repository: { url: "https://github.com/acme/shop.git", default_branch: "a..b" } }, "repository.default_branch", /\.\./);
    await rejected(key, { repository: { url: "https://github.com/acme/shop.git", test_command: "npm test\nrm -rf /" } }, "repository.test_command", /one line/);
    await rejected(key, { repository: { url: "https://github.com/acme/shop.git", token: "x" } }, "repository", /token/);
    expect((await row("repo-b")).repository_url).toBeNull();
  });
});

describe("PATCH /v1/project mcp_servers", () => {
  it("stores servers with sealed tokens, shows tokens only as set, and research opens them", async () => {
    const key = await createProject("mcp-set-a");
    const res = await patch(key, {
      mcp_servers: [
        { name: "linear", url: "https://mcp.linear.example/mcp", token: "lin_api_secret_token_1" },
        { name: "notion", url: "http://127.0.0.1:8711/mcp" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.project.mcp_servers).toEqual([
      { name: "linear", url: "https://mcp.linear.example/mcp", token: "set" },
      { name: "notion", url: "http://127.0.0.1:8711/mcp", token: null },
    ]);
    expect(JSON.stringify(res.body)).not.toContain("lin_api_secret_token_1");
    const stored = (await row("mcp-set-a")).mcp_servers!;
    expect(stored).not.toContain("lin_api_secret_token_1");
    expect(JSON.parse(stored)[0].token).toMatch(/^v1:/);
    expect(await projectMcpServers(env, "mcp-set-a")).toEqual([
      { name: "linear", url: "https://mcp.linear.example/mcp", token: "lin_api_secret_token_1" },
      { name: "notion", url: "http://127.0.0.1:8711/mcp", token: null },
    ]);

    // the whole list each time; an omitted token stays with an unchanged server
    const again = await patch(key, { mcp_servers: [{ name: "linear", url: "https://mcp.linear.example/mcp" }] });
    expect(again.body.project.mcp_servers).toEqual([{ name: "linear", url: "https://mcp.linear.example/mcp", token: "set" }]);
    expect((await projectMcpServers(env, "mcp-set-a"))[0].token).toBe("lin_api_secret_token_1");
    // …but never follows it to another URL
    await rejected(key, { mcp_servers: [{ name: "linear", url: "https://evil.example/mcp" }] }, "mcp_servers[0].token", /url of linear changed/);
    expect((await projectMcpServers(env, "mcp-set-a"))[0]).toEqual({ name: "linear", url: "https://mcp.linear.example/mcp", token: "lin_api_secret_token_1" });
    // null clears a token; [] clears the list
    expect((await patch(key, { mcp_servers: [{ name: "linear", url: "https://mcp.linear.example/mcp", token: null }] })).body.project.mcp_servers[0].token).toBeNull();
    expect((await patch(key, { mcp_servers: [] })).body.project.mcp_servers).toEqual([]);
  });

  it("rejects bad names, duplicates, non-https remote URLs, credentials in URLs and too many servers", async () => {
    const key = await createProject("mcp-set-b");
    await rejected(key, { mcp_servers: [{ name: "Linear", url: "https://a.example/mcp" }] }, "mcp_servers[0].name", /a-z, 0-9/);
    await rejected(key, { mcp_servers: [{ name: "x".repeat(33), url: "https://a.example/mcp" }] }, "mcp_servers[0].name", /1 to 32/);
    await rejected(key, { mcp_servers: [{ name: "a", url: "https://a.example/mcp" }, { name: "a", url: "https://b.example/mcp" }] }, "mcp_servers[1].name", /unique/);
    await rejected(key, { mcp_servers: [{ name: "a", url: "http://mcp.example.com/mcp" }] }, "mcp_servers[0].url", /needs https/);
    await rejected(key, { mcp_servers: [{ name: "a", url: "https://me:pw@a.example/mcp" }] }, "mcp_servers[0].url", /no credentials/);
    await rejected(key, { mcp_servers: [{ name: "a", url: "file:///etc/passwd" }] }, "mcp_servers[0].url", /not file:/);
    await rejected(key, { mcp_servers: [{ name: "a", url: "https://a.example/mcp", token: "two words" }] }, "mcp_servers[0].token", /without spaces/);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `s${i}`, url: "https://a.example/mcp" }));
    await rejected(key, { mcp_servers: eleven }, "mcp_servers", /10/);
    expect((await row("mcp-set-b")).mcp_servers).toBeNull();
  });
});

describe("source secrets at rest", () => {
  it("seals the Slack and GitHub secrets in D1, and a legacy plaintext row still verifies Slack requests", async () => {
    const key = await createProject("sealed-a");
    const res = await patch(key, { slack_signing_secret: "slack-secret-sealed-1", github_webhook_secret: "github-secret-sealed-1" });
    expect(res.body.project).toMatchObject({ slack_signing_secret: "set", github_webhook_secret: "set" });
    const r = await row("sealed-a");
    expect(r.slack_signing_secret).toMatch(/^v1:/);
    expect(r.github_webhook_secret).toMatch(/^v1:/);
    expect(await open(env, r.slack_signing_secret!, secretContext("sealed-a", "slack_signing_secret"))).toBe("slack-secret-sealed-1");

    // a sealed secret still verifies deliveries (the Slack route opens it)
    const body = JSON.stringify({ type: "url_verification", challenge: "c-sealed" });
    expect((await slack("sealed-a", body, "slack-secret-sealed-1")).status).toBe(200);
    expect((await slack("sealed-a", body, "v1:wrong")).status).toBe(401);

    // a row written before sealing: plaintext, read as it is
    await env.DB.prepare("UPDATE projects SET slack_signing_secret = ? WHERE id = ?").bind("legacy-plaintext-secret", "sealed-a").run();
    const legacy = await slack("sealed-a", body, "legacy-plaintext-secret");
    expect(legacy.status).toBe(200);
    expect(await legacy.json()).toEqual({ challenge: "c-sealed" });

    // a sealed value moved to another project does not open there: a clear 500, not a bypass
    const other = await createProject("sealed-b");
    void other;
    await env.DB.prepare("UPDATE projects SET slack_signing_secret = ? WHERE id = ?").bind(r.slack_signing_secret, "sealed-b").run();
    const moved = await slack("sealed-b", body, "slack-secret-sealed-1");
    expect(moved.status).toBe(500);
    expect(await moved.json()).toMatchObject({ code: "secret_unreadable" });
  });
});

async function slack(project: string, body: string, secret: string) {
  const ts = String(Math.floor(Date.now() / 1000));
  const k = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(`v0:${ts}:${body}`)));
  const hex = [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
  return SELF.fetch(`${BASE}/slack/events/${project}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": `v0=${hex}` },
  });
}

describe("a production deployment (no SECRETS_KEY, no ALLOW_LOCAL_URLS)", () => {
  const production = { ...env, SECRETS_KEY: undefined, ALLOW_LOCAL_URLS: undefined };
  async function prodFetch(path: string, init: RequestInit) {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`${BASE}${path}`, init), production, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }
  const prodPatch = (key: string, body: unknown) =>
    prodFetch("/v1/project", { method: "PATCH", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });

  it("refuses to store a secret with 503 secrets_key_missing, and accepts https URLs only", async () => {
    const key = await createProject("prod-a");
    const secret = await prodPatch(key, { slack_signing_secret: "would-rest-in-plaintext" });
    expect(secret.status).toBe(503);
    expect(await secret.json()).toMatchObject({ code: "secrets_key_missing", detail: expect.stringMatching(/wrangler secret put SECRETS_KEY/) });
    const token = await prodPatch(key, { mcp_servers: [{ name: "linear", url: "https://mcp.linear.example/mcp", token: "tok" }] });
    expect(token.status).toBe(503);
    expect((await row("prod-a")).slack_signing_secret).toBeNull();
    expect((await row("prod-a")).mcp_servers).toBeNull();

    for (const url of ["/tmp/sample-app", "file:///tmp/sample-app", "http://127.0.0.1:9418/shop.git"]) {
      const res = await prodPatch(key, { repository: { url } });
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/^repository\.url: a URL starting with https:\/\//);
    }
    const loopback = await prodPatch(key, { mcp_servers: [{ name: "local", url: "http://127.0.0.1:8711/mcp" }] });
    expect(loopback.status).toBe(400);
    // settings without a secret need no key
    const ok = await prodPatch(key, { repository: { url: "https://github.com/acme/shop.git" }, mcp_servers: [{ name: "notion", url: "https://mcp.notion.example/mcp" }] });
    expect(ok.status).toBe(200);
  });

  it("a sealed source secret without the key is a clear 503 on the webhook, a legacy one still verifies", async () => {
    const key = await createProject("prod-b");
    expect((await patch(key, { slack_signing_secret: "sealed-with-the-local-key" })).status).toBe(200);
    const body = JSON.stringify({ type: "url_verification", challenge: "c-prod" });
    const ts = String(Math.floor(Date.now() / 1000));
    const sign = async (secret: string) => {
      const k = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(`v0:${ts}:${body}`)));
      return `v0=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
    };
    const post = async (secret: string) =>
      prodFetch("/slack/events/prod-b", { method: "POST", body, headers: { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": await sign(secret) } });
    const sealed = await post("sealed-with-the-local-key");
    expect(sealed.status).toBe(503);
    expect(await sealed.json()).toMatchObject({ code: "secrets_key_missing" });
    await env.DB.prepare("UPDATE projects SET slack_signing_secret = ? WHERE id = ?").bind("legacy-plaintext-prod", "prod-b").run();
    expect((await post("legacy-plaintext-prod")).status).toBe(200);
  });
});
