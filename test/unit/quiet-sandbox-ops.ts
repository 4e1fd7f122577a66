/** A sandbox shaped like the SDK's (workers/workspace/sandbox-ops.ts) where every call succeeds and does nothing; tests override what they record. */
import type { SandboxOps } from "../../workers/workspace/sandbox-ops";

export function quietSandboxOps(over: Partial<SandboxOps> = {}): SandboxOps {
  return {
    exec: async () => ({ exitCode: 0, stdout: "", stderr: "" }),
    readFile: async () => ({ content: "" }),
    writeFile: async () => undefined,
    exists: async () => ({ exists: false }),
    listFiles: async () => ({ files: [] }),
    mkdir: async () => undefined,
    deleteFile: async () => undefined,
    gitCheckout: async (_url, options) => ({ branch: options.branch ?? "main", targetDir: options.targetDir ?? "/workspace" }),
    ...over,
  };
}
