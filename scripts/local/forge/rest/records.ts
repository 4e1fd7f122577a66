/**
 * The local forge's in-memory records: what the store keeps per repository
 * (pull requests, comments, reviews, check runs). Plain data; the JSON that
 * GitHub's REST API answers is made from them by ./shapes.ts.
 */

/** Who did something, and how GitHub would relate them to the repository. */
export interface Actor {
  login: string;
  /** OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, NONE */
  association: string;
}

export interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: Actor;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  /** whether head merges into base cleanly, computed for `mergeableFor` (`<baseSha>:<headSha>`); stale = not computed yet (null) */
  mergeable: boolean | null;
  mergeableFor: string | null;
  maintainerCanModify: boolean;
  labels: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface IssueCommentRecord {
  id: number;
  number: number;
  user: Actor;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface ReviewRecord {
  id: number;
  number: number;
  user: Actor;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING */
  state: string;
  body: string;
  commitId: string;
  submittedAt: string;
}

export interface ReviewCommentRecord {
  id: number;
  number: number;
  reviewId: number | null;
  user: Actor;
  body: string;
  path: string;
  line: number | null;
  side: "LEFT" | "RIGHT";
  commitId: string;
  inReplyTo: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface CheckRunOutput {
  title: string | null;
  summary: string | null;
  text: string | null;
}

export interface CheckRunRecord {
  id: number;
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  output: CheckRunOutput;
  detailsUrl: string | null;
  externalId: string | null;
  /** the GitHub App that owns the check: `github-actions` for the local CI */
  appSlug: string;
  /** the Actions workflow run and job behind it (GitHub: job id = check run id), else null */
  runId: number | null;
  jobId: number | null;
  checkSuiteId: number;
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  /** pull and issue numbers share one sequence, as on GitHub */
  nextNumber: number;
  pulls: Map<number, PullRecord>;
  issueComments: IssueCommentRecord[];
  reviews: ReviewRecord[];
  reviewComments: ReviewCommentRecord[];
  labelIds: Map<string, number>;
}
