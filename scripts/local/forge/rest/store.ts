/**
 * The local forge's state: pull requests, conversation comments, reviews,
 * review comments and check runs per repository, in memory, for the
 * repositories the git server holds under `root`.
 *
 * Contract:
 * - Methods mirror the REST operations (./handler.ts calls them) and are also
 *   what a local CI, tests and the demo call directly: `createCheckRun` /
 *   `completeCheckRun` (with the job's log), `addReview` /
 *   `addReviewComment` / `addIssueComment` as any user with any
 *   author_association (a human reviewer), `mergePull` (the human merge);
 *   `checksSink()` / `pullsFor` plug the local CI (scripts/local/ci) in.
 * - Branch heads come from the git repository: opening a pull request reads
 *   its head and base refs; `onPush` (wired to the git server's `push`
 *   events) moves the head sha of open pull requests on that branch and
 *   emits `pull_request` `synchronize`, and the base sha of those based on it.
 * - `mergeable` is computed as GitHub does, lazily: null after the head or
 *   the base moved, until `refreshMergeable` (the REST handler calls it before
 *   answering a pull request) runs `git merge-tree` for the (base, head) pair.
 *   `commitToBranch` plays a person committing straight to a branch (the web
 *   editor), e.g. the base moving under an open pull request.
 * - `events` emits webhook-shaped payloads under GitHub's event names
 *   (`pull_request`, `issue_comment`, `pull_request_review`,
 *   `pull_request_review_comment`, `check_run`), each also as
 *   `webhook` `{ name, payload }`, synchronously when the change happens; a
 *   listener that throws does not undo or fail the change.
 * - Failures throw `StoreError(status, message, errors?)`, which the REST
 *   handler answers as GitHub would (404, 422, 405).
 * - Ids come from one counter (so they are unique across kinds, like
 *   GitHub's); pull and issue numbers from one counter per repository.
 *   Timestamps are ISO 8601 at whole seconds, like GitHub's.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { ChecksSink, LocalCheckRun } from "../../ci/local-ci";
import type { CiPullRef } from "../../ci/webhook-payloads";
import type { PushEvent } from "../git-server";
import { readRefs, repoDir, repoExists } from "../repos";
import { commitFiles } from "./commit-files";
import { mergeInBare, mergesCleanly } from "./merge";
import type { Actor, CheckRunOutput, CheckRunRecord, IssueCommentRecord, PullRecord, RepoRecord, ReviewCommentRecord, ReviewRecord } from "./records";
import { checkRunJson, issueCommentJson, labelJson, pullJson, repoJson, reviewCommentJson, reviewJson, userJson, type ShapeContext } from "./shapes";

export class StoreError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
    this.name = "StoreError";
  }
}

export interface StoreOptions {
  root: string;
  /** where webhook-shaped events go (startLocalForge shares the git server's) */
  events?: EventEmitter;
  /** the login the forge token acts as (a GitHub App's bot user) */
  botLogin?: string;
  clock?: () => Date;
  /** kept per job log, its tail (default 16 MiB) */
  maxLogBytes?: number;
}

export interface NewCheckRun {
  name: string;
  head_sha: string;
  status?: string;
  conclusion?: string | null;
  details_url?: string;
  external_id?: string;
  started_at?: string;
  completed_at?: string;
  output?: Partial<CheckRunOutput>;
  /** local only (never from a request body): the ids the local CI already gave the run, its suite and its workflow run */
  id?: number;
  check_suite_id?: number;
  run_id?: number;
}

export interface CheckRunPatch {
  name?: string;
  details_url?: string;
  external_id?: string;
  status?: string;
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  output?: Partial<CheckRunOutput>;
}

const SHA = /^[0-9a-f]{40}$/;
const ZERO = "0".repeat(40);

interface JobLog {
  owner: string;
  repo: string;
  text: string;
  /** the unguessable path segment of its download URL */
  key: string;
}

export class LocalForgeStore {
  readonly root: string;
  readonly events: EventEmitter;
  readonly botLogin: string;
  /** set by startLocalForge once listening: http://127.0.0.1:<port> */
  baseUrl = "http://127.0.0.1";
  private readonly clock: () => Date;
  private readonly maxLogBytes: number;
  private nextId = 1;
  private readonly repos = new Map<string, RepoRecord>();
  private readonly checkRuns = new Map<number, CheckRunRecord>();
  private readonly jobLogs = new Map<number, JobLog>();
  private readonly logKeys = new Map<string, number>();
  private readonly userIds = new Map<string, number>();
  private readonly appIds = new Map<string, number>();

