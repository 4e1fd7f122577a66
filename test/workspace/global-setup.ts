/**
 * For the workspace, research and research-agent tests in workerd: starts the
 * local sandbox service (in this Node process, once for all of them) and makes
 * a small git repository (two branches) for them to check out, and the sample
 * app's repository; passes their URLs and the demo's signal stream.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { makeSampleRepo } from "../../scripts/local/make-sample-repo";
import { startSandboxService, type SandboxService } from "../../scripts/local/sandbox-service";

declare module "vitest" {
  export interface ProvidedContext {
    sandboxUrl: string;
    sandboxIsolation: string;
    /** the service's root (a sandbox's host directory is <root>/sandboxes/<id>) */
    sandboxRoot: string;
    gitRepoUrl: string;
    /** the sample app (examples/sample-app) as a git repository, file:// */
    sampleRepoUrl: string;
    /** the demo's signal stream (scripts/demo/sample-stream.jsonl), whose problems are the sample app's bugs */
    sampleStream: { id: string; source_product: string; source_type: string; content: string }[];
  }
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", ...args], { cwd, stdio: "pipe" });
}

interface Shared {
  dir: string;
  repo: string;
  sampleRepo: string;
  service: SandboxService;
}

/**
 * One service and one set of repositories for every project that names this
 * setup (workspace, research, research-agent), whichever order vitest runs
 * them in: the Worker's outbound handler reads the service's URL from the
 * process environment, so a second service would redirect the first
 * project's requests, and the first project's teardown would stop the
 * service under the others. Counted, and stopped by the last teardown.
 */
const state = globalThis as typeof globalThis & { __nightshiftSandbox?: { shared: Promise<Shared>; users: number } };

async function start(): Promise<Shared> {
  const dir = mkdtempSync(join(tmpdir(), "nightshift-workspace-test-"));
  const repo = join(dir, "sample-repo");
  mkdirSync(repo);
  git(repo, "init", "-q");
  writeFileSync(join(repo, "README.md"), "# sample\n");
  writeFileSync(join(repo, "app.js"), "export const answer = () => 41;\n");
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "first");
  git(repo, "checkout", "-qb", "fix-answer");
  writeFileSync(join(repo, "app.js"), "export const answer = () => 42;\n");
  git(repo, "commit", "-qam", "the answer is 42");
  git(repo, "checkout", "-q", "main");
  const service = await startSandboxService({ root: join(dir, "sandboxes") });
  if (service.isolation.mode !== "bwrap") console.warn(`[workspace tests] the sandbox service runs unisolated: ${service.isolation.reason}`);
  process.env.NIGHTSHIFT_TEST_SANDBOX_URL = service.url;
  return { dir, repo, sampleRepo: makeSampleRepo(join(dir, "shop-web")), service };
}

export default async function setup(project: TestProject) {
  const entry = (state.__nightshiftSandbox ??= { shared: start(), users: 0 });
  entry.users++;
  const { dir, repo, sampleRepo, service } = await entry.shared;
  project.provide("sandboxUrl", service.url);
  project.provide("sandboxIsolation", service.isolation.mode);
  project.provide("sandboxRoot", service.root);
  project.provide("gitRepoUrl", `file://${repo}`);
  project.provide("sampleRepoUrl", `file://${sampleRepo}`);
  const stream = readFileSync(new URL("../../scripts/demo/sample-stream.jsonl", import.meta.url), "utf8");
  project.provide("sampleStream", stream.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l)));
  return async () => {
    if (--entry.users > 0) return;
    state.__nightshiftSandbox = undefined;
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
