// The local forge's git server (scripts/local/forge/git-server.ts) with real
// git over HTTP: clone, branch, commit, push, auth and path checks. Git runs
// as async child processes — the server lives in this process.
import { request } from "node:http";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitOk as gitOkAt, gitRun } from "./git-client";
import { basicAuthHeader } from "../../scripts/local/forge/basic-auth";
import { startGitServer, ZERO_ID, type GitServer, type PushEvent } from "../../scripts/local/forge/git-server";
import { makeSampleRepo, removeSampleRepo } from "../../scripts/local/make-sample-repo";

const TOKEN = "forge-test-token-6f1c";
const REPORT = "rep_42";

const DATE = "2026-01-02T03:04:05Z";
const git = (cwd: string, args: string[]) => gitRun(cwd, args, { date: DATE });
const gitOk = (cwd: string, args: string[]) => gitOkAt(cwd, args, { date: DATE });

const withToken = (token: string) => ["-c", `http.extraHeader=Authorization: ${basicAuthHeader(token)}`];

let work: string;
let sample: string;
let server: GitServer;
const pushes: PushEvent[] = [];
let mainSha: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "forge-git-test-"));
  sample = makeSampleRepo();
  mainSha = await gitOk(sample, ["rev-parse", "HEAD"]);
  server = await startGitServer({ root: join(work, "forge"), token: TOKEN, onPush: (e) => pushes.push(e) });
  server.createRepo("shop", "sample-app", sample);
});