  constructor(options: StoreOptions) {
    this.root = options.root;
    this.events = options.events ?? new EventEmitter();
    this.botLogin = options.botLogin ?? "nightshift[bot]";
    this.clock = options.clock ?? (() => new Date());
    this.maxLogBytes = options.maxLogBytes ?? 16 << 20;
  }

  // ---- plumbing ----

  get ctx(): ShapeContext {
    return {
      apiBase: `${this.baseUrl}/api/v3`,
      htmlBase: this.baseUrl,
      userId: (login) => {
        let id = this.userIds.get(login);
        if (id === undefined) this.userIds.set(login, (id = 1000 + this.userIds.size));
        return id;
      },
    };
  }

  private appId = (slug: string): number => {
    let id = this.appIds.get(slug);
    if (id === undefined) this.appIds.set(slug, (id = 100 + this.appIds.size));
    return id;
  };

  private now(): string {
    return this.clock().toISOString().replace(/\.[0-9]{3}Z$/, "Z");
  }

  private id(): number {
    return this.nextId++;
  }

  /** an id the caller chose (the store's own ids then stay above it), else a new one */
  private given(id: number | undefined): number {
    if (id === undefined) return this.id();
    if (!Number.isSafeInteger(id) || id <= 0) throw new StoreError(422, `bad id ${id}`);
    this.nextId = Math.max(this.nextId, id + 1);
    return id;
  }

  /** the bot user the forge token acts as */
  get bot(): Actor {
    return { login: this.botLogin, association: "NONE" };
  }

  repo(owner: string, name: string): RepoRecord {
    let exists = false;
    try {
      exists = repoExists(this.root, owner, name);
    } catch {
      exists = false;
    }
    if (!exists) throw new StoreError(404, "Not Found");
    const key = `${owner}/${name}`;
    let repo = this.repos.get(key);
    if (!repo) {
      repo = { id: this.id(), owner, name, nextNumber: 1, pulls: new Map(), issueComments: [], reviews: [], reviewComments: [], labelIds: new Map() };
      this.repos.set(key, repo);
    }
    return repo;
  }

  private pullRecord(owner: string, name: string, number: number): { repo: RepoRecord; pr: PullRecord } {
    const repo = this.repo(owner, name);
    const pr = repo.pulls.get(number);
    if (!pr) throw new StoreError(404, "Not Found");
    return { repo, pr };
  }

  private async branchSha(repo: RepoRecord, branch: string): Promise<string | null> {
    const refs = await readRefs(repoDir(this.root, repo.owner, repo.name));
    return refs.get(`refs/heads/${branch}`) ?? null;
  }

  private emit(name: string, payload: Record<string, unknown>): void {
    const full = { ...payload, sender: userJson(this.ctx, (payload.senderLogin as string | undefined) ?? this.botLogin) };
    delete (full as Record<string, unknown>).senderLogin;
    // a throwing listener (a webhook sender) must not fail the change that already happened
    try {
      this.events.emit(name, full);
    } catch {}
    try {
      this.events.emit("webhook", { name, payload: full });
    } catch {}
  }

  private emitPull(action: string, repo: RepoRecord, pr: PullRecord, extra: Record<string, unknown> = {}): void {
    this.emit("pull_request", { action, number: pr.number, pull_request: this.pullJson(repo, pr), repository: repoJson(this.ctx, repo), ...extra });
  }

  // ---- JSON (the REST handler answers with these) ----

  pullJson(repo: RepoRecord, pr: PullRecord) {
    const comments = repo.issueComments.filter((c) => c.number === pr.number).length;
    const reviewComments = repo.reviewComments.filter((c) => c.number === pr.number).length;
    return pullJson(this.ctx, repo, pr, { comments, reviewComments });
  }

  checkRunJson(run: CheckRunRecord) {
    const repo = this.repo(run.owner, run.repo);
    const pulls = [...repo.pulls.values()].filter((p) => p.state === "open" && p.headSha === run.headSha);
    return checkRunJson(this.ctx, run, this.appId, repo, pulls);
  }

