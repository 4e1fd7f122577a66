/**
 * The Workspace seam's local face, in workerd: workspaceFromEnv picks the
 * local face, whose SandboxClient (the SDK's own client code) talks to the
 * local sandbox service over HTTP — commands, files, git checkout, the SSE
 * stream — with the service's answers checked through the SDK's parsers.
 */
import { parseSSEStream } from "@cloudflare/sandbox";
import { describe, expect, inject, it } from "vitest";
import { workspaceFromEnv } from "../../workers/workspace/from-env";
import { LocalSandbox } from "../../workers/workspace/local-sandbox";
import { WorkspaceError } from "../../workers/workspace/workspace";

const env = { WORKSPACE: "local", LOCAL_SANDBOX_URL: inject("sandboxUrl") };
const isolated = inject("sandboxIsolation") === "bwrap";
const unique = () => `t${Math.random().toString(36).slice(2, 10)}`;

describe("Workspace, local face", () => {
  it("runs commands in /workspace with their exit code, stdout and stderr", async () => {
    const id = unique();
    const ws = workspaceFromEnv(env, id);
    expect(ws.face).toBe("local");
    // under bubblewrap the workspace is /workspace; unisolated, the sandbox's host directory
    const root = isolated ? "/workspace" : `${inject("sandboxRoot")}/sandboxes/${id}`;
    const r = await ws.exec("pwd; echo out; echo err >&2; exit 7");
    expect(r).toEqual({ exitCode: 7, stdout: `${root}\nout\n`, stderr: "err\n", truncated: false, timedOut: false });
    const inSub = await ws.exec("mkdir -p sub/dir && cd sub && pwd");
    expect(inSub.stdout).toBe(`${root}/sub\n`);
    expect((await ws.exec("pwd", { cwd: "/workspace/sub/dir" })).stdout).toBe(`${root}/sub/dir\n`);
  });

  it("writes, reads, lists and removes files; what a command writes the file API reads", async () => {
    const ws = workspaceFromEnv(env, unique());
    await ws.writeFile("notes/a.txt", "héllo\n");
    expect(await ws.readFile("/workspace/notes/a.txt")).toBe("héllo\n");
    expect((await ws.exec("cat notes/a.txt && printf made > notes/b.txt")).stdout).toBe("héllo\n");
    expect(await ws.readFile("notes/b.txt")).toBe("made");
    expect(await ws.exists("notes/b.txt")).toBe(true);
    await ws.mkdir("notes/deep/er", { recursive: true });
    const entries = await ws.list("notes", { recursive: true });
    expect(entries.map((e) => `${e.type} ${e.path}`).sort()).toEqual([
      "directory /workspace/notes/deep",
      "directory /workspace/notes/deep/er",
      "file /workspace/notes/a.txt",
      "file /workspace/notes/b.txt",
    ]);
    await ws.remove("notes/a.txt");
    expect(await ws.exists("notes/a.txt")).toBe(false);
    await ws.remove("notes", { recursive: true });
    expect(await ws.exists("notes")).toBe(false);
  });

  it("refuses paths outside /workspace, and says why", async () => {
    const ws = workspaceFromEnv(env, unique());
    await expect(ws.readFile("../etc/passwd")).rejects.toMatchObject({ reason: "path_outside_workspace" });
    await expect(ws.exec("pwd", { cwd: "/etc" })).rejects.toBeInstanceOf(WorkspaceError);
    await expect(ws.readFile("missing.txt")).rejects.toMatchObject({ reason: "not_found", status: 404 });
    // the service checks too, for a client that skips the Workspace's own check
    const raw = new LocalSandbox(unique(), { url: env.LOCAL_SANDBOX_URL });
    await expect(raw.readFile("/workspace/../etc/passwd", { encoding: "utf-8" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      httpStatus: 400,
      context: { reason: "path_outside_workspace" },
    });
  });

  it("keeps each workspace id in its own /workspace", async () => {
    const a = workspaceFromEnv(env, unique());
    const b = workspaceFromEnv(env, unique());
    await a.writeFile("only-a.txt", "a");
    expect(await a.exists("only-a.txt")).toBe(true);
    expect(await b.exists("only-a.txt")).toBe(false);
  });

  it("checks out a git repository at a branch", async () => {
    const ws = workspaceFromEnv(env, unique());
    const repo = inject("gitRepoUrl");
    const main = await ws.gitCheckout(repo, undefined, "/workspace/repo");
    expect(main).toEqual({ branch: "main", dir: "/workspace/repo" });
    expect(await ws.readFile("repo/app.js")).toContain("41");
    const fix = await ws.gitCheckout(repo, "fix-answer", "fix");
    expect(fix).toEqual({ branch: "fix-answer", dir: "/workspace/fix" });
    expect(await ws.readFile("fix/app.js")).toContain("42");
    const log = await ws.exec("git log --format=%s -1", { cwd: "/workspace/fix" });
    expect(log.stdout).toBe("the answer is 42\n");
    await expect(ws.gitCheckout(repo, "no-such-branch", "other")).rejects.toMatchObject({ reason: "git_branch_not_found" });
    await expect(ws.gitCheckout("ext::sh -c touch% /tmp/pwned", undefined, "x")).rejects.toMatchObject({ reason: "git_url_not_allowed" });
  });

  it("kills a command at its deadline and says so", async () => {
    const ws = workspaceFromEnv(env, unique());
    const r = await ws.exec("echo started; sleep 30", { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(124);
    expect(r.stdout).toBe("started\n");
  });

  it("caps output and marks it truncated", async () => {
    const ws = workspaceFromEnv(env, unique(), { maxOutputBytes: 1000 });
    const r = await ws.exec("head -c 5000 /dev/zero | tr '\\0' x");
    expect(r.truncated).toBe(true);
    expect(r.stdout).toBe("x".repeat(1000));
  });

  it("streams a command's output as SSE that the SDK's parser reads", async () => {
    const sb = new LocalSandbox(unique(), { url: env.LOCAL_SANDBOX_URL });
    await sb.client.utils.createSession({ id: "s1", cwd: "/workspace", env: { GREETING: "hi" } });
    const stream = await sb.client.commands.executeStream("echo $GREETING; echo oops >&2; exit 3", "s1");
    const events: { type: string; data?: string; exitCode?: number }[] = [];
    for await (const e of parseSSEStream<{ type: string; data?: string; exitCode?: number }>(stream)) events.push(e);
    expect(events[0].type).toBe("start");
    expect(events.filter((e) => e.type === "stdout").map((e) => e.data).join("")).toBe("hi\n");
    expect(events.filter((e) => e.type === "stderr").map((e) => e.data).join("")).toBe("oops\n");
    expect(events.at(-1)).toMatchObject({ type: "complete", exitCode: 3 });
    expect(await sb.client.utils.ping()).toBe("pong");
  });
});
