/**
 * Outbound fetches from the workspace tests' Worker (runs in Node, via
 * miniflare's outboundService): only the local sandbox service the global
 * setup started is reachable; everything else is refused, as in the other
 * workerd projects.
 */
export async function loopbackOutbound(req: Request): Promise<Response> {
  const allowed = process.env.NIGHTSHIFT_TEST_SANDBOX_URL;
  const url = new URL(req.url);
  if (allowed && url.origin === new URL(allowed).origin) {
    return fetch(new Request(req.url, { method: req.method, headers: req.headers, body: req.body, duplex: "half" } as RequestInit));
  }
  return new Response(`blocked outbound request to ${req.url}`, { status: 599 });
}
