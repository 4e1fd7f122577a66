/**
 * nightshift as a GitHub App (issue 9): from the App's id and private key,
 * Octokit clients and tokens that act as one installation of the App.
 * WebCrypto only (runs in workerd); the key may be GitHub's PKCS#1 .pem,
 * converted in code (pkcs8.ts).
 *
 * Env: GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY (secrets; PEM, PKCS#1 or
 * PKCS#8, `\n`-escaped is fine), GITHUB_API_URL (optional; default
 * https://api.github.com; GitHub Enterprise Server: https://HOST/api/v3).
 *
 * Contract:
 * - `installationOctokit(id)`: an Octokit (core + REST endpoint methods)
 *   authenticated as installation `id`; @octokit/auth-app mints the
 *   installation token with the App's JWT, caches it (shared by every client
 *   and `installationToken` of this GitHubApp) and mints a new one when the
 *   cached one is older than TOKEN_REUSE_MS (tokens live an hour). Failures of
 *   the authentication itself (bad key, minting refused) reject with
 *   `ForgeError`; failures of the call made are Octokit's RequestError, for
 *   the forge client to map.
 * - `installationToken(id, scope?)` → `{ token, expiresAt }`, from the same
 *   cache; `scope` narrows it to repositories and permissions.
 * - `installationIdFor(owner, repo)`: `GET /repos/{owner}/{repo}/installation`
 *   as the App (JWT), cached per repository for INSTALLATION_CACHE_MS;
 *   concurrent look-ups share one request.
 * - Every failure is a `ForgeError`: app_not_configured, bad_private_key,
 *   not_installed (404 from the installation look-up or from minting),
 *   unauthorized (401), forbidden (403), rate_limited (429, or 403 with the
 *   rate limit spent; retryable), validation_failed (422), server_error (5xx;
 *   retryable), network (forge not reached; retryable), invalid_repo.
 * - Tokens and JWTs are never logged and never in an error message (messages
 *   carry GitHub's own error message, clipped, with anything token-shaped
 *   redacted).
 * - Tests inject `fetch` (handed to Octokit as `request.fetch`) and `now`
 *   (the caches' clock; the JWT uses the real clock, as GitHub does).
 */
import { createAppAuth } from "@octokit/auth-app";
import { ForgeError } from "./forge-client";
import { ForgeOctokit, type ForgeOctokitClient } from "./github-rest";
import { PrivateKeyFormatError, toPkcs8Der, toPkcs8Pem } from "./pkcs8";

export interface GitHubAppEnv {
  /** the App's numeric id (App settings → About); a secret or var */
  GITHUB_APP_ID?: string;
  /** the App's private key, PEM (the .pem GitHub generated, or PKCS#8); a secret */
  GITHUB_APP_PRIVATE_KEY?: string;
  /** the REST API root (default https://api.github.com; GHES: https://HOST/api/v3) */
  GITHUB_API_URL?: string;
}

export const DEFAULT_API_URL = "https://api.github.com";
/** an installation token is used for this long after it was minted (GitHub's live 60 minutes) */
export const TOKEN_REUSE_MS = 50 * 60_000;
/** a repository's installation id is reused this long */
export const INSTALLATION_CACHE_MS = 60 * 60_000;
const MAX_CACHED = 1000;

/** Octokit with the REST endpoint methods (`octokit.rest.pulls.create`, …) */
/** the same octokit class the forge client takes (github-rest.ts) */
const RestOctokit = ForgeOctokit;
type RestOctokit = ForgeOctokitClient;

export interface InstallationToken {
  token: string;
  /** ISO 8601, as GitHub sent it */
  expiresAt: string;
}

export interface TokenScope {
  /** repository names (without owner) the token may reach */
  repositories?: string[];
  /** e.g. { contents: "write" }; each must be granted to the App */
  permissions?: Record<string, "read" | "write">;
}

export interface GitHubAppOptions {
  appId: string;
  /** PEM, PKCS#1 or PKCS#8 */
  privateKey: string;
  apiUrl?: string;
  fetch?: typeof fetch;
  /** the caches' clock (ms); default Date.now */
  now?: () => number;
}

const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
// linear: single character classes, anchored
const OWNER = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** whether the deployment names a GitHub App (id and key both set) */
export function githubAppConfigured(env: GitHubAppEnv): boolean {
  return !!env.GITHUB_APP_ID?.trim() && !!env.GITHUB_APP_PRIVATE_KEY?.trim();
}

/** a bounded map whose entries lapse `ttl` ms after they were set */
class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(
    private readonly ttl: number,
    private readonly now: () => number,
  ) {}
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }
  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= MAX_CACHED) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, until: this.now() + this.ttl });
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** takes out anything shaped like a GitHub token or a JWT; bounded input, so the scan stays linear */
export function redactTokens(text: string): string {
  return text
    .slice(0, 300)
    .replace(/\bgh[opsur]_[A-Za-z0-9_]{10,}/g, "[redacted]")
    .replace(/\bgithub_pat_[A-Za-z0-9_]{10,}/g, "[redacted]")
    .replace(/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, "[redacted]")
    .replace(/\b(bearer|token|basic) [A-Za-z0-9._~+/=-]{8,}/gi, "$1 [redacted]");
}

