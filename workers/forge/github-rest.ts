/**
 * The ForgeClient over GitHub's REST API with octokit (@octokit/core + the
 * REST endpoint methods plugin), for both faces: a GitHub App installation
 * against api.github.com, and a token against the local forge (its `/api/v3`,
 * see scripts/local/forge/local-forge.ts). Runs in workerd: no node: imports.
 *
 * Contract (beyond ForgeClient's):
 * - Built from an octokit someone else authenticated (`ForgeOctokit`, with
 *   App auth or a token), the git base URL for `cloneUrl`, and the push-token
 *   source; it never sees an App key.
 * - Every list call pages with `per_page=100` while the `Link` header has
 *   rel="next", at most `maxPages` pages (default 30; more is cut off, not an
 *   error).
 * - Errors become ForgeError: 401 unauthorized, 403 forbidden (or
 *   rate_limited, retryable, when GitHub says it is a rate limit:
 *   `x-ratelimit-remaining: 0`, `retry-after`, or "rate limit" in the
 *   message), 404 not_found, 409 conflict, 422 validation_failed, 429
 *   rate_limited (retryable), 5xx server_error (retryable), any other 4xx
 *   client_error; no response at all → network (status 0, retryable); a
 *   response without the fields we read → bad_response.
 * - checkRunLog: only check runs of the `github-actions` app have a job log.
 *   The job id is read from `details_url`, which Actions sets to
 *   `…/actions/runs/<run_id>/job/<job_id>`; when that does not parse, the
 *   check run's own id (Actions uses the same number for the job and its check
 *   run). `external_id` is not used: Actions puts a UUID there. The log is
 *   fetched with `GET …/actions/jobs/{job_id}/logs` (302 to the download,
 *   followed by fetch) and read as a stream, keeping only its last `maxBytes`
 *   (cut at a UTF-8 character boundary). 404/410 (no log, or expired) → null.
 * - feedback: submitted reviews (not PENDING, and not the empty COMMENTED
 *   review GitHub makes around lone line comments), review comments and
 *   conversation comments, oldest first (ties by id).
 */
import { Octokit } from "@octokit/core";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { ForgeError, type CheckRunSummary, type ForgeClient, type NewPull, type PullRef, type RepoRef, type ReviewComment } from "./forge-client";

export const ForgeOctokit = Octokit.plugin(restEndpointMethods);
export type ForgeOctokitClient = InstanceType<typeof ForgeOctokit>;

export interface OctokitForgeOptions {
  face: "github" | "local";
  octokit: ForgeOctokitClient;
  /** git's base: https://github.com, or the local forge's http://127.0.0.1:<port> */
  cloneBase: string;
  pushToken: (repo: RepoRef) => Promise<string>;
  /** cap on pages per list call (100 items each), default 30 */
  maxPages?: number;
}

type Obj = Record<string, unknown>;
interface Page {
  data: unknown;
  headers: Record<string, string | number | undefined>;
}

const MESSAGE_CAP = 300;

/** Turns whatever octokit threw into a ForgeError. */
export function toForgeError(e: unknown, what: string): ForgeError {
  if (e instanceof ForgeError) return e;
  const err = (e ?? {}) as { status?: unknown; response?: { headers?: Record<string, unknown> }; message?: unknown };
  const message = String(err.message ?? e).slice(0, MESSAGE_CAP);
  const status = typeof err.status === "number" ? err.status : 0;
  if (!err.response || status === 0) return new ForgeError("network", `${what}: ${message}`, 0, true);
  const headers = err.response.headers ?? {};
  const text = `${what}: ${status} ${message}`;
  if (status === 401) return new ForgeError("unauthorized", text, status);
  if (status === 403) {
    const limited = String(headers["x-ratelimit-remaining"] ?? "") === "0" || headers["retry-after"] !== undefined || /rate limit/i.test(message);
    return limited ? new ForgeError("rate_limited", text, status, true) : new ForgeError("forbidden", text, status);
  }
  if (status === 404) return new ForgeError("not_found", text, status);
  if (status === 409) return new ForgeError("conflict", text, status);
  if (status === 422) return new ForgeError("validation_failed", text, status);
  if (status === 429) return new ForgeError("rate_limited", text, status, true);
  if (status >= 500) return new ForgeError("server_error", text, status, true);
  return new ForgeError("client_error", text, status);
}