  labelsJson(owner: string, name: string, labels: string[]) {
    const repo = this.repo(owner, name);
    return labels.map((l) => labelJson(this.ctx, repo, l));
  }

  // ---- pull requests ----

  async createPull(
    owner: string,
    name: string,
    input: { title?: string; body?: string; head: string; base: string; draft?: boolean; maintainer_can_modify?: boolean },
    as: Actor = this.bot,
  ): Promise<PullRecord> {
    const repo = this.repo(owner, name);
    if (input.title === undefined) throw new StoreError(422, "Validation Failed", [{ resource: "PullRequest", field: "title", code: "missing_field" }]);
    const colon = input.head.indexOf(":");
    if (colon >= 0 && input.head.slice(0, colon) !== owner) {
      throw new StoreError(422, "Validation Failed", [{ resource: "PullRequest", field: "head", code: "invalid" }]);
    }
    const headRef = colon >= 0 ? input.head.slice(colon + 1) : input.head;
    const [headSha, baseSha] = await Promise.all([this.branchSha(repo, headRef), this.branchSha(repo, input.base)]);
    if (!headSha) throw new StoreError(422, "Validation Failed", [{ resource: "PullRequest", field: "head", code: "invalid" }]);
    if (!baseSha) throw new StoreError(422, "Validation Failed", [{ resource: "PullRequest", field: "base", code: "invalid" }]);
    if (headRef === input.base) {
      throw new StoreError(422, "Validation Failed", [{ resource: "PullRequest", code: "custom", message: `No commits between ${input.base} and ${headRef}` }]);
    }
    for (const other of repo.pulls.values()) {
      if (other.state === "open" && other.headRef === headRef && other.baseRef === input.base) {
        throw new StoreError(422, "Validation Failed", [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${owner}:${headRef}.` }]);
      }
    }
    const now = this.now();
    const pr: PullRecord = {
      id: this.id(),
      number: repo.nextNumber++,
      title: input.title,
      body: input.body ?? null,
      user: as,
      headRef,
      headSha,
      baseRef: input.base,
      baseSha,
      draft: input.draft === true,
      state: "open",
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      mergeable: null,
      mergeableFor: null,
      maintainerCanModify: input.maintainer_can_modify ?? false,
      labels: [],
      requestedReviewers: [],
      requestedTeams: [],
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    repo.pulls.set(pr.number, pr);
    this.emitPull("opened", repo, pr, { senderLogin: as.login });
    return pr;
  }

  getPull(owner: string, name: string, number: number): PullRecord {
    return this.pullRecord(owner, name, number).pr;
  }

  /**
   * GitHub's `mergeable` for an open pull request's current (base, head):
   * computed once per pair with `git merge-tree`, kept on the record (so
   * pullJson shows it); closed ones stay null.
   */
  async refreshMergeable(owner: string, name: string, number: number): Promise<PullRecord> {
    const { pr } = this.pullRecord(owner, name, number);
    const key = `${pr.baseSha}:${pr.headSha}`;
    if (pr.state !== "open" || pr.mergeableFor === key) return pr;
    const clean = await mergesCleanly(repoDir(this.root, owner, name), pr.baseSha, pr.headSha);
    // the pair may have moved while git ran: keep the answer only for the pair it is about
    if (`${pr.baseSha}:${pr.headSha}` === key) {
      pr.mergeable = clean;
      pr.mergeableFor = key;
    }
    return pr;
  }

  /**
   * Plays GitHub's own answer for the pull request's current (base, head) in
   * place of merge-tree's (tests: GitHub may say false where a local merge is
   * clean, or not have computed it yet: null); the next move of either sha
   * computes it again.
   */
  setMergeable(owner: string, name: string, number: number, value: boolean | null): PullRecord {
    const { pr } = this.pullRecord(owner, name, number);
    pr.mergeable = value;
    pr.mergeableFor = `${pr.baseSha}:${pr.headSha}`;
    return pr;
  }

  /**
   * A person's commit straight to `branch` (GitHub's web editor): `files`
   * (path → new text) on top of the branch's head, the branch moved, a
   * `push` event emitted (so open pull requests follow). Returns the commit.
   */
  async commitToBranch(owner: string, name: string, branch: string, files: Record<string, string>, message: string, by: Actor = { login: owner, association: "OWNER" }): Promise<string> {
    const repo = this.repo(owner, name);
    const before = await this.branchSha(repo, branch);
    if (!before) throw new StoreError(404, "Branch not found");
    const after = await commitFiles(repoDir(this.root, owner, name), {
      branch,
      parent: before,
      files,
      message,
      committer: { name: by.login, email: `${by.login}@users.noreply.local-forge.invalid` },
    });
    try {
      this.events.emit("push", { owner, repo: name, ref: `refs/heads/${branch}`, before, after } satisfies PushEvent);
    } catch {
      // the commit happened
    }
    return after;
  }

  /** GitHub's list filters: state (open|closed|all), head (`owner:branch`), base; newest first */
  listPulls(owner: string, name: string, filter: { state?: string; head?: string; base?: string } = {}): PullRecord[] {
    const repo = this.repo(owner, name);
    const state = filter.state ?? "open";
    let headRef: string | null = null;
    if (filter.head) {
      const colon = filter.head.indexOf(":");
      if (colon >= 0 && filter.head.slice(0, colon) !== owner) return [];
      headRef = colon >= 0 ? filter.head.slice(colon + 1) : filter.head;
    }
    return [...repo.pulls.values()]
      .filter((p) => (state === "all" || p.state === state) && (headRef === null || p.headRef === headRef) && (!filter.base || p.baseRef === filter.base))
      .sort((a, b) => b.number - a.number);
  }

  async updatePull(
    owner: string,
    name: string,
    number: number,
    patch: { title?: string; body?: string; state?: "open" | "closed"; base?: string; maintainer_can_modify?: boolean },
    as: Actor = this.bot,
  ): Promise<PullRecord> {
    const { repo, pr } = this.pullRecord(owner, name, number);
    if (patch.base !== undefined && patch.base !== pr.baseRef) {
      const sha = await this.branchSha(repo, patch.base);
      if (!sha) throw new StoreError(422, "Validation Failed", [{ resource: "PullRequest", field: "base", code: "invalid" }]);
      pr.baseRef = patch.base;
      pr.baseSha = sha;
    }
    if (patch.title !== undefined) pr.title = patch.title;
    if (patch.body !== undefined) pr.body = patch.body;
    if (patch.maintainer_can_modify !== undefined) pr.maintainerCanModify = patch.maintainer_can_modify;
    pr.updatedAt = this.now();
    let action = "edited";
    if (patch.state !== undefined && patch.state !== pr.state) {
      if (pr.merged) throw new StoreError(422, "Validation Failed", [{ resource: "PullRequest", code: "custom", message: "Cannot reopen a merged pull request" }]);
      pr.state = patch.state;
      pr.closedAt = patch.state === "closed" ? pr.updatedAt : null;
      action = patch.state === "closed" ? "closed" : "reopened";
    }
    this.emitPull(action, repo, pr, { senderLogin: as.login });
    return pr;
  }

  requestReviewers(owner: string, name: string, number: number, reviewers: string[] = [], teams: string[] = [], as: Actor = this.bot): PullRecord {
    const { repo, pr } = this.pullRecord(owner, name, number);
    if (reviewers.includes(pr.user.login)) {
      throw new StoreError(422, "Review cannot be requested from pull request author.", [{ resource: "PullRequest", code: "custom", message: "Review cannot be requested from pull request author." }]);
    }
    for (const r of reviewers) if (!pr.requestedReviewers.includes(r)) pr.requestedReviewers.push(r);
    for (const t of teams) if (!pr.requestedTeams.includes(t)) pr.requestedTeams.push(t);
    pr.updatedAt = this.now();
    for (const r of reviewers) this.emitPull("review_requested", repo, pr, { requested_reviewer: userJson(this.ctx, r), senderLogin: as.login });
    for (const t of teams) this.emitPull("review_requested", repo, pr, { requested_team: { name: t, slug: t }, senderLogin: as.login });
    return pr;
  }

  addLabels(owner: string, name: string, number: number, labels: string[], as: Actor = this.bot): string[] {
    const { repo, pr } = this.pullRecord(owner, name, number);
    for (const l of labels) {
      if (!repo.labelIds.has(l)) repo.labelIds.set(l, this.id());
      if (!pr.labels.includes(l)) {
        pr.labels.push(l);
        this.emitPull("labeled", repo, pr, { label: { name: l }, senderLogin: as.login });
      }
    }
    pr.updatedAt = this.now();
    return pr.labels;
  }

  /**
   * The human merge (not on the REST surface the fix loop uses): a merge
   * commit of head into base in the git repository, base moved, the pull
   * request closed as merged. A draft is marked ready first, as a person
   * would. Emits `push` for the base branch and `pull_request` `closed`.
   */
  async mergePull(owner: string, name: string, number: number, by: Actor = { login: owner, association: "OWNER" }): Promise<PullRecord> {
    const { repo, pr } = this.pullRecord(owner, name, number);
    if (pr.state !== "open") throw new StoreError(405, "Pull Request is not mergeable");
    const dir = repoDir(this.root, owner, name);
    const [headSha, baseSha] = await Promise.all([this.branchSha(repo, pr.headRef), this.branchSha(repo, pr.baseRef)]);
    if (!baseSha) throw new StoreError(405, "Base branch was deleted");
    const head = headSha ?? pr.headSha;
    const result = await mergeInBare(dir, {
      baseRef: pr.baseRef,
      baseSha,
      headSha: head,
      message: `Merge pull request #${pr.number} from ${owner}/${pr.headRef}\n\n${pr.title}`,
      committer: { name: by.login, email: `${by.login}@users.noreply.local-forge.invalid` },
    });
    if ("conflict" in result) throw new StoreError(405, "Merge conflict");
    if (pr.draft) {
      pr.draft = false;
      this.emitPull("ready_for_review", repo, pr, { senderLogin: by.login });
    }
    const now = this.now();
    pr.headSha = head;
    pr.merged = true;
    pr.mergedAt = now;
    pr.mergedBy = by.login;
    pr.mergeCommitSha = result.sha;
    pr.state = "closed";
    pr.closedAt = now;
    pr.updatedAt = now;
    try {
      this.events.emit("push", { owner, repo: name, ref: `refs/heads/${pr.baseRef}`, before: baseSha, after: result.sha } satisfies PushEvent);
    } catch {
      // as above: the merge happened
    }
    this.emitPull("closed", repo, pr, { senderLogin: by.login });
    return pr;
  }

  /** a push moved a branch: open pull requests follow their head (synchronize) and base */
  onPush(event: PushEvent): void {
    const repo = this.repos.get(`${event.owner}/${event.repo}`);
    if (!repo || !event.ref.startsWith("refs/heads/") || event.after === ZERO) return;
    const branch = event.ref.slice("refs/heads/".length);
    for (const pr of repo.pulls.values()) {
      if (pr.state !== "open") continue;
      if (pr.baseRef === branch) pr.baseSha = event.after;
      if (pr.headRef === branch && pr.headSha !== event.after) {
        const before = pr.headSha;
        pr.headSha = event.after;
        pr.updatedAt = this.now();
        this.emitPull("synchronize", repo, pr, { before, after: event.after });
      }
    }
  }

  // ---- conversation comments ----

  addIssueComment(owner: string, name: string, number: number, body: string, as: Actor = this.bot): IssueCommentRecord {
    const { repo } = this.pullRecord(owner, name, number);
    const now = this.now();
    const c: IssueCommentRecord = { id: this.id(), number, user: as, body, createdAt: now, updatedAt: now };
    repo.issueComments.push(c);
    const pr = repo.pulls.get(number)!;
    this.emit("issue_comment", {
      action: "created",
      issue: (() => {
        const json = this.pullJson(repo, pr);
        return { ...json, pull_request: { url: json.url, html_url: json.html_url, diff_url: json.diff_url, patch_url: json.patch_url, merged_at: json.merged_at } };
      })(),
      comment: issueCommentJson(this.ctx, repo, c),
      repository: repoJson(this.ctx, repo),
      senderLogin: as.login,
    });
    return c;
  }

  listIssueComments(owner: string, name: string, number: number): IssueCommentRecord[] {
    const { repo } = this.pullRecord(owner, name, number);
    return repo.issueComments.filter((c) => c.number === number);
  }

  issueCommentJson(owner: string, name: string, c: IssueCommentRecord) {
    return issueCommentJson(this.ctx, this.repo(owner, name), c);
  }

  // ---- reviews and review comments ----

  /** a submitted review (as a person: pass their login and association), with optional line comments */
  addReview(
    owner: string,
    name: string,
    number: number,
    review: { state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED"; body?: string; comments?: { path: string; line: number; body: string }[] },
    as: Actor,
  ): ReviewRecord {
    const { repo, pr } = this.pullRecord(owner, name, number);
    const r: ReviewRecord = { id: this.id(), number, user: as, state: review.state, body: review.body ?? "", commitId: pr.headSha, submittedAt: this.now() };
    repo.reviews.push(r);
    for (const c of review.comments ?? []) this.addReviewComment(owner, name, number, { ...c, reviewId: r.id }, as);
    pr.requestedReviewers = pr.requestedReviewers.filter((u) => u !== as.login);
    this.emit("pull_request_review", {
      action: "submitted",
      // webhooks spell review states in lower case (REST: upper)
      review: { ...reviewJson(this.ctx, repo, r), state: r.state.toLowerCase() },
      pull_request: this.pullJson(repo, pr),
      repository: repoJson(this.ctx, repo),
      senderLogin: as.login,
    });
    return r;
  }

  listReviews(owner: string, name: string, number: number): ReviewRecord[] {
    const { repo } = this.pullRecord(owner, name, number);
    return repo.reviews.filter((r) => r.number === number);
  }

  reviewJson(owner: string, name: string, r: ReviewRecord) {
    return reviewJson(this.ctx, this.repo(owner, name), r);
  }

  addReviewComment(
    owner: string,
    name: string,
    number: number,
    comment: { path: string; line: number | null; body: string; side?: "LEFT" | "RIGHT"; reviewId?: number; inReplyTo?: number },
    as: Actor,
  ): ReviewCommentRecord {
    const { repo, pr } = this.pullRecord(owner, name, number);
    let path = comment.path;
    let line = comment.line;
    let inReplyTo: number | null = null;
    if (comment.inReplyTo !== undefined) {
      const target = repo.reviewComments.find((c) => c.id === comment.inReplyTo && c.number === number);
      if (!target) throw new StoreError(404, "Not Found");
      // GitHub threads replies under the thread's first comment
      inReplyTo = target.inReplyTo ?? target.id;
      path = target.path;
      line = target.line;
    }
    const now = this.now();
    const c: ReviewCommentRecord = {
      id: this.id(),
      number,
      reviewId: comment.reviewId ?? null,
      user: as,
      body: comment.body,
      path,
      line,
      side: comment.side ?? "RIGHT",
      commitId: pr.headSha,
      inReplyTo,
      createdAt: now,
      updatedAt: now,
    };
    if (c.reviewId === null) {
      // a lone comment (or reply) comes with its own COMMENTED review, as on GitHub
      const r: ReviewRecord = { id: this.id(), number, user: as, state: "COMMENTED", body: "", commitId: pr.headSha, submittedAt: now };
      repo.reviews.push(r);
      c.reviewId = r.id;
    }
    repo.reviewComments.push(c);
    this.emit("pull_request_review_comment", {
      action: "created",
      comment: reviewCommentJson(this.ctx, repo, c),
      pull_request: this.pullJson(repo, pr),
      repository: repoJson(this.ctx, repo),
      senderLogin: as.login,
    });
    return c;
  }

  listReviewComments(owner: string, name: string, number: number): ReviewCommentRecord[] {
    const { repo } = this.pullRecord(owner, name, number);
    return repo.reviewComments.filter((c) => c.number === number);
  }

  reviewCommentJson(owner: string, name: string, c: ReviewCommentRecord) {
    return reviewCommentJson(this.ctx, this.repo(owner, name), c);
  }

  // ---- check runs and job logs ----

  /**
   * A check run. From the local CI (the default, `app: "github-actions"`) it
   * is an Actions job: job id = check run id (as on GitHub), details_url
   * `<base>/<o>/<r>/actions/runs/<run>/job/<job>`, and a log (see
   * `completeCheckRun` / `setJobLog`). From the REST API it belongs to the
   * token's app and has no job.
   */
  createCheckRun(owner: string, name: string, input: NewCheckRun, app = "github-actions"): CheckRunRecord {
    this.repo(owner, name);
    if (!SHA.test(input.head_sha)) throw new StoreError(422, "Validation Failed", [{ resource: "CheckRun", field: "head_sha", code: "invalid" }]);
    if (input.id !== undefined && this.checkRuns.has(input.id)) throw new StoreError(422, `check run ${input.id} exists`);
    const id = this.given(input.id);
    const actions = app === "github-actions";
    const runId = actions ? this.given(input.run_id) : null;
    const now = this.now();
    const run: CheckRunRecord = {
      id,
      owner,
      repo: name,
      name: input.name,
      headSha: input.head_sha,
      status: input.status ?? "queued",
      conclusion: null,
      startedAt: input.started_at ?? now,
      completedAt: null,
      output: { title: null, summary: null, text: null },
      detailsUrl: input.details_url ?? (actions ? `${this.baseUrl}/${owner}/${name}/actions/runs/${runId}/job/${id}` : null),
      externalId: input.external_id ?? null,
      appSlug: app,
      runId,
      jobId: actions ? id : null,
      checkSuiteId: this.given(input.check_suite_id),
    };
    // a completed run without a conclusion is refused before it exists
    this.applyCheckRun(run, { output: input.output, conclusion: input.conclusion ?? undefined, completed_at: input.completed_at, status: input.status });
    this.checkRuns.set(id, run);
    this.emitCheckRun("created", run);
    if (run.status === "completed") this.emitCheckRun("completed", run);
    return run;
  }

  private applyCheckRun(run: CheckRunRecord, patch: CheckRunPatch): void {
    if (patch.name !== undefined) run.name = patch.name;
    if (patch.details_url !== undefined) run.detailsUrl = patch.details_url;
    if (patch.external_id !== undefined) run.externalId = patch.external_id;
    if (patch.started_at !== undefined) run.startedAt = patch.started_at;
    if (patch.status !== undefined) run.status = patch.status;
    if (patch.output) {
      run.output = {
        title: patch.output.title ?? run.output.title,
        summary: patch.output.summary ?? run.output.summary,
        text: patch.output.text ?? run.output.text,
      };
    }
    // "Providing conclusion will automatically set the status parameter to completed"
    if (patch.conclusion !== undefined && patch.conclusion !== null) {
      run.conclusion = patch.conclusion;
      run.status = "completed";
    }
    if (run.status === "completed") {
      if (run.conclusion === null) throw new StoreError(422, "Validation Failed", [{ resource: "CheckRun", field: "conclusion", code: "missing_field" }]);
      run.completedAt = patch.completed_at ?? run.completedAt ?? this.now();
    }
  }

  private emitCheckRun(action: string, run: CheckRunRecord): void {
    const repo = this.repos.get(`${run.owner}/${run.repo}`)!;
    this.emit("check_run", { action, check_run: this.checkRunJson(run), repository: repoJson(this.ctx, repo) });
  }

  updateCheckRun(owner: string, name: string, id: number, patch: CheckRunPatch): CheckRunRecord {
    const run = this.getCheckRun(owner, name, id);
    const wasCompleted = run.status === "completed";
    const before = { ...run, output: { ...run.output } };
    try {
      this.applyCheckRun(run, patch);
    } catch (e) {
      Object.assign(run, before);
      throw e;
    }
    if (!wasCompleted && run.status === "completed") this.emitCheckRun("completed", run);
    return run;
  }

  /** the local CI's end of a job: conclusion, output, and the job's log (its tail kept) */
  completeCheckRun(id: number, result: { conclusion: string; output?: Partial<CheckRunOutput> }, log?: string): CheckRunRecord {
    const run = this.checkRuns.get(id);
    if (!run) throw new StoreError(404, "Not Found");
    if (log !== undefined) this.setJobLog(id, log);
    return this.updateCheckRun(run.owner, run.repo, id, { conclusion: result.conclusion, output: result.output, status: "completed" });
  }

  /** replaces the log of the Actions job behind check run `id` */
  setJobLog(id: number, text: string): void {
    const run = this.checkRuns.get(id);
    if (!run || run.jobId === null) throw new StoreError(404, "Not Found");
    const bytes = Buffer.from(text, "utf8");
    const kept = bytes.length > this.maxLogBytes ? bytes.subarray(bytes.length - this.maxLogBytes).toString("utf8") : text;
    const old = this.jobLogs.get(run.jobId);
    const key = old?.key ?? randomBytes(16).toString("hex");
    this.jobLogs.set(run.jobId, { owner: run.owner, repo: run.repo, text: kept, key });
    this.logKeys.set(key, run.jobId);
  }

  getCheckRun(owner: string, name: string, id: number): CheckRunRecord {
    this.repo(owner, name);
    const run = this.checkRuns.get(id);
    if (!run || run.owner !== owner || run.repo !== name) throw new StoreError(404, "Not Found");
    return run;
  }

  /** check runs for a sha, branch or tag; GitHub's default `filter=latest` keeps the newest per name */
  async listCheckRuns(owner: string, name: string, ref: string, filter: { check_name?: string; status?: string; filter?: string } = {}): Promise<CheckRunRecord[]> {
    const repo = this.repo(owner, name);
    let sha = SHA.test(ref) ? ref : null;
    if (!sha) {
      const refs = await readRefs(repoDir(this.root, repo.owner, repo.name));
      sha = refs.get(`refs/heads/${ref}`) ?? refs.get(`refs/tags/${ref}`) ?? refs.get(ref) ?? null;
      if (!sha) throw new StoreError(422, `No commit found for SHA: ${ref}`);
    }
    let runs = [...this.checkRuns.values()].filter((r) => r.owner === owner && r.repo === name && r.headSha === sha);
    if (filter.check_name) runs = runs.filter((r) => r.name === filter.check_name);
    if (filter.status) runs = runs.filter((r) => r.status === filter.status);
    if (filter.filter !== "all") {
      const newest = new Map<string, CheckRunRecord>();
      for (const r of runs) if ((newest.get(r.name)?.id ?? 0) < r.id) newest.set(r.name, r);
      runs = [...newest.values()];
    }
    return runs.sort((a, b) => b.id - a.id);
  }

  /**
   * The local CI's ChecksSink (scripts/local/ci/local-ci.ts): its check runs
   * land here under the CI's own ids (the ids its webhooks carry), as
   * github-actions jobs (job id = check run id, run id = its workflow run),
   * with the test output as the job log. Start the CI with a `firstId` above
   * the ids this store has handed out (e.g. 1_000_000), as both count up.
   */
  checksSink(): ChecksSink {
    const create = (run: LocalCheckRun) =>
      this.createCheckRun(run.owner, run.repo, {
        id: run.id,
        run_id: run.workflowRunId,
        check_suite_id: run.checkSuiteId,
        name: run.name,
        head_sha: run.headSha,
        status: "in_progress",
        started_at: run.startedAt,
        output: run.output,
      });
    return {
      created: (run) => void create(run),
      completed: (run) => {
        if (!this.checkRuns.has(run.id)) create(run);
        this.setJobLog(run.id, run.log);
        this.updateCheckRun(run.owner, run.repo, run.id, {
          status: "completed",
          conclusion: run.conclusion ?? "neutral",
          completed_at: run.completedAt ?? undefined,
          output: { title: run.output.title, summary: run.output.summary, text: run.output.text ?? undefined },
        });
      },
    };
  }

  /** the local CI's `pullsFor`: open pull requests from `branch` */
  pullsFor(owner: string, name: string, sha: string, branch: string): CiPullRef[] {
    const repo = this.repos.get(`${owner}/${name}`);
    if (!repo) return [];
    return [...repo.pulls.values()]
      .filter((p) => p.state === "open" && p.headRef === branch)
      .map((p) => ({ number: p.number, headRef: p.headRef, baseRef: p.baseRef, baseSha: p.baseSha, headSha: sha }));
  }

  /** the download key of a job's log (GET …/actions/jobs/{id}/logs redirects to it), or null */
  jobLogKey(owner: string, name: string, jobId: number): string | null {
    this.repo(owner, name);
    const log = this.jobLogs.get(jobId);
    return log && log.owner === owner && log.repo === name ? log.key : null;
  }

  jobLogByKey(key: string): string | null {
    const id = this.logKeys.get(key);
    return id === undefined ? null : (this.jobLogs.get(id)?.text ?? null);
  }
}
