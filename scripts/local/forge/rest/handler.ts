/**
 * The local forge's REST API: the subset of GitHub's REST API the fix loop
 * uses, as a node:http handler mounted under `/api/v3/` (octokit's
 * `baseUrl: http://127.0.0.1:<port>/api/v3`), plus the job-log downloads
 * under `/_forge/job-logs/<key>` that `…/actions/jobs/{id}/logs` redirects to
 * (GitHub answers that call with 302 to a short-lived blob URL; so do we).
 *
 * Contract:
 * - Routes are OpenAPI path templates of api.github.com (ROUTES); every
 *   POST/PATCH body is checked against GitHub's schema (./openapi.ts):
 *   failure → 422 `{message: "Invalid request.", errors, documentation_url}`
 *   and the failure counter goes up. Bad JSON → 400 "Problems parsing JSON".
 * - With a `token`, every API request needs `Authorization: token|Bearer
 *   <token>` (else 401 "Bad credentials"). The log download URLs carry an
 *   unguessable key and need none, like GitHub's blob URLs.
 * - Unknown route → 404 `{message: "Not Found"}` (405 is never used: GitHub
 *   answers 404 for a wrong method too). Body over `maxBodyBytes` (1 MiB) →
 *   413. Lists paginate with `per_page` (≤ 100, default 30) and `page`, and a
 *   `Link` header with rel="next"/"last" as GitHub's.
 * - Parsing is linear: the path is split on "/", segments compared to the
 *   templates; JSON.parse on a capped body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { validRepoPart } from "../repo-path";
import { validateRequestBody } from "./openapi";
import { StoreError, type LocalForgeStore } from "./store";
import { bearerMatches } from "./token-auth";

export const API_PREFIX = "/api/v3";
export const LOG_PREFIX = "/_forge/job-logs/";
const DOCS = "https://docs.github.com/rest";

export interface RestHandlerOptions {
  store: LocalForgeStore;
  token?: string;
  maxBodyBytes?: number;
}

interface Call {
  store: LocalForgeStore;
  owner: string;
  repo: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  /** a list to paginate; `wrap` shapes one page (e.g. {total_count, check_runs}) */
  | { status: number; list: unknown[]; wrap?: (page: unknown[], total: number) => unknown }
  | { status: number; redirect: string };

interface Route {
  method: string;
  template: string;
  segments: string[];
  run(call: Call): Promise<Reply> | Reply;
}

const num = (call: Call, name: string) => Number(call.params[name]);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const isOutput = (v: unknown): v is { title?: string; summary?: string; text?: string } => typeof v === "object" && v !== null && !Array.isArray(v);
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function route(method: string, template: string, run: Route["run"]): Route {
  return { method, template, segments: template.split("/"), run };
}

