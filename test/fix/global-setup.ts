/**
 * For the fix tests in workerd: the local forge (git + GitHub REST subset, on
 * one port, with a token) holding the sample app as shop/sample-app. The
 * Worker reaches its API as http://forge.test (LOCAL_FORGE_URL; bindings are
 * fixed before the port is known), forwarded by test/fix/fix-outbound.ts; the
 * project connects the real clone URL, which the sandbox service clones from
 * and pushes to host-side. The sandbox service comes from the workspace setup.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalForge } from "../../scripts/local/forge/local-forge";
import { validationFailures } from "../../scripts/local/forge/rest/openapi";
import { makeSampleRepo, removeSampleRepo } from "../../scripts/local/make-sample-repo";
import { FORGE_TOKEN } from "./forge-token";


declare module "vitest" {
  export interface ProvidedContext {
    /** the sample app on the local forge: http://127.0.0.1:<port>/shop/sample-app.git (babysit.test.ts: shop/sample-app-sit) */
    forgeRepoUrl: string;
    /** the forge's own origin, to read its state from Node-side helpers */
    forgeUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "nightshift-fix-test-"));
  const sample = makeSampleRepo(join(dir, "sample"));
  const forge = await startLocalForge({ root: join(dir, "forge"), token: FORGE_TOKEN });
  // one repository per test file: a merge in one must not change another's main
  for (const name of ["sample-app", "sample-app-sit", "sample-app-close", "sample-app-conflict"]) forge.createRepo("shop", name, sample);
  process.env.NIGHTSHIFT_TEST_FORGE_URL = forge.url;
  // the control channel (fix-outbound.ts: http://forge-control.test) plays people on this forge
  (globalThis as { __nightshiftFixForge?: typeof forge }).__nightshiftFixForge = forge;
  // the forge's own counter of request bodies that failed GitHub's schema (this module graph's copy)
  (globalThis as { __nightshiftFixForgeSchemaFailures?: () => number }).__nightshiftFixForgeSchemaFailures = validationFailures;
  project.provide("forgeRepoUrl", forge.repoUrl("shop", "sample-app"));
  project.provide("forgeUrl", forge.url);
  return async () => {
    await forge.stop();
    removeSampleRepo(sample);
    rmSync(dir, { recursive: true, force: true });
  };
}
