/**
 * Outbound fetches of the Worker in the fix tests: http://forge.test is the
 * local forge the fix setup started (its REST API), http://anthropic.fix.fake
 * the scripted coding agent, http://forge-control.test the control channel
 * that plays people and CI on the forge (forge-control.ts); the sandbox and
 * everything else as in the research tests.
 */
import { sandboxOutbound } from "../research/sandbox-outbound";
import { forgeControl } from "./forge-control";
import { scriptedFixModel } from "./scripted-fix-model";

export const FORGE_ORIGIN = "http://forge.test";

export async function fixOutbound(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const real = process.env.NIGHTSHIFT_TEST_FORGE_URL;
  // the API's own links (a job log's download) name the real origin
  if (real && (url.origin === FORGE_ORIGIN || url.origin === new URL(real).origin)) {
    const target = new URL(url.pathname + url.search, real);
    return fetch(new Request(target, { method: req.method, headers: req.headers, body: req.body, duplex: "half", redirect: "manual" } as RequestInit));
  }
  if (url.hostname === "anthropic.fix.fake") return scriptedFixModel(req);
  if (url.hostname === "forge-control.test") return forgeControl(req);
  return sandboxOutbound(req);
}