export const ROUTES: Route[] = [
  route("GET", "/repos/{owner}/{repo}/pulls", (c) => ({
    status: 200,
    list: c.store
      .listPulls(c.owner, c.repo, { state: c.query.get("state") ?? undefined, head: c.query.get("head") ?? undefined, base: c.query.get("base") ?? undefined })
      .map((pr) => c.store.pullJson(c.store.repo(c.owner, c.repo), pr)),
  })),
  route("POST", "/repos/{owner}/{repo}/pulls", async (c) => {
    const b = c.body;
    const pr = await c.store.createPull(c.owner, c.repo, {
      title: str(b.title),
      body: str(b.body),
      head: String(b.head),
      base: String(b.base),
      draft: b.draft === true,
      maintainer_can_modify: typeof b.maintainer_can_modify === "boolean" ? b.maintainer_can_modify : undefined,
    });
    return { status: 201, json: c.store.pullJson(c.store.repo(c.owner, c.repo), pr) };
  }),
  // GitHub computes `mergeable` in the background; here on the first read of a (base, head) pair
  route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", async (c) => ({
    status: 200,
    json: c.store.pullJson(c.store.repo(c.owner, c.repo), await c.store.refreshMergeable(c.owner, c.repo, num(c, "pull_number"))),
  })),
  route("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}", async (c) => {
    const b = c.body;
    const state = b.state === "open" || b.state === "closed" ? b.state : undefined;
    const pr = await c.store.updatePull(c.owner, c.repo, num(c, "pull_number"), {
      title: str(b.title),
      body: str(b.body),
      state,
      base: str(b.base),
      maintainer_can_modify: typeof b.maintainer_can_modify === "boolean" ? b.maintainer_can_modify : undefined,
    });
    return { status: 200, json: c.store.pullJson(c.store.repo(c.owner, c.repo), pr) };
  }),
  route("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", (c) => {
    const pr = c.store.requestReviewers(c.owner, c.repo, num(c, "pull_number"), strings(c.body.reviewers), strings(c.body.team_reviewers));
    return { status: 201, json: c.store.pullJson(c.store.repo(c.owner, c.repo), pr) };
  }),
  route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", (c) => {
    const raw = Array.isArray(c.body.labels) ? c.body.labels : [];
    const names = raw.map((l) => (typeof l === "string" ? l : String((l as { name?: unknown }).name)));
    const labels = c.store.addLabels(c.owner, c.repo, num(c, "issue_number"), names);
    return { status: 200, json: c.store.labelsJson(c.owner, c.repo, labels) };
  }),
  route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", (c) => ({
    status: 200,
    list: c.store.listIssueComments(c.owner, c.repo, num(c, "issue_number")).map((x) => c.store.issueCommentJson(c.owner, c.repo, x)),
  })),
  route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", (c) => {
    const comment = c.store.addIssueComment(c.owner, c.repo, num(c, "issue_number"), String(c.body.body));
    return { status: 201, json: c.store.issueCommentJson(c.owner, c.repo, comment) };
  }),
  route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", (c) => ({
    status: 200,
    list: c.store.listReviews(c.owner, c.repo, num(c, "pull_number")).map((r) => c.store.reviewJson(c.owner, c.repo, r)),
  })),
  route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments", (c) => ({
    status: 200,
    list: c.store.listReviewComments(c.owner, c.repo, num(c, "pull_number")).map((x) => c.store.reviewCommentJson(c.owner, c.repo, x)),
  })),
  route("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", (c) => {
    const reply = c.store.addReviewComment(
      c.owner,
      c.repo,
      num(c, "pull_number"),
      { path: "", line: null, body: String(c.body.body), inReplyTo: num(c, "comment_id") },
      c.store.bot,
    );
    return { status: 201, json: c.store.reviewCommentJson(c.owner, c.repo, reply) };
  }),
  route("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", async (c) => {
    const runs = await c.store.listCheckRuns(c.owner, c.repo, c.params.ref!, {
      check_name: c.query.get("check_name") ?? undefined,
      status: c.query.get("status") ?? undefined,
      filter: c.query.get("filter") ?? undefined,
    });
    return { status: 200, list: runs.map((r) => c.store.checkRunJson(r)), wrap: (page, total) => ({ total_count: total, check_runs: page }) };
  }),
  route("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}", (c) => ({
    status: 200,
    json: c.store.checkRunJson(c.store.getCheckRun(c.owner, c.repo, num(c, "check_run_id"))),
  })),
  route("POST", "/repos/{owner}/{repo}/check-runs", (c) => {
    const b = c.body;
    const app = c.store.botLogin.replace(/\[bot\]$/, "");
    // only the documented fields: the store's local-only ones (id, run_id, …) never come from a request
    const run = c.store.createCheckRun(
      c.owner,
      c.repo,
      {
        name: String(b.name),
        head_sha: String(b.head_sha),
        status: str(b.status),
        conclusion: str(b.conclusion),
        details_url: str(b.details_url),
        external_id: str(b.external_id),
        started_at: str(b.started_at),
        completed_at: str(b.completed_at),
        output: isOutput(b.output) ? b.output : undefined,
      },
      app,
    );
    return { status: 201, json: c.store.checkRunJson(run) };
  }),
  route("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", (c) => {
    const b = c.body;
    const run = c.store.updateCheckRun(c.owner, c.repo, num(c, "check_run_id"), {
      name: str(b.name),
      details_url: str(b.details_url),
      external_id: str(b.external_id),
      status: str(b.status),
      conclusion: str(b.conclusion),
      started_at: str(b.started_at),
      completed_at: str(b.completed_at),
      output: isOutput(b.output) ? b.output : undefined,
    });
    return { status: 200, json: c.store.checkRunJson(run) };
  }),
  route("GET", "/repos/{owner}/{repo}/actions/jobs/{job_id}/logs", (c) => {
    const key = c.store.jobLogKey(c.owner, c.repo, num(c, "job_id"));
    if (!key) throw new StoreError(404, "Not Found");
    // path-only, so it resolves against whatever origin the client reached the forge by (a proxy, a test outbound)
    return { status: 302, redirect: `${LOG_PREFIX}${key}` };
  }),
];

const NUMBER_PARAMS = new Set(["pull_number", "issue_number", "comment_id", "check_run_id", "job_id"]);
const NUMBER = /^[0-9]{1,15}$/;

/** the route and its decoded parameters, or null (one pass over the segments per route) */
export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | null {
  if (path.length > 2048) return null;
  const parts = path.split("/");
  for (const r of ROUTES) {
    if (r.method !== method || r.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const t = r.segments[i]!;
      if (t.startsWith("{")) {
        let v: string;
        try {
          v = decodeURIComponent(parts[i]!);
        } catch {
          return null;
        }
        const name = t.slice(1, -1);
        if (v === "" || (NUMBER_PARAMS.has(name) && !NUMBER.test(v))) ok = false;
        else params[name] = v;
      } else if (t !== parts[i]) ok = false;
    }
    if (ok) return { route: r, params };
  }
  return null;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "x-github-media-type": "github.v3; format=json",
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-resource": "core",
    ...headers,
  });
  res.end(text);
}