afterAll(async () => {
  await server?.stop();
  if (sample) removeSampleRepo(sample);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("local forge git server", () => {
  it("clones, pushes a nightshift branch with the token, fires onPush, and a re-clone sees it", async () => {
    const url = server.repoUrl("shop", "sample-app");
    const clone = join(work, "clone1");
    await gitOk(work, ["clone", "--quiet", url, clone]);
    expect(await gitOk(clone, ["rev-parse", "HEAD"])).toBe(mainSha);
    expect(await gitOk(clone, ["symbolic-ref", "--short", "HEAD"])).toBe("main");

    await gitOk(clone, ["switch", "--quiet", "-c", `nightshift/${REPORT}`]);
    writeFileSync(join(clone, "FIX.md"), "a fix\n");
    await gitOk(clone, ["add", "FIX.md"]);
    await gitOk(clone, ["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "fix: the thing"]);
    const fixSha = await gitOk(clone, ["rev-parse", "HEAD"]);

    pushes.length = 0;
    await gitOk(clone, [...withToken(TOKEN), "push", "--quiet", "origin", `nightshift/${REPORT}`]);
    expect(pushes).toEqual([{ owner: "shop", repo: "sample-app", ref: `refs/heads/nightshift/${REPORT}`, before: ZERO_ID, after: fixSha }]);

    // a second commit on the same branch: before is the first fix
    writeFileSync(join(clone, "FIX.md"), "a better fix\n");
    await gitOk(clone, ["-c", "commit.gpgsign=false", "commit", "--quiet", "-am", "fix: better"]);
    const fix2 = await gitOk(clone, ["rev-parse", "HEAD"]);
    pushes.length = 0;
    const seen: PushEvent[] = [];
    const listener = (e: PushEvent) => seen.push(e);
    server.events.on("push", listener);
    await gitOk(clone, [...withToken(TOKEN), "push", "--quiet", "origin", `nightshift/${REPORT}`]);
    server.events.off("push", listener);
    expect(pushes).toEqual([{ owner: "shop", repo: "sample-app", ref: `refs/heads/nightshift/${REPORT}`, before: fixSha, after: fix2 }]);
    expect(seen).toEqual(pushes);

    const clone2 = join(work, "clone2");
    await gitOk(work, ["clone", "--quiet", "--branch", `nightshift/${REPORT}`, url, clone2]);
    expect(await gitOk(clone2, ["rev-parse", "HEAD"])).toBe(fix2);
    expect(await gitOk(clone2, ["rev-parse", "origin/main"])).toBe(mainSha);
  });

  it("refuses a push without the token or with a wrong one (401) and changes nothing", async () => {
    const url = server.repoUrl("shop", "sample-app");
    const clone = join(work, "clone-noauth");
    await gitOk(work, ["clone", "--quiet", url, clone]);
    await gitOk(clone, ["switch", "--quiet", "-c", "nightshift/unauthorized"]);
    writeFileSync(join(clone, "X.md"), "x\n");
    await gitOk(clone, ["add", "X.md"]);
    await gitOk(clone, ["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "x"]);
    const bare = join(server.root, "shop", "sample-app.git");
    const refsBefore = await gitOk(bare, ["for-each-ref"]);
    pushes.length = 0;

    const anon = await git(clone, ["push", "origin", "nightshift/unauthorized"]);
    expect(anon.code).not.toBe(0);
    const wrong = await git(clone, [...withToken("not-the-token"), "push", "origin", "nightshift/unauthorized"]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).not.toContain(TOKEN);

    expect(await gitOk(bare, ["for-each-ref"])).toBe(refsBefore);
    expect(pushes).toEqual([]);

    const res = await fetch(`${url}/info/refs?service=git-receive-pack`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    const post = await fetch(`${url}/git-receive-pack`, { method: "POST", body: "0000", headers: { "content-type": "application/x-git-receive-pack-request" } });
    expect(post.status).toBe(401);
    // fetch stays anonymous by default
    const adv = await fetch(`${url}/info/refs?service=git-upload-pack`);
    expect(adv.status).toBe(200);
    expect(adv.headers.get("content-type")).toBe("application/x-git-upload-pack-advertisement");
    expect(await adv.text()).toContain(mainSha);
  });

  it("answers 400 for bad names, 404 for unknown repositories and other paths, 403 for dumb HTTP", async () => {
    const status = async (path: string) => (await fetch(server.url + path)).status;
    expect(await status("/shop/nope.git/info/refs?service=git-upload-pack")).toBe(404);
    expect(await status("/ghost/sample-app.git/info/refs?service=git-upload-pack")).toBe(404);
    expect(await status("/shop/..git/info/refs?service=git-upload-pack")).toBe(400);
    expect(await status("/sh$op/sample-app.git/info/refs?service=git-upload-pack")).toBe(400);
    expect(await status("/shop/.hidden.git/info/refs?service=git-upload-pack")).toBe(400);
    expect(await status(`/${"a".repeat(101)}/sample-app.git/info/refs?service=git-upload-pack`)).toBe(400);
    expect(await status("/shop/sample-app.git/info/refs")).toBe(403);
    expect(await status("/shop/sample-app.git/HEAD")).toBe(404);
    expect(await status("/shop/sample-app.git/objects/info/packs")).toBe(404);
    expect(await status("/shop/sample-app/info/refs?service=git-upload-pack")).toBe(404);
    expect(await status("/")).toBe(404);
    // a traversal git itself would normalize still cannot reach outside the root
    const raw = await fetch(server.url + "/shop/%2e%2e.git/info/refs?service=git-upload-pack");
    expect(raw.status).toBe(400);
    const clone = await git(work, ["clone", "--quiet", server.repoUrl("shop", "nope"), join(work, "nope")]);
    expect(clone.code).not.toBe(0);
    expect(existsSync(join(work, "nope", ".git"))).toBe(false);
  });

  it("accepts a gzip'd upload-pack request body (Content-Encoding: gzip, as git sends large ones)", async () => {
    const url = server.repoUrl("shop", "sample-app");
    const pkt = (line: string) => (line.length + 4).toString(16).padStart(4, "0") + line;
    const request = pkt(`want ${mainSha}\n`) + "0000" + pkt("done\n");
    const res = await fetch(`${url}/git-upload-pack`, {
      method: "POST",
      body: gzipSync(Buffer.from(request)),
      headers: { "content-type": "application/x-git-upload-pack-request", "content-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-git-upload-pack-result");
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 8).toString("latin1")).toBe("0008NAK\n");
    expect(body.subarray(8, 12).toString("latin1")).toBe("PACK");
  });

  it("a push whose client goes away mid-body does not hold the repository's push lock", async () => {
    const url = new URL(server.repoUrl("shop", "sample-app") + "/git-receive-pack");
    await new Promise<void>((ok) => {
      const req = request(url, {
        method: "POST",
        headers: { authorization: basicAuthHeader(TOKEN), "content-type": "application/x-git-receive-pack-request", "content-length": "100000" },
      });
      req.on("error", () => ok());
      req.on("response", () => ok());
      req.write("0000", () => setImmediate(() => req.destroy()));
      req.on("close", () => ok());
    });
    // a real push after it still goes through (it would wait forever behind a held lock)
    const clone = join(work, "after-abort");
    await gitOk(work, ["clone", "--quiet", server.repoUrl("shop", "sample-app"), clone]);
    await gitOk(clone, ["switch", "--quiet", "-c", "nightshift/after-abort"]);
    await gitOk(clone, ["-c", "commit.gpgsign=false", "commit", "--quiet", "--allow-empty", "-m", "empty"]);
    const sha = await gitOk(clone, ["rev-parse", "HEAD"]);
    pushes.length = 0;
    await gitOk(clone, [...withToken(TOKEN), "push", "--quiet", "origin", "nightshift/after-abort"]);
    expect(pushes).toEqual([{ owner: "shop", repo: "sample-app", ref: "refs/heads/nightshift/after-abort", before: ZERO_ID, after: sha }]);
  }, 30_000);

  it("serves concurrent clones", async () => {
    const url = server.repoUrl("shop", "sample-app");
    const dirs = [0, 1, 2, 3].map((i) => join(work, `concurrent-${i}`));
    await Promise.all(dirs.map((d) => gitOk(work, ["clone", "--quiet", url, d])));
    for (const d of dirs) expect(await gitOk(d, ["rev-parse", "origin/main"])).toBe(mainSha);
  });

  it("caps the request body (413) and can gate fetch with the token too", async () => {
    const gated = await startGitServer({ root: join(work, "gated"), token: TOKEN, tokenForFetch: true, maxBodyBytes: 1024 });
    try {
      gated.createRepo("shop", "app", sample);
      const url = gated.repoUrl("shop", "app");
      const anon = await git(work, ["clone", "--quiet", url, join(work, "gated-anon")]);
      expect(anon.code).not.toBe(0);
      expect((await fetch(`${url}/info/refs?service=git-upload-pack`)).status).toBe(401);
      const ok = await fetch(`${url}/info/refs?service=git-upload-pack`, { headers: { authorization: basicAuthHeader(TOKEN) } });
      expect(ok.status).toBe(200);
      const big = await fetch(`${url}/git-upload-pack`, {
        method: "POST",
        body: "0".repeat(4096),
        headers: { authorization: basicAuthHeader(TOKEN), "content-type": "application/x-git-upload-pack-request" },
      });
      expect(big.status).toBe(413);
      // a chunked body (no Content-Length) is counted as it streams in
      const chunked = await fetch(`${url}/git-upload-pack`, {
        method: "POST",
        body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode("0".repeat(4096))), c.close()) }),
        duplex: "half",
        headers: { authorization: basicAuthHeader(TOKEN), "content-type": "application/x-git-upload-pack-request" },
      } as RequestInit);
      expect(chunked.status).toBe(413);
    } finally {
      await gated.stop();
    }
  });
});
