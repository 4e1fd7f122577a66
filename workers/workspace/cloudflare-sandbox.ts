/**
 * The production face's transport: a Cloudflare Sandbox (a Durable Object
 * with a container, `getSandbox(env.Sandbox, id)`). Needs the `Sandbox`
 * Durable Object binding and a [[containers]] entry in wrangler.toml (see
 * workers/workspace/Dockerfile and NOTES-local-sandbox.md); the local
 * environment never binds it.
 *
 * `scopeEgress` installs the run's repository as this instance's outbound
 * scope (the containers library's `setOutboundByHosts`, an RPC to the
 * sandbox's Durable Object, persisted there): it replaces every runtime host
 * override of the instance (nightshift sets no others).
 *
 * With `backups` (the deployment binds BACKUP_BUCKET, an R2 bucket the
 * Sandbox Durable Object reads from its own env) the SDK's directory backups
 * are passed through; without, the ops have none and the Workspace keeps none.
 */
import { getSandbox, type Sandbox } from "@cloudflare/sandbox";
import { scopeOverrides } from "./egress-scope";
import type { SandboxOps } from "./sandbox-ops";

export function cloudflareSandbox(ns: DurableObjectNamespace<Sandbox>, id: string, opts: { backups?: boolean } = {}): SandboxOps {
  const sb = getSandbox(ns, id);
  const ops: SandboxOps = {
    exec: (command, options) => sb.exec(command, options),
    readFile: (path, options) => sb.readFile(path, options),
    writeFile: (path, content, options) => sb.writeFile(path, content, options),
    exists: (path) => sb.exists(path),
    listFiles: (path, options) => sb.listFiles(path, options),
    mkdir: (path, options) => sb.mkdir(path, options),
    deleteFile: (path) => sb.deleteFile(path),
    gitCheckout: (repoUrl, options) => sb.gitCheckout(repoUrl, options),
    scopeEgress: (scope) => sb.setOutboundByHosts(scope ? scopeOverrides(scope) : {}),
  };
  if (opts.backups) {
    ops.createBackup = (options) => sb.createBackup(options);
    ops.restoreBackup = (backup) => sb.restoreBackup(backup);
  }
  return ops;
}
