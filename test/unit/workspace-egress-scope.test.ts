/**
 * The Workspace sets its sandbox's egress scope (workers/workspace/egress-scope.ts)
 * from the URLs the Worker's code passes it, before the container can use
 * them: read for a checkout, write only around a push and back to read after
 * it (pushed or not), none for a repository that is not on GitHub. A face
 * without a scope (the local sandbox) is driven as before. The sandbox here
 * is a recorder shaped like the SDK's (sandbox-ops.ts); exec answers as git would.
 */
import { describe, expect, it } from "vitest";
import type { EgressScope } from "../../workers/workspace/egress-scope";
import type { SandboxExecResult, SandboxOps } from "../../workers/workspace/sandbox-ops";
import { SdkWorkspace } from "../../workers/workspace/sdk-workspace";
import { quietSandboxOps } from "./quiet-sandbox-ops";

function recorder(opts: { scoped?: boolean; pushExit?: number; failScope?: EgressScope["access"] } = {}) {
  const log: string[] = [];
  const ok = (stdout = ""): SandboxExecResult => ({ exitCode: 0, stdout, stderr: "" });
  const ops: SandboxOps = quietSandboxOps({
    exec: async (command) => {
      const verb = command.includes(" push ") ? "push" : command.startsWith("git rev-parse") ? "rev-parse" : "exec";
      log.push(verb);
      if (verb === "push" && opts.pushExit) return { exitCode: opts.pushExit, stdout: "", stderr: "fatal: unable to access: The requested URL returned error: 403" };
      return ok(verb === "rev-parse" ? "abc123\n" : "");
    },
    gitCheckout: async (repoUrl, options) => (log.push(`clone ${repoUrl}`), { branch: options.branch ?? "main", targetDir: options.targetDir ?? "/workspace" }),
  });
  if (opts.scoped !== false) {
    ops.scopeEgress = async (scope) => {
      log.push(scope ? `scope ${scope.owner}/${scope.repo} ${scope.access}` : "scope none");
      if (scope && scope.access === opts.failScope) throw new Error("Durable Object reset");
    };
  }
  return { log, ops };
}

describe("the Workspace's egress scope", () => {
  it("scopes the sandbox to the checked-out repository, read only, before it clones", async () => {
    const { log, ops } = recorder();
    await new SdkWorkspace("cloudflare", "rr-1", ops).gitCheckout("https://github.com/shop/web.git", undefined, "/workspace/repo");
    expect(log).toEqual(["scope shop/web read", "clone https://github.com/shop/web.git"]);
  });

  it("raises the scope to write for its own push only, and lowers it after", async () => {
    const { log, ops } = recorder();
    const ws = new SdkWorkspace("cloudflare", "fx-1", ops);
    await ws.gitCheckout("https://github.com/shop/web", "main", "/workspace/fix");
    const pushed = await ws.pushBranch("/workspace/fix", "nightshift/r1", "https://github.com/shop/web", { token: "ignored-here" });
    expect(pushed.sha).toBe("abc123");
    expect(log).toEqual(["scope shop/web read", "clone https://github.com/shop/web", "scope shop/web write", "push", "scope shop/web read", "rev-parse"]);
  });

  it("lowers the scope after a push that failed", async () => {
    const { log, ops } = recorder({ pushExit: 128 });
    await expect(new SdkWorkspace("cloudflare", "fx-1", ops).pushBranch("/workspace/fix", "nightshift/r1", "https://github.com/shop/web")).rejects.toMatchObject({ reason: "push_unauthorized" });
    expect(log).toEqual(["scope shop/web write", "push", "scope shop/web read"]);
  });

  it("does not clone or push when the scope cannot be set", async () => {
    const read = recorder({ failScope: "read" });
    await expect(new SdkWorkspace("cloudflare", "rr-1", read.ops).gitCheckout("https://github.com/shop/web.git", undefined, "repo")).rejects.toThrow(/Durable Object reset/);
    expect(read.log).toEqual(["scope shop/web read"]);
    const write = recorder({ failScope: "write" });
    await expect(new SdkWorkspace("cloudflare", "fx-1", write.ops).pushBranch("/workspace/fix", "b", "https://github.com/shop/web")).rejects.toThrow(/Durable Object reset/);
    expect(write.log).toEqual(["scope shop/web write"]);
  });

  it("clears the scope for a repository that is not on GitHub", async () => {
    const { log, ops } = recorder();
    await new SdkWorkspace("cloudflare", "rr-1", ops).gitCheckout("https://git.example.com/shop/web.git", undefined, "repo");
    expect(log).toEqual(["scope none", "clone https://git.example.com/shop/web.git"]);
  });

  it("leaves a face without a scope as it was", async () => {
    const { log, ops } = recorder({ scoped: false });
    const ws = new SdkWorkspace("local", "rr-1", ops);
    await ws.gitCheckout("https://github.com/shop/web.git", undefined, "repo");
    await ws.pushBranch("/workspace/repo", "b", "https://github.com/shop/web");
    expect(log).toEqual(["clone https://github.com/shop/web.git", "push", "rev-parse"]);
  });
});
