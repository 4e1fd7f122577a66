/**
 * The local sandbox service over HTTP (its real entry point): paths kept
 * inside /workspace, bodies and outputs capped, deadlines that kill every
 * process a command started, sessions, the SSE stream, and — where bubblewrap
 * works here — isolation: no writes outside the workspace, no network, no
 * host processes in view. The isolation asserts skip, saying so, without bwrap.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxService, type SandboxService } from "../../scripts/local/sandbox-service";

let svc: SandboxService;
let bare: SandboxService;

async function call(s: SandboxService, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(s.url + path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** pids of host processes whose command line holds `marker` */
function pidsWith(marker: string): string[] {
  const r = spawnSync("pgrep", ["-f", marker], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean);
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  process.env.NIGHTSHIFT_SECRET_PROBE = "must-not-reach-commands";
  svc = await startSandboxService({ maxOutputBytes: 64 * 1024, maxFileBytes: 64 * 1024, warn: false });
  bare = await startSandboxService({ isolation: "none", warn: false });
  if (svc.isolation.mode !== "bwrap") {
    console.warn(`[sandbox-service.test] bubblewrap unavailable (${svc.isolation.reason}): isolation asserts are skipped`);
  }
});

afterAll(async () => {
  await svc?.stop();
  await bare?.stop();
});

describe("paths stay inside /workspace", () => {
  it.each([
    ["parent", "../etc/passwd", "path_outside_workspace"],
    ["absolute elsewhere", "/etc/passwd", "path_outside_workspace"],
    ["up from /workspace", "/workspace/../etc/passwd", "path_outside_workspace"],
    ["a sibling sharing the prefix", "/workspacex/file", "path_outside_workspace"],
    ["down then further up", "a/b/../../../x", "path_outside_workspace"],
    ["1000 parents", "../".repeat(1000) + "etc", "path_outside_workspace"],
    ["over 4096 characters", "a/".repeat(2100), "path_too_long"],
    ["300 levels deep", "a/".repeat(300) + "x", "path_too_deep"],
    ["a NUL byte", "bad\u0000name", "invalid_path"],
    ["empty", "", "empty_path"],
  ])("%s → 400 (%s)", async (_label, path, reason) => {
    for (const endpoint of ["/api/read", "/api/write", "/api/exists", "/api/list-files", "/api/mkdir", "/api/delete"]) {
      const r = await call(svc, endpoint, { path, content: "x" });
      expect(r.status, endpoint).toBe(400);
      expect(r.json.context.reason, endpoint).toBe(reason);
      expect(r.json.code).toBe("VALIDATION_FAILED");
    }
  });

  it("refuses a symlink that leads out, follows one that stays in", async () => {
    const dir = svc.sandboxDir("links");
    symlinkSync("/etc", join(dir, "out"));
    mkdirSync(join(dir, "real"));
    writeFileSync(join(dir, "real", "f.txt"), "inside");
    symlinkSync("real", join(dir, "in"));
    const h = { "x-sandbox-id": "links" };
    for (const [endpoint, body] of [
      ["/api/read", { path: "out/passwd" }],
      ["/api/write", { path: "out/pwned", content: "x" }],
      ["/api/list-files", { path: "out" }],
      ["/api/mkdir", { path: "out/newdir/deeper", recursive: true }],
    ] as const) {
      const r = await call(svc, endpoint, body, h);
      expect(r.status, endpoint).toBe(400);
      expect(r.json.context.reason, endpoint).toBe("path_outside_workspace");
    }
    expect(existsSync("/etc/pwned")).toBe(false);
    expect((await call(svc, "/api/read", { path: "in/f.txt" }, h)).json.content).toBe("inside");
    // a command may make the same link: the file API still refuses it
    await call(svc, "/api/execute", { command: "ln -s / root-link" }, h);
    expect((await call(svc, "/api/read", { path: "root-link/etc/hostname" }, h)).json.context.reason).toBe("path_outside_workspace");
  });
});

