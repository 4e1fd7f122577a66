/**
 * Which face workspaceFromEnv builds, and the cloudflare face's wiring: the
 * SDK's getSandbox() over a Durable Object namespace. Containers do not run
 * here, so the namespace is a stand-in whose Sandbox stub answers from the
 * local sandbox service (through the SDK's SandboxClient, as a Sandbox
 * Durable Object answers from its container).
 */
import type { Sandbox } from "@cloudflare/sandbox";
import { describe, expect, inject, it } from "vitest";
import { WorkspaceConfigError, workspaceFromEnv } from "../../workers/workspace/from-env";
import { LocalSandbox } from "../../workers/workspace/local-sandbox";

const url = inject("sandboxUrl");

/** A namespace whose stubs are Sandbox-shaped and backed by the local service; records the names asked for. */
function standInNamespace(asked: string[]): DurableObjectNamespace<Sandbox> {
  return {
    idFromName: (name: string) => ({ name, toString: () => name }),
    get: (id: { name: string }) => {
      asked.push(id.name);
      return new LocalSandbox(id.name, { url });
    },
  } as unknown as DurableObjectNamespace<Sandbox>;
}

describe("workspaceFromEnv", () => {
  it("is local without a Sandbox binding, cloudflare with one, as WORKSPACE says otherwise", () => {
    expect(workspaceFromEnv({}, "a").face).toBe("local");
    expect(workspaceFromEnv({ Sandbox: standInNamespace([]) }, "a").face).toBe("cloudflare");
    expect(workspaceFromEnv({ WORKSPACE: "local", Sandbox: standInNamespace([]) }, "a").face).toBe("local");
  });

  it("refuses a configuration it cannot honour", () => {
    expect(() => workspaceFromEnv({ WORKSPACE: "cloudflare" }, "a")).toThrow(WorkspaceConfigError);
    expect(() => workspaceFromEnv({ WORKSPACE: "docker" }, "a")).toThrow(/cloudflare or local/);
    expect(() => workspaceFromEnv({ LOCAL_SANDBOX_URL: "ftp://x" }, "a")).toThrow(/LOCAL_SANDBOX_URL/);
    expect(() => workspaceFromEnv({}, "../escape")).toThrow(WorkspaceConfigError);
    expect(() => workspaceFromEnv({}, "x".repeat(64))).toThrow(WorkspaceConfigError);
  });

  it("the cloudflare face goes through getSandbox to the sandbox named by the workspace id", async () => {
    const asked: string[] = [];
    const id = `cf${Math.random().toString(36).slice(2, 10)}`;
    const ws = workspaceFromEnv({ Sandbox: standInNamespace(asked) }, id);
    await ws.writeFile("hello.txt", "from the cloudflare face");
    const r = await ws.exec("cat hello.txt", { cwd: "/workspace" });
    expect(r).toMatchObject({ exitCode: 0, stdout: "from the cloudflare face" });
    expect(asked).toContain(id);
    // the same id through the local face is the same /workspace
    expect(await workspaceFromEnv({ LOCAL_SANDBOX_URL: url }, id).readFile("hello.txt")).toBe("from the cloudflare face");
    await expect(ws.readFile("nope.txt")).rejects.toMatchObject({ reason: "not_found" });
  });
});
