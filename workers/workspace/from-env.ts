/**
 * The Workspace a deployment asks for through its environment:
 *
 *   WORKSPACE          cloudflare | local (default: cloudflare when the
 *                      `Sandbox` Durable Object is bound, else local)
 *   LOCAL_SANDBOX_URL  the local sandbox service (default http://127.0.0.1:8790;
 *                      `npx tsx scripts/local/sandbox-service.ts --port 8790`)
 *   Sandbox            Durable Object binding of @cloudflare/sandbox's Sandbox
 *                      class (production only; see NOTES-local-sandbox.md)
 *   BACKUP_BUCKET      R2 binding: the Cloudflare face keeps directory backups
 *                      there (Workspace.backup/restore); unbound, it keeps none
 *
 * A workspace id names one sandbox: the same id reaches the same /workspace.
 */
import type { Sandbox } from "@cloudflare/sandbox";
import { cloudflareSandbox } from "./cloudflare-sandbox";
import { LocalSandbox } from "./local-sandbox";
import { SdkWorkspace, type SdkWorkspaceOptions } from "./sdk-workspace";
import type { Workspace } from "./workspace";

export interface WorkspaceEnv {
  WORKSPACE?: string;
  LOCAL_SANDBOX_URL?: string;
  Sandbox?: DurableObjectNamespace<Sandbox>;
  BACKUP_BUCKET?: R2Bucket;
}

export class WorkspaceConfigError extends Error {}

export const DEFAULT_LOCAL_SANDBOX_URL = "http://127.0.0.1:8790";
const WORKSPACE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export function workspaceFromEnv(env: WorkspaceEnv, id: string, opts: SdkWorkspaceOptions & { fetch?: typeof fetch } = {}): Workspace {
  if (!WORKSPACE_ID.test(id)) throw new WorkspaceConfigError("a workspace id is 1-63 letters, digits, - or _, starting with a letter or digit");
  const face = env.WORKSPACE?.trim() || (env.Sandbox ? "cloudflare" : "local");
  if (face === "cloudflare") {
    if (!env.Sandbox) throw new WorkspaceConfigError("WORKSPACE=cloudflare needs the Sandbox Durable Object binding (wrangler.toml [[containers]])");
    return new SdkWorkspace("cloudflare", id, cloudflareSandbox(env.Sandbox, id, { backups: !!env.BACKUP_BUCKET }), opts);
  }
  if (face !== "local") throw new WorkspaceConfigError(`WORKSPACE must be cloudflare or local, not '${face}'`);
  const url = env.LOCAL_SANDBOX_URL?.trim() || DEFAULT_LOCAL_SANDBOX_URL;
  if (!/^https?:\/\/[^\s/]+\/?$/.test(url)) throw new WorkspaceConfigError(`LOCAL_SANDBOX_URL must be an http(s) origin, not '${url}'`);
  return new SdkWorkspace("local", id, new LocalSandbox(id, { url, fetch: opts.fetch }), opts);
}