interface RequestErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined> };
  request?: { url?: string };
}

function isRequestError(err: unknown): err is RequestErrorLike {
  return err instanceof Error && err.name === "HttpError" && typeof (err as { status?: unknown }).status === "number";
}

/**
 * `err` as a ForgeError: `what` says what was being done (no secrets);
 * `notFound` is the reason a 404 means here.
 */
export function appForgeError(err: unknown, what: string, notFound = "not_found"): ForgeError {
  if (err instanceof ForgeError) return err;
  if (err instanceof PrivateKeyFormatError) return new ForgeError("bad_private_key", err.message);
  if (!isRequestError(err)) {
    const name = err instanceof Error ? err.name : "error";
    return new ForgeError("bad_response", `GitHub App: ${what} failed (${name})`);
  }
  const status = err.status;
  const detail = redactTokens(err.message);
  const say = (reason: string, retryable = false, shown = status) => new ForgeError(reason, `GitHub App: ${what} failed: HTTP ${status}: ${detail}`, shown, retryable);
  if (!err.response) return new ForgeError("network", `GitHub App: ${what} failed: GitHub was not reached (${detail})`, 0, true);
  if (status === 401) return say("unauthorized");
  if (status === 404) return say(notFound);
  if (status === 429) return say("rate_limited", true);
  if (status === 403) {
    const remaining = err.response.headers?.["x-ratelimit-remaining"];
    const limited = String(remaining) === "0" || /rate limit/i.test(detail);
    return say(limited ? "rate_limited" : "forbidden", limited);
  }
  if (status === 409) return say("conflict");
  if (status === 422) return say("validation_failed");
  if (status >= 500) return say("server_error", true);
  return say("bad_response");
}

function isMinting(err: RequestErrorLike): boolean {
  const url = err.request?.url ?? "";
  return url.includes("/app/installations/") && url.includes("/access_tokens");
}

export class GitHubApp {
  readonly appId: string;
  readonly apiUrl: string;
  private readonly pkcs8Pem: string;
  private readonly pkcs8Der: Uint8Array;
  private readonly fetchImpl?: typeof fetch;
  /** @octokit/auth-app's token cache, shared by every client this App makes */
  private readonly tokenCache: ExpiringMap<string>;
  private readonly installations: ExpiringMap<number>;
  private readonly pendingLookups = new Map<string, Promise<number>>();
  private readonly clients = new Map<number, RestOctokit>();
  private keyChecked: Promise<void> | null = null;
  private appClient: RestOctokit | null = null;

  /** throws ForgeError app_not_configured or bad_private_key */
  constructor(options: GitHubAppOptions) {
    const appId = options.appId?.trim();
    if (!appId || !/^[0-9]{1,20}$/.test(appId)) throw new ForgeError("app_not_configured", "GITHUB_APP_ID must be the App's numeric id (App settings → About → App ID)");
    this.appId = appId;
    const apiUrl = (options.apiUrl?.trim() || DEFAULT_API_URL).replace(/\/+$/, "");
    let parsed: URL | null = null;
    try {
      parsed = new URL(apiUrl);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) throw new ForgeError("app_not_configured", "GITHUB_API_URL must be an http(s) URL, e.g. https://api.github.com");
    this.apiUrl = apiUrl;
    try {
      this.pkcs8Der = toPkcs8Der(options.privateKey ?? "");
      this.pkcs8Pem = toPkcs8Pem(options.privateKey ?? "");
    } catch (err) {
      throw appForgeError(err, "reading GITHUB_APP_PRIVATE_KEY");
    }
    this.fetchImpl = options.fetch;
    const now = options.now ?? Date.now;
    this.tokenCache = new ExpiringMap(TOKEN_REUSE_MS, now);
    this.installations = new ExpiringMap(INSTALLATION_CACHE_MS, now);
  }

  /** the App from the Worker's env; throws ForgeError app_not_configured when unset, bad_private_key when unusable */
  static fromEnv(env: GitHubAppEnv, options: Pick<GitHubAppOptions, "fetch" | "now"> = {}): GitHubApp {
    if (!githubAppConfigured(env)) throw new ForgeError("app_not_configured", "no GitHub App configured: set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (docs/notes/github-app.md)");
    return new GitHubApp({ appId: env.GITHUB_APP_ID ?? "", privateKey: env.GITHUB_APP_PRIVATE_KEY ?? "", apiUrl: env.GITHUB_API_URL, ...options });
  }

