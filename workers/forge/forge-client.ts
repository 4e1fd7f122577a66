/**
 * The forge seam: what the fix loop asks of GitHub (or of the local forge
 * that mirrors GitHub's REST API for the embedded default). Stages see only
 * this interface; the face (a GitHub App installation, or a token against
 * the local forge) is chosen once in forge/from-env.ts.
 *
 * Contract:
 * - Every method is one or a few REST calls of GitHub's public API; request
 *   bodies are the documented ones (the local forge checks them against
 *   @octokit/openapi and answers 422 otherwise).
 * - Nothing here merges, approves, or enables auto-merge: those calls do not
 *   exist on this interface.
 * - Failures throw `ForgeError` with a machine-readable `reason` and the HTTP
 *   status (0 when the forge was never reached); `retryable` says whether the
 *   same call may succeed later (5xx, 429, secondary rate limits, network).
 * - Text returned from the forge (PR bodies, comments, check output, logs) is
 *   untrusted: callers fence it before it reaches a prompt.
 */

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRef {
  number: number;
  /** the API URL of the pull request */
  url: string;
  /** the page a person opens */
  htmlUrl: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  /** the base branch's commit the forge compared against ("" when the forge did not say) */
  baseSha: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
  /** when merged, the merge commit */
  mergeCommitSha: string | null;
  /**
   * GitHub's `mergeable`: whether head merges into base without conflicts;
   * null while the forge has not computed it yet (it does so in the
   * background after the head or the base moved), and in lists
   */
  mergeable: boolean | null;
  /** who opened it: for the fix loop's pull requests, nightshift itself (the App's bot, the local forge's token user) */
  author: string;
}

export interface NewPull {
  title: string;
  body: string;
  /** the pushed branch, e.g. nightshift/rep_123 */
  head: string;
  /** the branch it targets, e.g. main */
  base: string;
}

export interface CheckRunSummary {
  id: number;
  name: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  /** set when completed: success, failure, neutral, cancelled, skipped, timed_out, action_required, stale */
  conclusion: string | null;
  headSha: string;
  /** the check's own report: output.title / summary / text (untrusted) */
  title: string | null;
  summary: string | null;
  text: string | null;
  detailsUrl: string | null;
}

export interface ReviewComment {
  id: number;
  /** "review" (a submitted review's body), "review_comment" (on a line), "issue_comment" (on the conversation) */
  kind: "review" | "review_comment" | "issue_comment";
  author: string;
  /** GitHub's author_association: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, … */
  authorAssociation: string;
  /** for reviews: APPROVED, CHANGES_REQUESTED, COMMENTED, … */
  reviewState: string | null;
  body: string;
  path: string | null;
  line: number | null;
  /** the thread a review comment answers (in_reply_to_id), else null */
  inReplyTo: number | null;
  createdAt: string;
}

export interface ForgeClient {
  readonly face: "github" | "local";
  /** where the Workspace clones and pushes: an https/http URL without credentials */
  cloneUrl(repo: RepoRef): string;
  /** the token the Worker adds to pushes to cloneUrl (an installation token or the local forge's), never given to a sandbox */
  pushToken(repo: RepoRef): Promise<string>;
  /** the open pull request from `head`, if one exists (so a retried run does not open a second) */
  findOpenPull(repo: RepoRef, head: string): Promise<PullRef | null>;
  /** opens a draft pull request */
  openDraftPull(repo: RepoRef, pull: NewPull): Promise<PullRef>;
  getPull(repo: RepoRef, number: number): Promise<PullRef>;
  /** replaces the pull request's body (after a new push, the tests section changes) */
  updatePullBody(repo: RepoRef, number: number, body: string): Promise<void>;
  requestReviewers(repo: RepoRef, number: number, reviewers: { users: string[]; teams: string[] }): Promise<void>;
  addLabels(repo: RepoRef, number: number, labels: string[]): Promise<void>;
  /** a comment on the pull request's conversation */
  comment(repo: RepoRef, number: number, body: string): Promise<{ id: number }>;
  /** a reply in a review comment's thread */
  replyToReviewComment(repo: RepoRef, number: number, commentId: number, body: string): Promise<{ id: number }>;
  /** check runs on a commit (all pages) */
  checkRuns(repo: RepoRef, sha: string): Promise<CheckRunSummary[]>;
  /** the plain-text log of the Actions job behind a check run, its last `maxBytes`; null when it has none (a third-party check) */
  checkRunLog(repo: RepoRef, checkRunId: number, maxBytes: number): Promise<string | null>;
  /** reviews, review comments and conversation comments on the pull request, oldest first */
  feedback(repo: RepoRef, number: number): Promise<ReviewComment[]>;
}

export class ForgeError extends Error {
  constructor(
    /** e.g. not_found, unauthorized, forbidden, validation_failed, rate_limited, conflict, server_error, network, bad_response */
    readonly reason: string,
    message: string,
    readonly status = 0,
    readonly retryable = false,
  ) {
    super(message);
    this.name = "ForgeError";
  }
}