const fail = (res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}) =>
  send(res, status, { message, ...extra, documentation_url: DOCS, status: String(status) });

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((ok, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        return reject(new BodyTooLarge());
      }
      chunks.push(chunk);
    });
    let ended = false;
    req.on("end", () => {
      ended = true;
      if (!over) ok(Buffer.concat(chunks));
    });
    req.on("error", reject);
    // a client that goes away mid-body settles the read too
    req.on("close", () => {
      if (!ended && !over) reject(new Error("request closed"));
    });
  });
}

function paginate(res: ServerResponse, req: URL, reply: { status: number; list: unknown[]; wrap?: (page: unknown[], total: number) => unknown }): void {
  const perRaw = Number(req.searchParams.get("per_page") ?? 30);
  const perPage = Number.isInteger(perRaw) && perRaw > 0 ? Math.min(perRaw, 100) : 30;
  const pageRaw = Number(req.searchParams.get("page") ?? 1);
  const page = Number.isInteger(pageRaw) && pageRaw > 0 ? pageRaw : 1;
  const total = reply.list.length;
  const last = Math.max(1, Math.ceil(total / perPage));
  const slice = reply.list.slice((page - 1) * perPage, page * perPage);
  const link = (p: number) => {
    const u = new URL(req.href);
    u.searchParams.set("per_page", String(perPage));
    u.searchParams.set("page", String(p));
    return u.href;
  };
  const links: string[] = [];
  if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`, `<${link(1)}>; rel="first"`);
  if (page < last) links.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
  send(res, reply.status, reply.wrap ? reply.wrap(slice, total) : slice, links.length ? { link: links.join(", ") } : {});
}

export function restHandler(options: RestHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { store } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;

  return async (req, res) => {
    const url = new URL(req.url ?? "/", store.baseUrl);
    const method = req.method ?? "GET";

    if (url.pathname.startsWith(LOG_PREFIX)) {
      const key = url.pathname.slice(LOG_PREFIX.length);
      const text = method === "GET" && /^[0-9a-f]{32}$/.test(key) ? store.jobLogByKey(key) : null;
      if (text === null) return fail(res, 404, "Not Found");
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      return void res.end(text);
    }
    if (!url.pathname.startsWith(API_PREFIX + "/")) return fail(res, 404, "Not Found");

    if (options.token !== undefined && !bearerMatches(req.headers.authorization, options.token)) {
      req.resume();
      return fail(res, 401, "Bad credentials");
    }
    const path = url.pathname.slice(API_PREFIX.length);
    const found = matchRoute(method, path);
    if (!found) {
      req.resume();
      return fail(res, 404, "Not Found");
    }
    const { route: r, params } = found;
    if (!validRepoPart(params.owner ?? "") || !validRepoPart(params.repo ?? "")) {
      req.resume();
      return fail(res, 404, "Not Found");
    }

    let body: Record<string, unknown> = {};
    if (method === "POST" || method === "PATCH" || method === "PUT") {
      const declared = Number(req.headers["content-length"] ?? 0);
      if (declared > maxBodyBytes) {
        req.resume();
        return fail(res, 413, "Payload too large");
      }
      let raw: Buffer;
      try {
        raw = await readBody(req, maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          req.resume();
          return fail(res, 413, "Payload too large");
        }
        throw e;
      }
      let parsed: unknown = {};
      if (raw.length > 0) {
        try {
          parsed = JSON.parse(raw.toString("utf8"));
        } catch {
          return fail(res, 400, "Problems parsing JSON");
        }
      }
      const check = validateRequestBody(method, r.template, parsed);
      if (!check.ok) return fail(res, 422, "Invalid request.", { errors: check.errors.map((e) => e.message) });
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return fail(res, 400, "Problems parsing JSON");
      body = parsed as Record<string, unknown>;
    } else req.resume();

    try {
      const reply = await r.run({ store, owner: params.owner!, repo: params.repo!, params, query: url.searchParams, body });
      if ("redirect" in reply) {
        res.writeHead(reply.status, { location: reply.redirect, "content-length": "0" });
        return void res.end();
      }
      if ("list" in reply) return paginate(res, url, reply);
      return send(res, reply.status, reply.json, reply.headers);
    } catch (e) {
      if (e instanceof StoreError) return fail(res, e.status, e.message, e.errors ? { errors: e.errors } : {});
      return fail(res, 500, "Server Error");
    }
  };
}