  /** WebCrypto imports the key (once): otherwise ForgeError bad_private_key, before any request */
  private keyUsable(): Promise<void> {
    this.keyChecked ??= crypto.subtle.importKey("pkcs8", this.pkcs8Der, RS256, false, ["sign"]).then(
      () => undefined,
      () => {
        throw new ForgeError("bad_private_key", "the GitHub App private key is not usable: WebCrypto could not import it as an RSA key (download a new .pem from the App's settings)");
      },
    );
    return this.keyChecked;
  }

  private client(installationId?: number): RestOctokit {
    const auth: Record<string, unknown> = {
      appId: this.appId,
      privateKey: this.pkcs8Pem,
      cache: this.tokenCache,
      ...(installationId === undefined ? {} : { installationId }),
    };
    const quiet = () => undefined;
    const octokit = new RestOctokit({
      authStrategy: createAppAuth,
      auth,
      baseUrl: this.apiUrl,
      userAgent: "nightshift",
      request: this.fetchImpl ? { fetch: this.fetchImpl } : {},
      log: { debug: quiet, info: quiet, warn: (m: string) => console.warn(redactTokens(String(m))), error: (m: string) => console.error(redactTokens(String(m))) },
    });
    octokit.hook.before("request", () => this.keyUsable());
    octokit.hook.error("request", (error) => {
      if (error instanceof ForgeError) throw error;
      if (!isRequestError(error)) throw appForgeError(error, "authenticating as the App");
      if (isMinting(error)) throw appForgeError(error, `minting an installation token${installationId === undefined ? "" : ` for installation ${installationId}`}`, "not_installed");
      throw error;
    });
    return octokit;
  }

  /** an Octokit acting as the installation; clients are reused per installation */
  installationOctokit(installationId: number): RestOctokit {
    if (!Number.isSafeInteger(installationId) || installationId <= 0) throw new ForgeError("not_installed", "an installation id is a positive integer");
    let octokit = this.clients.get(installationId);
    if (!octokit) {
      if (this.clients.size >= MAX_CACHED) this.clients.clear();
      octokit = this.client(installationId);
      this.clients.set(installationId, octokit);
    }
    return octokit;
  }

  /** the App itself (JWT): GET /app, installation look-ups */
  appOctokit(): RestOctokit {
    this.appClient ??= this.client();
    return this.appClient;
  }

  /** an installation token (cached while fresh), optionally narrowed to repositories and permissions */
  async installationToken(installationId: number, scope: TokenScope = {}): Promise<InstallationToken> {
    if (!Number.isSafeInteger(installationId) || installationId <= 0) throw new ForgeError("not_installed", "an installation id is a positive integer");
    await this.keyUsable();
    try {
      const auth = (await this.appOctokit().auth({
        type: "installation",
        installationId,
        ...(scope.repositories?.length ? { repositoryNames: [...scope.repositories] } : {}),
        ...(scope.permissions ? { permissions: { ...scope.permissions } } : {}),
      })) as { token: string; expiresAt: string };
      return { token: auth.token, expiresAt: auth.expiresAt };
    } catch (err) {
      throw appForgeError(err, `minting an installation token for installation ${installationId}`, "not_installed");
    }
  }

  /** the installation of the App on owner/repo (cached per repository); ForgeError not_installed when there is none */
  installationIdFor(owner: string, repo: string): Promise<number> {
    if (!OWNER.test(owner) || !REPO.test(repo) || repo === "." || repo === "..") {
      return Promise.reject(new ForgeError("invalid_repo", "owner and repository must be GitHub names (owner: letters, digits, hyphens; repository: letters, digits, . _ -)"));
    }
    const key = `${owner}/${repo}`.toLowerCase();
    const cached = this.installations.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.pendingLookups.get(key);
    if (!pending) {
      pending = this.lookUp(owner, repo, key).finally(() => this.pendingLookups.delete(key));
      this.pendingLookups.set(key, pending);
    }
    return pending;
  }

  /** forgets a repository's installation (after the App was uninstalled or reinstalled) */
  forgetInstallation(owner: string, repo: string): void {
    this.installations.delete(`${owner}/${repo}`.toLowerCase());
  }

  private async lookUp(owner: string, repo: string, key: string): Promise<number> {
    await this.keyUsable();
    let id: unknown;
    try {
      const res = await this.appOctokit().request("GET /repos/{owner}/{repo}/installation", { owner, repo });
      id = (res.data as { id?: unknown }).id;
    } catch (err) {
      const error = appForgeError(err, `finding the App's installation on ${owner}/${repo}`, "not_installed");
      if (error.reason === "not_installed") throw new ForgeError("not_installed", `the GitHub App is not installed on ${owner}/${repo} (or cannot see it): install it on the repository`, error.status);
      throw error;
    }
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) throw new ForgeError("bad_response", `GitHub App: the installation of ${owner}/${repo} came back without an id`);
    this.installations.set(key, id);
    return id;
  }
}