function bad(what: string): ForgeError {
  return new ForgeError("bad_response", `${what}: unexpected response shape`, 0);
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const strOrNull = (v: unknown): string | null => (typeof v === "string" ? v : null);
const login = (user: unknown): string => (isObj(user) && typeof user.login === "string" ? user.login : "ghost");

function toPullRef(data: unknown, what: string): PullRef {
  if (!isObj(data) || typeof data.number !== "number" || !isObj(data.head) || !isObj(data.base)) throw bad(what);
  const { head, base } = data;
  if (typeof head.ref !== "string" || typeof head.sha !== "string" || typeof base.ref !== "string") throw bad(what);
  // list items (pull-request-simple) have merged_at but no `merged`
  const merged = data.merged === true || typeof data.merged_at === "string";
  return {
    number: data.number,
    url: String(data.url ?? ""),
    htmlUrl: String(data.html_url ?? ""),
    headRef: head.ref,
    headSha: head.sha,
    baseRef: base.ref,
    baseSha: typeof base.sha === "string" ? base.sha : "",
    draft: data.draft === true,
    state: data.state === "closed" ? "closed" : "open",
    merged,
    mergeCommitSha: merged ? strOrNull(data.merge_commit_sha) : null,
    mergeable: typeof data.mergeable === "boolean" ? data.mergeable : null,
    author: login(data.user),
  };
}

function toCheckRun(data: unknown, what: string): CheckRunSummary {
  if (!isObj(data) || typeof data.id !== "number" || typeof data.name !== "string" || typeof data.status !== "string") throw bad(what);
  const output = isObj(data.output) ? data.output : {};
  return {
    id: data.id,
    name: data.name,
    status: data.status as CheckRunSummary["status"],
    conclusion: strOrNull(data.conclusion),
    headSha: String(data.head_sha ?? ""),
    title: strOrNull(output.title),
    summary: strOrNull(output.summary),
    text: strOrNull(output.text),
    detailsUrl: strOrNull(data.details_url),
  };
}

/** the Actions job id in a details_url `…/actions/runs/<run>/job/<job>[?…]`, or null (no regex: split and compare) */
export function jobIdFromDetailsUrl(detailsUrl: string | null): number | null {
  if (!detailsUrl || detailsUrl.length > 2048) return null;
  const path = detailsUrl.split(/[?#]/, 1)[0]!;
  const parts = path.split("/");
  const n = parts.length;
  if (n < 4 || parts[n - 2] !== "job" || parts[n - 4] !== "runs" || parts[n - 5] !== "actions") return null;
  const id = parts[n - 1]!;
  return /^[0-9]{1,15}$/.test(id) ? Number(id) : null;
}

/** the last `maxBytes` of a byte stream as text, starting at a character boundary */
export async function streamTail(body: ReadableStream<Uint8Array> | ArrayBuffer | string | null | undefined, maxBytes: number): Promise<string> {
  if (maxBytes <= 0 || body === null || body === undefined) return "";
  let bytes: Uint8Array;
  if (typeof body === "string") bytes = new TextEncoder().encode(body);
  else if (body instanceof ArrayBuffer) bytes = new Uint8Array(body);
  else {
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let first = 0;
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!value || value.length === 0) continue;
      chunks.push(value);
      size += value.length;
      // drop whole chunks that lie entirely before the tail
      while (chunks.length - first > 1 && size - chunks[first]!.length >= maxBytes) {
        size -= chunks[first]!.length;
        chunks[first++] = new Uint8Array(0);
      }
    }
    bytes = new Uint8Array(size);
    let at = 0;
    for (let i = first; i < chunks.length; i++) {
      bytes.set(chunks[i]!, at);
      at += chunks[i]!.length;
    }
  }
  let start = Math.max(0, bytes.length - maxBytes);
  // never start inside a UTF-8 sequence (continuation bytes are 10xxxxxx)
  let skipped = 0;
  while (start > 0 && start < bytes.length && (bytes[start]! & 0xc0) === 0x80 && skipped < 3) {
    start++;
    skipped++;
  }
  return new TextDecoder("utf-8").decode(bytes.subarray(start));
}

export class OctokitForge implements ForgeClient {
  readonly face: "github" | "local";
  private readonly octokit: ForgeOctokitClient;
  private readonly cloneBase: string;
  private readonly getPushToken: (repo: RepoRef) => Promise<string>;
  private readonly maxPages: number;

  constructor(options: OctokitForgeOptions) {
    this.face = options.face;
    this.octokit = options.octokit;
    this.cloneBase = options.cloneBase.replace(/\/+$/, "");
    this.getPushToken = options.pushToken;
    this.maxPages = options.maxPages ?? 30;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toForgeError(e, what);
    }
  }

  /** all pages of a list call; `items` picks the array out of one page's data */
  private async listAll(what: string, fetchPage: (page: number) => Promise<Page>, items: (data: unknown) => unknown): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let page = 1; page <= this.maxPages; page++) {
      const res = await this.call(what, () => fetchPage(page));
      const list = items(res.data);
      if (!Array.isArray(list)) throw bad(what);
      out.push(...list);
      const link = String(res.headers.link ?? "");
      if (list.length === 0 || !link.includes('rel="next"')) break;
    }
    return out;
  }

  cloneUrl(repo: RepoRef): string {
    return `${this.cloneBase}/${repo.owner}/${repo.repo}.git`;
  }

  pushToken(repo: RepoRef): Promise<string> {
    return this.getPushToken(repo);
  }

  async findOpenPull(repo: RepoRef, head: string): Promise<PullRef | null> {
    const qualified = head.includes(":") ? head : `${repo.owner}:${head}`;
    const res = await this.call("list pulls", () => this.octokit.rest.pulls.list({ ...repo, head: qualified, state: "open", per_page: 100 }));
    if (!Array.isArray(res.data)) throw bad("list pulls");
    return res.data.length > 0 ? toPullRef(res.data[0], "list pulls") : null;
  }

  async openDraftPull(repo: RepoRef, pull: NewPull): Promise<PullRef> {
    const res = await this.call("open pull", () => this.octokit.rest.pulls.create({ ...repo, title: pull.title, body: pull.body, head: pull.head, base: pull.base, draft: true }));
    return toPullRef(res.data, "open pull");
  }

  async getPull(repo: RepoRef, number: number): Promise<PullRef> {
    const res = await this.call("get pull", () => this.octokit.rest.pulls.get({ ...repo, pull_number: number }));
    return toPullRef(res.data, "get pull");
  }

  async updatePullBody(repo: RepoRef, number: number, body: string): Promise<void> {
    await this.call("update pull", () => this.octokit.rest.pulls.update({ ...repo, pull_number: number, body }));
  }

  async requestReviewers(repo: RepoRef, number: number, reviewers: { users: string[]; teams: string[] }): Promise<void> {
    if (reviewers.users.length === 0 && reviewers.teams.length === 0) return;
    await this.call("request reviewers", () =>
      this.octokit.rest.pulls.requestReviewers({ ...repo, pull_number: number, reviewers: reviewers.users, team_reviewers: reviewers.teams }),
    );
  }

  async addLabels(repo: RepoRef, number: number, labels: string[]): Promise<void> {
    if (labels.length === 0) return;
    await this.call("add labels", () => this.octokit.rest.issues.addLabels({ ...repo, issue_number: number, labels }));
  }

  async comment(repo: RepoRef, number: number, body: string): Promise<{ id: number }> {
    const res = await this.call("comment", () => this.octokit.rest.issues.createComment({ ...repo, issue_number: number, body }));
    if (typeof res.data?.id !== "number") throw bad("comment");
    return { id: res.data.id };
  }

  async replyToReviewComment(repo: RepoRef, number: number, commentId: number, body: string): Promise<{ id: number }> {
    const res = await this.call("reply to review comment", () =>
      this.octokit.rest.pulls.createReplyForReviewComment({ ...repo, pull_number: number, comment_id: commentId, body }),
    );
    if (typeof res.data?.id !== "number") throw bad("reply to review comment");
    return { id: res.data.id };
  }

  async checkRuns(repo: RepoRef, sha: string): Promise<CheckRunSummary[]> {
    const runs = await this.listAll(
      "list check runs",
      (page) => this.octokit.rest.checks.listForRef({ ...repo, ref: sha, per_page: 100, page }),
      (data) => (isObj(data) ? data.check_runs : undefined),
    );
    return runs.map((r) => toCheckRun(r, "list check runs"));
  }

  async checkRunLog(repo: RepoRef, checkRunId: number, maxBytes: number): Promise<string | null> {
    const run = await this.call("get check run", () => this.octokit.rest.checks.get({ ...repo, check_run_id: checkRunId }));
    const data = run.data as unknown;
    if (!isObj(data)) throw bad("get check run");
    const app = isObj(data.app) ? data.app : {};
    if (app.slug !== "github-actions") return null;
    const jobId = jobIdFromDetailsUrl(strOrNull(data.details_url)) ?? (typeof data.id === "number" ? data.id : null);
    if (jobId === null) return null;
    try {
      const res = await this.octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", {
        ...repo,
        job_id: jobId,
        request: { parseSuccessResponseBody: false },
      });
      return await streamTail(res.data as unknown as ReadableStream<Uint8Array> | ArrayBuffer | string | null, maxBytes);
    } catch (e) {
      const err = toForgeError(e, "job log");
      if (err.status === 404 || err.status === 410) return null;
      throw err;
    }
  }

  async feedback(repo: RepoRef, number: number): Promise<ReviewComment[]> {
    const [reviews, reviewComments, issueComments] = await Promise.all([
      this.listAll("list reviews", (page) => this.octokit.rest.pulls.listReviews({ ...repo, pull_number: number, per_page: 100, page }), (d) => d),
      this.listAll("list review comments", (page) => this.octokit.rest.pulls.listReviewComments({ ...repo, pull_number: number, per_page: 100, page }), (d) => d),
      this.listAll("list comments", (page) => this.octokit.rest.issues.listComments({ ...repo, issue_number: number, per_page: 100, page }), (d) => d),
    ]);
    const out: ReviewComment[] = [];
    for (const r of reviews) {
      if (!isObj(r) || typeof r.id !== "number") throw bad("list reviews");
      const state = String(r.state ?? "");
      const body = typeof r.body === "string" ? r.body : "";
      if (state === "PENDING" || (state === "COMMENTED" && body.trim() === "")) continue;
      out.push({
        id: r.id,
        kind: "review",
        author: login(r.user),
        authorAssociation: String(r.author_association ?? "NONE"),
        reviewState: state,
        body,
        path: null,
        line: null,
        inReplyTo: null,
        createdAt: String(r.submitted_at ?? ""),
      });
    }
    for (const c of reviewComments) {
      if (!isObj(c) || typeof c.id !== "number") throw bad("list review comments");
      const line = typeof c.line === "number" ? c.line : typeof c.original_line === "number" ? c.original_line : null;
      out.push({
        id: c.id,
        kind: "review_comment",
        author: login(c.user),
        authorAssociation: String(c.author_association ?? "NONE"),
        reviewState: null,
        body: typeof c.body === "string" ? c.body : "",
        path: strOrNull(c.path),
        line,
        inReplyTo: typeof c.in_reply_to_id === "number" ? c.in_reply_to_id : null,
        createdAt: String(c.created_at ?? ""),
      });
    }
    for (const c of issueComments) {
      if (!isObj(c) || typeof c.id !== "number") throw bad("list comments");
      out.push({
        id: c.id,
        kind: "issue_comment",
        author: login(c.user),
        authorAssociation: String(c.author_association ?? "NONE"),
        reviewState: null,
        body: typeof c.body === "string" ? c.body : "",
        path: null,
        line: null,
        inReplyTo: null,
        createdAt: String(c.created_at ?? ""),
      });
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id));
  }
}