describe("requests", () => {
  it("answers bad bodies, unknown endpoints and bad sandbox ids with a reason", async () => {
    expect((await call(svc, "/api/execute", "{not json")).json.context.reason).toBe("invalid_json");
    expect((await call(svc, "/api/execute", "[1]")).json.context.reason).toBe("body_not_object");
    expect((await call(svc, "/api/execute", { command: 5 })).json.context.reason).toBe("invalid_command");
    expect((await call(svc, "/api/execute", { command: "  " })).json.context.reason).toBe("empty_command");
    expect((await call(svc, "/api/execute", { command: "true", env: { "BAD NAME": "x" } })).json.context.reason).toBe("invalid_env");
    const noCwd = await call(svc, "/api/execute", { command: "pwd", cwd: "/workspace/absent" });
    expect([noCwd.status, noCwd.json.context.reason]).toEqual([404, "cwd_not_found"]);
    const unknown = await call(svc, "/api/nope", {});
    expect([unknown.status, unknown.json.context.reason]).toEqual([404, "unknown_endpoint"]);
    const badId = await call(svc, "/api/ping", undefined, { "x-sandbox-id": "../x" });
    expect([badId.status, badId.json.context.reason]).toEqual([400, "invalid_sandbox_id"]);
  });

  it("caps bodies and files (413 with a reason)", async () => {
    const huge = await call(svc, "/api/write", { path: "big.txt", content: "x".repeat(400 * 1024) });
    expect([huge.status, huge.json.context.reason]).toEqual([413, "body_too_large"]);
    const big = await call(svc, "/api/write", { path: "big.txt", content: "x".repeat(65 * 1024) });
    expect([big.status, big.json.context.reason]).toEqual([413, "file_too_large"]);
    writeFileSync(join(svc.sandboxDir(), "made-on-host.bin"), Buffer.alloc(65 * 1024));
    const read = await call(svc, "/api/read", { path: "made-on-host.bin" });
    expect([read.status, read.json.context.reason]).toEqual([413, "file_too_large"]);
  });

  it("reads binary files as base64, text as UTF-8", async () => {
    writeFileSync(join(svc.sandboxDir(), "bin.dat"), Buffer.from([0, 1, 2, 255]));
    const r = await call(svc, "/api/read", { path: "bin.dat" });
    expect(r.json).toMatchObject({ encoding: "base64", isBinary: true, content: "AAEC/w==", size: 4 });
  });
});

describe("commands", () => {
  it("start from a fresh environment: nothing of the service's reaches them", async () => {
    const r = await call(svc, "/api/execute", { command: "echo ${NIGHTSHIFT_SECRET_PROBE:-unset}; echo $PATH" });
    expect(r.json.stdout.split("\n")[0]).toBe("unset");
  });

  it("keep a session's cwd and env; a per-command env wins", async () => {
    const h = { "x-sandbox-id": "sessions" };
    const created = await call(svc, "/api/session/create", { id: "s", cwd: "/workspace/proj", env: { A: "1", B: "2" } }, h);
    expect(created.json).toMatchObject({ success: true, id: "s" });
    expect((await call(svc, "/api/session/create", { id: "s" }, h)).json.code).toBe("SESSION_ALREADY_EXISTS");
    const r = await call(svc, "/api/execute", { command: "pwd; echo $A$B", sessionId: "s", env: { B: "3" } }, h);
    // unisolated, /workspace is the sandbox's host directory
    const root = svc.isolation.mode === "bwrap" ? "/workspace" : svc.sandboxDir("sessions");
    expect(r.json.stdout).toBe(`${root}/proj\n13\n`);
  });

  it.for(["bwrap", "none"])("are killed with everything they started at the deadline (%s)", async (mode, ctx) => {
    const s = mode === "bwrap" ? svc : bare;
    if (s.isolation.mode !== mode) {
      console.warn(`[sandbox-service.test] SKIPPED: no bubblewrap here, the ${mode} case not checked`);
      ctx.skip();
    }
    const marker = `987.${Math.floor(Math.random() * 1e6)}`;
    const r = await call(s, "/api/execute", { command: `sleep ${marker}1 & sleep ${marker}2`, timeoutMs: 500 });
    expect(r.json).toMatchObject({ exitCode: 124, timedOut: true, success: false });
    expect(r.json.stderr).toContain("timed out after 500 ms");
    await until("the command's processes to be gone", () => pidsWith(`sleep ${marker}`).length === 0);
  });

  it.for(["bwrap", "none"])("end when their first process exits; what it left running is killed (%s)", async (mode, ctx) => {
    const s = mode === "bwrap" ? svc : bare;
    if (s.isolation.mode !== mode) {
      console.warn(`[sandbox-service.test] SKIPPED: no bubblewrap here, the ${mode} case not checked`);
      ctx.skip();
    }
    const marker = `986.${Math.floor(Math.random() * 1e6)}`;
    const r = await call(s, "/api/execute", { command: `sleep ${marker} & echo done` });
    expect(r.json).toMatchObject({ exitCode: 0, stdout: "done\n", timedOut: false });
    await until("the background process to be gone", () => pidsWith(`sleep ${marker}`).length === 0);
  });

  it("cap each output stream and say so", async () => {
    const r = await call(svc, "/api/execute", { command: "head -c 1000000 /dev/zero | tr '\\0' y; echo small >&2" });
    expect(r.json.truncated).toBe(true);
    expect(r.json.stdout).toBe("y".repeat(64 * 1024));
    expect(r.json.stderr).toBe("small\n");
  });

  it("stream as SSE: start, output, complete", async () => {
    const r = await call(svc, "/api/execute/stream", { command: "echo a; echo b >&2; exit 2" });
    expect(r.status).toBe(200);
    expect(r.text.endsWith("\n\n")).toBe(true);
    const events = r.text
      .split("\n\n")
      .filter(Boolean)
      .map((frame) => {
        expect(frame.startsWith("data: ")).toBe(true);
        expect(frame.includes("\n")).toBe(false);
        return JSON.parse(frame.slice(6));
      });
    expect(events[0]).toMatchObject({ type: "start", command: "echo a; echo b >&2; exit 2" });
    expect(events.filter((e) => e.type === "stdout").map((e) => e.data).join("")).toBe("a\n");
    expect(events.filter((e) => e.type === "stderr").map((e) => e.data).join("")).toBe("b\n");
    expect(events.at(-1)).toMatchObject({ type: "complete", exitCode: 2 });
  });
});

