/**
 * Outbound fetches of the Worker in the research tests: its LOCAL_SANDBOX_URL
 * is http://sandbox.test (bindings are fixed before the service picks its
 * port), forwarded here to the local sandbox service the global setup
 * started; http://anthropic.research.fake is the scripted research model;
 * the other fake Anthropic hosts go to the workers tests' fakes; everything
 * else is refused.
 */
import { fakeOutbound } from "../workers/fake-outbound";
import { scriptedResearchModel } from "./scripted-research-model";

export const SANDBOX_ORIGIN = "http://sandbox.test";

export async function sandboxOutbound(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const real = process.env.NIGHTSHIFT_TEST_SANDBOX_URL;
  if (url.origin === SANDBOX_ORIGIN && real) {
    const target = new URL(url.pathname + url.search, real);
    return fetch(new Request(target, { method: req.method, headers: req.headers, body: req.body, duplex: "half" } as RequestInit));
  }
  if (url.hostname === "anthropic.research.fake") return scriptedResearchModel(req);
  return fakeOutbound(req);
}
