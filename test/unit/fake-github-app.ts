/**
 * A small fake of GitHub's App endpoints, as a `fetch` (WebCrypto only, so it
 * runs in Node and in workerd):
 * - GET /repos/{o}/{r}/installation and POST /app/installations/{id}/access_tokens
 *   require `authorization: bearer <JWT>` and VERIFY it as GitHub does:
 *   RS256 signed by the App's key (checked with its public key), iss = the
 *   App id, iat not in the future (auth-app backdates it 30 s), exp - iat ≤
 *   600 s, exp in the future. A bad JWT gets 401.
 * - access_tokens answers 201 with a fresh token and expires_at (+1 h); its
 *   JSON body, if any, goes to `onAccessTokensBody` (the test validates it
 *   against GitHub's OpenAPI schema).
 * - GET /repos/{o}/{r} needs `authorization: token <a token it minted>`.
 * Every request is recorded (method, path, authorization scheme).
 */

export interface FakeGitHubOptions {
  appId: string;
  /** the App's public key, SPKI DER */
  publicKeySpki: ArrayBuffer | Uint8Array;
  /** "owner/repo" → installation id */
  installations: Record<string, number>;
  /** answer this status to everything (e.g. 401, 500) */
  failWith?: number;
  onAccessTokensBody?: (body: unknown) => void;
  baseUrl?: string;
}

export interface FakeCall {
  method: string;
  path: string;
  /** "bearer" | "token" | null */
  scheme: string | null;
  credential: string | null;
  body: unknown;
}

const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

function b64urlDecode(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

export function fakeGitHubApp(options: FakeGitHubOptions) {
  const calls: FakeCall[] = [];
  const minted: { token: string; installationId: number; body: unknown }[] = [];
  const jwtProblems: string[] = [];
  const base = new URL(options.baseUrl ?? "https://api.github.com");
  const prefix = base.pathname.replace(/\/+$/, "");
  let publicKey: Promise<CryptoKey> | null = null;

  async function verifyJwt(jwt: string): Promise<string | null> {
    const parts = jwt.split(".");
    if (parts.length !== 3) return "not three parts";
    const header = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[0])));
    const payload = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[1])));
    if (header.alg !== "RS256") return `alg ${header.alg}`;
    publicKey ??= crypto.subtle.importKey("spki", options.publicKeySpki, RS256, false, ["verify"]);
    const ok = await crypto.subtle.verify(RS256.name, await publicKey, b64urlDecode(parts[2]), new TextEncoder().encode(`${parts[0]}.${parts[1]}`));
    if (!ok) return "bad signature";
    const now = Math.floor(Date.now() / 1000);
    if (String(payload.iss) !== options.appId) return `iss ${payload.iss}`;
    if (!Number.isInteger(payload.iat) || !Number.isInteger(payload.exp)) return "iat/exp not integers";
    if (payload.iat > now) return "iat in the future";
    if (payload.iat < now - 120) return "iat too old";
    if (payload.exp - payload.iat > 600) return "exp - iat > 600";
    if (payload.exp <= now) return "expired";
    return null;
  }

  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const authorization = req.headers.get("authorization");
    const space = authorization ? authorization.indexOf(" ") : -1;
    const scheme = authorization && space > 0 ? authorization.slice(0, space).toLowerCase() : null;
    const credential = authorization && space > 0 ? authorization.slice(space + 1) : null;
    const text = req.method === "GET" ? "" : await req.text();
    const body = text ? JSON.parse(text) : undefined;
    calls.push({ method: req.method, path, scheme, credential, body });
    if (url.origin !== base.origin) return json(502, { message: `fake github: unexpected host ${url.host}` });
    if (options.failWith) return json(options.failWith, { message: options.failWith === 401 ? "A JSON web token could not be decoded" : "Server Error" });

    const segments = path.split("/").filter(Boolean);
    const appRoute = (segments[0] === "repos" && segments.length === 4 && segments[3] === "installation") || (segments[0] === "app" && segments[1] === "installations" && segments[3] === "access_tokens");
    if (appRoute) {
      if (scheme !== "bearer" || !credential) return json(401, { message: "A JSON web token could not be decoded" });
      const problem = await verifyJwt(credential);
      if (problem) {
        jwtProblems.push(problem);
        return json(401, { message: `'JWT' is not valid (${problem})` });
      }
    }
    if (req.method === "GET" && appRoute && segments[0] === "repos") {
      const id = options.installations[`${segments[1]}/${segments[2]}`];
      if (!id) return json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app" });
      return json(200, { id, account: { login: segments[1] }, app_id: Number(options.appId), target_type: "Organization", permissions: { contents: "write", metadata: "read" } });
    }
    if (req.method === "POST" && appRoute) {
      const installationId = Number(segments[2]);
      if (!Object.values(options.installations).includes(installationId)) return json(404, { message: "Not Found" });
      if (body !== undefined) options.onAccessTokensBody?.(body);
      const token = `ghs_fake${String(minted.length + 1).padStart(4, "0")}${crypto.randomUUID().replace(/-/g, "")}`;
      minted.push({ token, installationId, body });
      const expiresAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      return json(201, { token, expires_at: expiresAt, permissions: { contents: "write", metadata: "read" }, repository_selection: "all" });
    }
    if (req.method === "GET" && segments[0] === "repos" && segments.length === 3) {
      if (scheme !== "token" || !minted.some((m) => m.token === credential)) return json(401, { message: "Bad credentials" });
      return json(200, { id: 1, name: segments[2], full_name: `${segments[1]}/${segments[2]}`, private: true });
    }
    return json(404, { message: "Not Found" });
  };

  return { fetch: fetchImpl as typeof fetch, calls, minted, jwtProblems };
}
