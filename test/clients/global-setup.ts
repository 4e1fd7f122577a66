/**
 * Starts one local Worker (wrangler dev --env local, fresh state) for the
 * client tests, where real SDKs running in Node talk to it over loopback.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalWorker } from "../../scripts/local-worker";

declare module "vitest" {
  export interface ProvidedContext {
    workerUrl: string;
    adminToken: string;
  }
}

export default async function setup(project: TestProject) {
  const state = mkdtempSync(join(tmpdir(), "nightshift-clients-"));
  const worker = await startLocalWorker({ persistTo: state });
  project.provide("workerUrl", worker.url);
  project.provide("adminToken", worker.adminToken);
  return async () => {
    await worker.stop();
    rmSync(state, { recursive: true, force: true });
  };
}
