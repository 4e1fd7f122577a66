/**
 * `npm run dev`: the Worker on the embedded default, ready to use on a fresh
 * clone. Applies the local D1 migrations, starts `wrangler dev --env local`
 * on 127.0.0.1:8787 (state in .wrangler/state, kept across runs), fires the
 * cron sweep every 10 s as the platform would, re-sends signals a previous run
 * accepted but did not finish, starts the local sandbox service (research
 * checks repositories out there; bubblewrap when installed), and prints the
 * local admin token with the one command that creates a first project.
 *
 *   npm run dev                 # port 8787
 *   npm run dev -- --port 9000
 *   npm run dev -- --inspect    # leave the inspector port to Chrome DevTools
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { root, startLocalWorker } from "./local-worker";
import { startSandboxService } from "./local/sandbox-service";

const { values } = parseArgs({ options: { port: { type: "string", default: "8787" }, inspect: { type: "boolean", default: false } } });

/** The local admin token: made once, kept beside the local state (git-ignored). */
function localAdminToken(): string {
  const dir = join(root, ".wrangler");
  const file = join(dir, "local-admin-token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dir, { recursive: true });
  const token = `local-${randomBytes(16).toString("hex")}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

async function main(): Promise<void> {
  const adminToken = localAdminToken();
  const sandbox = await startSandboxService({ root: join(root, ".wrangler", "sandboxes") });
  console.log("› applying D1 migrations and starting wrangler dev --env local …");
  const worker = await startLocalWorker({ port: Number(values.port), adminToken, echo: true, inspect: values.inspect, vars: { WORKSPACE: "local", LOCAL_SANDBOX_URL: sandbox.url } });
  const stop = () => void Promise.all([worker.stop(), sandbox.stop()]).then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`
nightshift is serving on ${worker.url} (embedded default: no account, no network, no API key)
  admin token  ${adminToken}   (also in .wrangler/local-admin-token)
  sandbox      ${sandbox.url} (${sandbox.isolation.mode === "bwrap" ? "bubblewrap" : `UNISOLATED: ${sandbox.isolation.reason}`}); connect a repository with
    PATCH /v1/project {"repository": {"url": "/path/to/repo", "default_branch": "main"}}
  first project:
    curl -s -X POST ${worker.url}/v1/admin/projects -H 'authorization: Bearer ${adminToken}' \\
      -H 'content-type: application/json' -d '{"name": "my app"}'
  then send signals with the api_key it prints:
    curl -s -X POST ${worker.url}/v1/signals -H 'authorization: Bearer <api_key>' -H 'content-type: application/json' \\
      -d '{"signals": [{"source_product": "errors", "source_type": "exception", "content": "TypeError: x is undefined\\n    at f (src/a.ts:1:1)"}]}'
${values.inspect ? `  DevTools: attach to 127.0.0.1:${worker.inspectorPort}\n` : ""}Ctrl-C to stop.
`);
  process.exitCode = (await worker.exited) ?? 0;
}

main().catch((e) => {
  console.error(`dev failed: ${(e as Error).message}`);
  process.exit(1);
});