describe("isolation (bubblewrap)", () => {
  const isolated = () => svc.isolation.mode === "bwrap";
  const skip = (ctx: { skip: (note?: string) => never }, what: string): never => {
    const why = `no bubblewrap here (${svc.isolation.mode === "none" ? svc.isolation.reason : ""}): ${what} not checked`;
    console.warn(`[sandbox-service.test] SKIPPED: ${why}`);
    return ctx.skip(why);
  };

  it("ping and health name the isolation; an unisolated service says why", async () => {
    expect((await call(svc, "/api/ping")).json).toMatchObject({ success: true, message: "pong", isolation: { mode: svc.isolation.mode } });
    expect((await call(bare, "/api/health")).json.isolation).toEqual({ mode: "none", reason: "unisolated on request (isolation: none)" });
  });

  it("a command cannot write outside the workspace", async (ctx) => {
    if (!isolated()) skip(ctx, "write outside the workspace");
    const hostProbe = join(svc.root, `outside-${Date.now()}`);
    const r = await call(svc, "/api/execute", {
      command: `echo x > /usr/pwned-by-sandbox; echo a=$?; echo x > /etc/pwned-by-sandbox; echo b=$?; echo x > ${hostProbe}; echo c=$?; echo x > /tmp/t && echo d=0; echo x > /workspace/in.txt && echo e=0`,
    });
    expect(r.json.stdout).toMatch(/a=[1-9]/);
    expect(r.json.stdout).toMatch(/b=[1-9]/);
    expect(r.json.stdout).toMatch(/c=[1-9]/);
    expect(r.json.stdout).toContain("d=0"); // its own /tmp, not the host's
    expect(r.json.stdout).toContain("e=0");
    expect(existsSync("/usr/pwned-by-sandbox") || existsSync("/etc/pwned-by-sandbox") || existsSync(hostProbe)).toBe(false);
    expect(existsSync(join(svc.sandboxDir(), "in.txt"))).toBe(true);
    // other sandboxes' directories and the host's home are not in view
    const view = await call(svc, "/api/execute", { command: `ls ${svc.root} /root /home 2>&1 | head -3; test -e ${svc.sandboxDir("links")} && echo seen` });
    expect(view.json.stdout).not.toContain("seen");
  });

  it("a command cannot reach the network, not even the host's loopback", async (ctx) => {
    if (!isolated()) skip(ctx, "network");
    const port = new URL(svc.url).port;
    const r = await call(svc, "/api/execute", { command: `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo reached || echo unreachable; ls /sys/class/net 2>/dev/null | tr '\\n' ' '` });
    expect(r.json.stdout.split("\n")[0]).toBe("unreachable");
    // the same probe unisolated does reach it (the probe can fail)
    const open = await call(bare, "/api/execute", { command: `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo reached || echo unreachable` });
    expect(open.json.stdout).toBe("reached\n");
  });

  it("a command cannot see or signal host processes", async (ctx) => {
    if (!isolated()) skip(ctx, "host processes");
    const r = await call(svc, "/api/execute", { command: `cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '; echo; kill -0 ${process.pid} 2>/dev/null && echo signalled || echo no-such-process` });
    expect(r.json.stdout).not.toContain("vitest");
    expect(r.json.stdout).not.toContain("node");
    expect(r.json.stdout).toContain("no-such-process");
    const host = await call(bare, "/api/execute", { command: `kill -0 ${process.pid} 2>/dev/null && echo signalled || echo no-such-process` });
    expect(host.json.stdout).toBe("signalled\n");
  });
});
