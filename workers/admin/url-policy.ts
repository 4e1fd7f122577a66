/**
 * Which URLs a project may name for its repository and its external MCP
 * servers (PATCH /v1/project). Each check returns null when the URL is
 * acceptable, else the reason (shown to the caller in a 400 invalid_project).
 *
 * Production: https:// only, with a host, and no credentials in the URL
 * (`user:pass@`): credentials reach git and MCP servers another way (a GitHub
 * App installation; a sealed token sent as a Bearer header).
 * Local (`ALLOW_LOCAL_URLS=on`, set by the `local` wrangler environment): a
 * repository may also be an absolute local path, a file:/// URL or an
 * http:// git URL; an MCP server may also be http:// on a loopback host
 * (127.0.0.1, localhost, [::1]), where tests and demos run their stand-ins.
 *
 * All checks are linear-time: no backtracking patterns over the URL.
 */

export interface UrlPolicyEnv {
  /** "on": accept the local forms above (the `local` wrangler environment); anything else: production rules */
  ALLOW_LOCAL_URLS?: string;
}

export function allowsLocalUrls(env: UrlPolicyEnv): boolean {
  return env.ALLOW_LOCAL_URLS?.trim().toLowerCase() === "on";
}

export const MAX_URL_LENGTH = 2000;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** printable ASCII without spaces: what survives in a URL, a header or a git argument unmangled */
function plainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

function parsed(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function credentials(u: URL): boolean {
  return u.username !== "" || u.password !== "";
}

/** A repository clone URL (or, locally, a path). */
export function repositoryUrlProblem(url: string, local: boolean): string | null {
  if (url.length > MAX_URL_LENGTH) return `at most ${MAX_URL_LENGTH} characters`;
  if (!plainAscii(url)) return "no spaces, control or non-ASCII characters (percent-encode them)";
  if (local && url.startsWith("/")) {
    return url.split("/").includes("..") ? "a local path without .. segments" : null;
  }
  const u = parsed(url);
  const expected = local ? "https:// (or locally http://, file:///… or an absolute path)" : "https://";
  if (!u) return `a URL starting with ${expected}${url.startsWith("git@") ? "; SSH remotes are not supported, use the https clone URL" : ""}`;
  if (credentials(u)) return "no credentials in the URL (user:password@): connect access another way";
  if (u.protocol === "https:" || (local && u.protocol === "http:")) {
    if (!u.hostname) return "a URL with a host";
    return null;
  }
  if (local && u.protocol === "file:") {
    if (u.host !== "") return "a file:/// URL with no host";
    let path: string;
    try {
      path = decodeURIComponent(u.pathname);
    } catch {
      return "a file:/// URL with valid percent-encoding";
    }
    if (path.split("/").includes("..")) return "a file:/// URL without .. segments";
    return null;
  }
  return `a URL starting with ${expected}, not ${u.protocol}//`;
}

/** An external MCP server's Streamable HTTP endpoint. */
export function mcpUrlProblem(url: string, local: boolean): string | null {
  if (url.length > MAX_URL_LENGTH) return `at most ${MAX_URL_LENGTH} characters`;
  if (!plainAscii(url)) return "no spaces, control or non-ASCII characters (percent-encode them)";
  const u = parsed(url);
  const expected = local ? "https:// (or locally http://127.0.0.1, http://localhost or http://[::1])" : "https://";
  if (!u) return `a URL starting with ${expected}`;
  if (credentials(u)) return "no credentials in the URL (user:password@): give the token as `token`";
  if (u.protocol === "https:") return u.hostname ? null : "a URL with a host";
  if (u.protocol === "http:" && local) return LOOPBACK.has(u.hostname) ? null : `http:// only on a loopback host here; ${u.hostname} needs https://`;
  return `a URL starting with ${expected}, not ${u.protocol}//`;
}

/** A git branch name as `git check-ref-format --branch` would mostly accept it (the common rules). */
export function branchProblem(branch: string): string | null {
  if (branch.length < 1 || branch.length > 200) return "1 to 200 characters";
  if (!plainAscii(branch)) return "no spaces, control or non-ASCII characters";
  if (branch.startsWith("-") || branch.startsWith("/") || branch.endsWith("/") || branch.endsWith(".") || branch.endsWith(".lock")) {
    return "a branch name (not starting with - or /, not ending with /, . or .lock)";
  }
  for (const bad of ["..", "//", "@{", "\\", "~", "^", ":", "?", "*", "["]) {
    if (branch.includes(bad)) return `a branch name without ${bad}`;
  }
  return null;
}
