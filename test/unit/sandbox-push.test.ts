/**
 * The local sandbox service's push extension (/api/git/push-bundle) over
 * HTTP, against the local forge's git server with a token: the branch the
 * sandbox committed reaches the forge; the credential comes in a header and
 * is found nowhere in the sandbox; hooks and config planted in the sandbox's
 * `.git` never run on the host; bad refs, URLs and bundles get a reason.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitServer, type GitServer, type PushEvent } from "../../scripts/local/forge/git-server";
import { makeSampleRepo, removeSampleRepo } from "../../scripts/local/make-sample-repo";
import { startSandboxService, type SandboxService } from "../../scripts/local/sandbox-service";

const TOKEN = "push-test-token-91ab";
const BRANCH = "nightshift/rep_push";

let work: string;
let sample: string;
let forge: GitServer;
let svc: SandboxService;
const pushes: PushEvent[] = [];

async function call(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(svc.url + path, { method: "POST", headers: { "content-type": "application/json", "x-sandbox-id": "push", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

async function exec(command: string, cwd = "/workspace/repo") {
  const r = await call("/api/execute", { command, cwd, timeoutMs: 60_000 });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as { exitCode: number; stdout: string; stderr: string };
}

const GIT_ID = "GIT_AUTHOR_NAME=Nightshift GIT_AUTHOR_EMAIL=n@example.invalid GIT_COMMITTER_NAME=Nightshift GIT_COMMITTER_EMAIL=n@example.invalid";

/** every file under `dir` whose text holds `needle` (the sandbox's host directory) */
function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 4 << 20 && readFileSync(p).includes(needle)) found.push(p);
    }
  };
  walk(dir);
  return found;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "sandbox-push-test-"));
  sample = makeSampleRepo();
  forge = await startGitServer({ root: join(work, "forge"), token: TOKEN, onPush: (e) => void pushes.push(e) });
  forge.createRepo("shop", "sample-app", sample);
  svc = await startSandboxService({ root: join(work, "sandboxes"), warn: false });
  await call("/api/session/create", { id: "s", cwd: "/workspace" });
  const co = await call("/api/git/checkout", { repoUrl: forge.repoUrl("shop", "sample-app"), targetDir: "/workspace/repo" });
  expect(co.status, JSON.stringify(co.json)).toBe(200);
});

afterAll(async () => {
  await svc?.stop();
  await forge?.stop();
  if (sample) removeSampleRepo(sample);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("push-bundle", () => {
  it("pushes the sandbox's branch with the header's token; hooks and config planted in .git never run", async () => {
    const marker = join(work, "hook-ran");
    await exec(`git checkout -q -b ${BRANCH} && echo "// fixed" >> README.md && git add README.md && ${GIT_ID} git commit -q -m "Fix it"`);
    // what an agent could leave in the checkout: a pre-push hook and config that runs commands
    await exec(
      `printf '#!/bin/sh\\ntouch ${marker}\\n' > .git/hooks/pre-push && chmod +x .git/hooks/pre-push && git config core.fsmonitor "touch ${marker}" && git config core.hooksPath .git/hooks`,
    );
    const sha = (await exec("git rev-parse HEAD")).stdout.trim();
    await exec("git bundle create --quiet /workspace/out.bundle refs/heads/" + BRANCH);

    const before = pushes.length;
    const r = await call("/api/git/push-bundle", { bundlePath: "/workspace/out.bundle", ref: `refs/heads/${BRANCH}`, remoteUrl: forge.repoUrl("shop", "sample-app") }, { "x-forge-credential": TOKEN });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.sha).toBe(sha);
    expect(pushes.slice(before)).toEqual([expect.objectContaining({ owner: "shop", repo: "sample-app", ref: `refs/heads/${BRANCH}`, after: sha })]);
    expect(existsSync(marker)).toBe(false);
    // the bundle is consumed, and the token is nowhere in the sandbox
    expect(existsSync(join(svc.sandboxDir("push"), "out.bundle"))).toBe(false);
    expect(filesHolding(svc.sandboxDir("push"), TOKEN)).toEqual([]);
  });

  it("without the credential the forge refuses: push_unauthorized, refs unchanged", async () => {
    await exec(`${GIT_ID} git commit -q --allow-empty -m "second"`);
    await exec(`git bundle create --quiet /workspace/b2.bundle refs/heads/${BRANCH}`);
    const before = pushes.length;
    const r = await call("/api/git/push-bundle", { bundlePath: "/workspace/b2.bundle", ref: `refs/heads/${BRANCH}`, remoteUrl: forge.repoUrl("shop", "sample-app") });
    expect(r.status).toBe(502);
    expect(r.json.context.reason).toBe("push_unauthorized");
    expect(JSON.stringify(r.json)).not.toContain(TOKEN);
    expect(pushes.length).toBe(before);
  });

  it("a rewritten branch is rejected unless forced", async () => {
    await exec(`git reset -q --hard HEAD~2 && ${GIT_ID} git commit -q --allow-empty -m "another history" && git bundle create --quiet /workspace/b3.bundle refs/heads/${BRANCH}`);
    const body = { bundlePath: "/workspace/b3.bundle", ref: `refs/heads/${BRANCH}`, remoteUrl: forge.repoUrl("shop", "sample-app") };
    const rejected = await call("/api/git/push-bundle", body, { "x-forge-credential": TOKEN });
    expect(rejected.status).toBe(409);
    expect(rejected.json.context.reason).toBe("push_rejected");
    await exec(`git bundle create --quiet /workspace/b3.bundle refs/heads/${BRANCH}`);
    const forced = await call("/api/git/push-bundle", { ...body, force: true }, { "x-forge-credential": TOKEN });
    expect(forced.status, JSON.stringify(forced.json)).toBe(200);
  });

  it.each([
    ["a ref outside refs/heads", { ref: "refs/tags/v1" }, 400, "invalid_ref"],
    ["a ref with ..", { ref: "refs/heads/a..b" }, 400, "invalid_ref"],
    ["credentials in the URL", { remoteUrl: "http://x:y@127.0.0.1:1/a/b.git" }, 400, "git_url_not_allowed"],
    ["an ext:: URL", { remoteUrl: "ext::sh -c touch% /tmp/x" }, 400, "git_url_not_allowed"],
    ["a bundle outside /workspace", { bundlePath: "/etc/passwd" }, 400, "path_outside_workspace"],
    ["a missing bundle", { bundlePath: "/workspace/none.bundle" }, 404, "bundle_not_found"],
  ])("%s → %i %s", async (_label, patch, status, reason) => {
    const body = { bundlePath: "/workspace/x.bundle", ref: `refs/heads/${BRANCH}`, remoteUrl: forge.repoUrl("shop", "sample-app"), ...patch };
    const r = await call("/api/git/push-bundle", body, { "x-forge-credential": TOKEN });
    expect(r.status).toBe(status);
    expect(r.json.context.reason).toBe(reason);
  });

  it("a file that is not a bundle → bundle_invalid", async () => {
    await exec("echo nope > /workspace/fake.bundle", "/workspace");
    const r = await call("/api/git/push-bundle", { bundlePath: "/workspace/fake.bundle", ref: `refs/heads/${BRANCH}`, remoteUrl: forge.repoUrl("shop", "sample-app") }, { "x-forge-credential": TOKEN });
    expect(r.status).toBe(400);
    expect(r.json.context.reason).toBe("bundle_invalid");
  });
});
