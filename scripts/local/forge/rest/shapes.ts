/**
 * The local forge's records as GitHub's REST API answers them: the fields of
 * GitHub's `pull-request`, `issue-comment`, `pull-request-review`,
 * `pull-request-review-comment`, `check-run`, `label` and repository objects
 * that octokit, our client and a webhook receiver read (ids, numbers, urls,
 * users, states, shas, timestamps). Fields the forge does not model are
 * present with GitHub's neutral value (null, 0, [], false).
 *
 * Contract: pure functions of (context, record) → JSON; the context carries
 * the forge's base URLs and the user-id table.
 */
import type { CheckRunRecord, IssueCommentRecord, PullRecord, RepoRecord, ReviewCommentRecord, ReviewRecord } from "./records";

export interface ShapeContext {
  /** e.g. http://127.0.0.1:8791/api/v3 */
  apiBase: string;
  /** e.g. http://127.0.0.1:8791 */
  htmlBase: string;
  userId(login: string): number;
}

export function userJson(ctx: ShapeContext, login: string) {
  const id = ctx.userId(login);
  const bot = login.endsWith("[bot]");
  return {
    login,
    id,
    node_id: `U_local${id}`,
    avatar_url: `${ctx.htmlBase}/avatars/${encodeURIComponent(login)}`,
    gravatar_id: "",
    url: `${ctx.apiBase}/users/${encodeURIComponent(login)}`,
    html_url: `${ctx.htmlBase}/${encodeURIComponent(login)}`,
    followers_url: `${ctx.apiBase}/users/${encodeURIComponent(login)}/followers`,
    following_url: `${ctx.apiBase}/users/${encodeURIComponent(login)}/following{/other_user}`,
    gists_url: `${ctx.apiBase}/users/${encodeURIComponent(login)}/gists{/gist_id}`,
    starred_url: `${ctx.apiBase}/users/${encodeURIComponent(login)}/starred{/owner}{/repo}`,
    subscriptions_url: `${ctx.apiBase}/users/${encodeURIComponent(login)}/subscriptions`,
    organizations_url: `${ctx.apiBase}/users/${encodeURIComponent(login)}/orgs`,
    repos_url: `${ctx.apiBase}/users/${encodeURIComponent(login)}/repos`,
    events_url: `${ctx.apiBase}/users/${encodeURIComponent(login)}/events{/privacy}`,
    received_events_url: `${ctx.apiBase}/users/${encodeURIComponent(login)}/received_events`,
    type: bot ? "Bot" : "User",
    site_admin: false,
  };
}

export function repoJson(ctx: ShapeContext, repo: RepoRecord) {
  const full = `${repo.owner}/${repo.name}`;
  const api = `${ctx.apiBase}/repos/${full}`;
  const templated: Record<string, string> = {};
  for (const [field, suffix] of REPO_URLS) templated[field] = `${api}${suffix}`;
  return {
    id: repo.id,
    node_id: `R_local${repo.id}`,
    name: repo.name,
    full_name: full,
    private: false,
    owner: userJson(ctx, repo.owner),
    html_url: `${ctx.htmlBase}/${full}`,
    description: null,
    fork: false,
    url: api,
    ...templated,
    clone_url: `${ctx.htmlBase}/${full}.git`,
    git_url: `${ctx.htmlBase}/${full}.git`,
    ssh_url: `${ctx.htmlBase}/${full}.git`,
    svn_url: `${ctx.htmlBase}/${full}`,
    mirror_url: null,
    homepage: null,
    language: null,
    license: null,
    default_branch: "main",
    visibility: "public",
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    open_issues: 0,
    open_issues_count: 0,
    has_downloads: false,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    archived: false,
    disabled: false,
    pushed_at: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

/** the repository object's URL fields, after `<api>/repos/<o>/<r>` */
const REPO_URLS: [string, string][] = [
  ["archive_url", "/{archive_format}{/ref}"],
  ["assignees_url", "/assignees{/user}"],
  ["blobs_url", "/git/blobs{/sha}"],
  ["branches_url", "/branches{/branch}"],
  ["collaborators_url", "/collaborators{/collaborator}"],
  ["comments_url", "/comments{/number}"],
  ["commits_url", "/commits{/sha}"],
  ["compare_url", "/compare/{base}...{head}"],
  ["contents_url", "/contents/{+path}"],
  ["contributors_url", "/contributors"],
  ["deployments_url", "/deployments"],
  ["downloads_url", "/downloads"],
  ["events_url", "/events"],
  ["forks_url", "/forks"],
  ["git_commits_url", "/git/commits{/sha}"],
  ["git_refs_url", "/git/refs{/sha}"],
  ["git_tags_url", "/git/tags{/sha}"],
  ["hooks_url", "/hooks"],
  ["issue_comment_url", "/issues/comments{/number}"],
  ["issue_events_url", "/issues/events{/number}"],
  ["issues_url", "/issues{/number}"],
  ["keys_url", "/keys{/key_id}"],
  ["labels_url", "/labels{/name}"],
  ["languages_url", "/languages"],
  ["merges_url", "/merges"],
  ["milestones_url", "/milestones{/number}"],
  ["notifications_url", "/notifications{?since,all,participating}"],
  ["pulls_url", "/pulls{/number}"],
  ["releases_url", "/releases{/id}"],
  ["stargazers_url", "/stargazers"],
  ["statuses_url", "/statuses/{sha}"],
  ["subscribers_url", "/subscribers"],
  ["subscription_url", "/subscription"],
  ["tags_url", "/tags"],
  ["teams_url", "/teams"],
  ["trees_url", "/git/trees{/sha}"],
];

function pullUrls(ctx: ShapeContext, repo: RepoRecord, number: number) {
  const api = `${ctx.apiBase}/repos/${repo.owner}/${repo.name}`;
  const html = `${ctx.htmlBase}/${repo.owner}/${repo.name}/pull/${number}`;
  return { api, html, url: `${api}/pulls/${number}`, issue: `${api}/issues/${number}` };
}

export function labelJson(ctx: ShapeContext, repo: RepoRecord, name: string) {
  const id = repo.labelIds.get(name) ?? 0;
  return {
    id,
    node_id: `LA_local${id}`,
    url: `${ctx.apiBase}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: "ededed",
    default: false,
  };
}

export function pullJson(ctx: ShapeContext, repo: RepoRecord, pr: PullRecord, counts = { comments: 0, reviewComments: 0 }) {
  const u = pullUrls(ctx, repo, pr.number);
  const repository = repoJson(ctx, repo);
  // computed for the current (base, head) only; after either moved GitHub says null until it knows
  const mergeable = pr.state === "open" && pr.mergeableFor === `${pr.baseSha}:${pr.headSha}` ? pr.mergeable : null;
  const branch = (ref: string, sha: string) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: userJson(ctx, repo.owner),
    repo: repository,
  });
  return {
    url: u.url,
    id: pr.id,
    node_id: `PR_local${pr.id}`,
    html_url: u.html,
    diff_url: `${u.html}.diff`,
    patch_url: `${u.html}.patch`,
    issue_url: u.issue,
    commits_url: `${u.url}/commits`,
    review_comments_url: `${u.url}/comments`,
    review_comment_url: `${u.api}/pulls/comments{/number}`,
    comments_url: `${u.issue}/comments`,
    statuses_url: `${u.api}/statuses/${pr.headSha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: userJson(ctx, pr.user.login),
    body: pr.body,
    labels: pr.labels.map((l) => labelJson(ctx, repo, l)),
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: pr.requestedReviewers.map((r) => userJson(ctx, r)),
    requested_teams: pr.requestedTeams.map((slug, i) => ({
      id: i + 1,
      node_id: `T_local${i + 1}`,
      url: `${ctx.apiBase}/orgs/${repo.owner}/teams/${slug}`,
      html_url: `${ctx.htmlBase}/orgs/${repo.owner}/teams/${slug}`,
      name: slug,
      slug,
      description: null,
      privacy: "closed",
      notification_setting: "notifications_enabled",
      permission: "pull",
      type: "organization",
      members_url: `${ctx.apiBase}/orgs/${repo.owner}/teams/${slug}/members{/member}`,
      repositories_url: `${ctx.apiBase}/orgs/${repo.owner}/teams/${slug}/repos`,
      parent: null,
    })),
    head: branch(pr.headRef, pr.headSha),
    base: branch(pr.baseRef, pr.baseSha),
    _links: {
      self: { href: u.url },
      html: { href: u.html },
      issue: { href: u.issue },
      comments: { href: `${u.issue}/comments` },
      review_comments: { href: `${u.url}/comments` },
      review_comment: { href: `${u.api}/pulls/comments{/number}` },
      commits: { href: `${u.url}/commits` },
      statuses: { href: `${u.api}/statuses/${pr.headSha}` },
    },
    author_association: pr.user.association,
    auto_merge: null,
    draft: pr.draft,
    merged: pr.merged,
    mergeable,
    rebaseable: null,
    mergeable_state: mergeable === null ? "unknown" : !mergeable ? "dirty" : pr.draft ? "draft" : "clean",
    merged_by: pr.mergedBy ? userJson(ctx, pr.mergedBy) : null,
    comments: counts.comments,
    review_comments: counts.reviewComments,
    maintainer_can_modify: pr.maintainerCanModify,
    commits: 0,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

export function issueCommentJson(ctx: ShapeContext, repo: RepoRecord, c: IssueCommentRecord) {
  const api = `${ctx.apiBase}/repos/${repo.owner}/${repo.name}`;
  return {
    id: c.id,
    node_id: `IC_local${c.id}`,
    url: `${api}/issues/comments/${c.id}`,
    html_url: `${ctx.htmlBase}/${repo.owner}/${repo.name}/pull/${c.number}#issuecomment-${c.id}`,
    body: c.body,
    user: userJson(ctx, c.user.login),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${api}/issues/${c.number}`,
    author_association: c.user.association,
    performed_via_github_app: null,
  };
}

export function reviewJson(ctx: ShapeContext, repo: RepoRecord, r: ReviewRecord) {
  const u = pullUrls(ctx, repo, r.number);
  return {
    id: r.id,
    node_id: `PRR_local${r.id}`,
    user: userJson(ctx, r.user.login),
    body: r.body,
    state: r.state,
    html_url: `${u.html}#pullrequestreview-${r.id}`,
    pull_request_url: u.url,
    _links: { html: { href: `${u.html}#pullrequestreview-${r.id}` }, pull_request: { href: u.url } },
    submitted_at: r.submittedAt,
    commit_id: r.commitId,
    author_association: r.user.association,
  };
}

export function reviewCommentJson(ctx: ShapeContext, repo: RepoRecord, c: ReviewCommentRecord) {
  const u = pullUrls(ctx, repo, c.number);
  const self = `${u.api}/pulls/comments/${c.id}`;
  const html = `${u.html}#discussion_r${c.id}`;
  return {
    url: self,
    pull_request_review_id: c.reviewId,
    id: c.id,
    node_id: `PRRC_local${c.id}`,
    diff_hunk: "",
    path: c.path,
    position: c.line,
    original_position: c.line,
    commit_id: c.commitId,
    original_commit_id: c.commitId,
    ...(c.inReplyTo !== null ? { in_reply_to_id: c.inReplyTo } : {}),
    user: userJson(ctx, c.user.login),
    body: c.body,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    html_url: html,
    pull_request_url: u.url,
    author_association: c.user.association,
    _links: { self: { href: self }, html: { href: html }, pull_request: { href: u.url } },
    start_line: null,
    original_start_line: null,
    start_side: null,
    line: c.line,
    original_line: c.line,
    side: c.side,
    subject_type: "line",
  };
}

/** GitHub's pull-request-minimal, as check runs and suites list the open PRs whose head they ran on */
export function pullMinimalJson(ctx: ShapeContext, repo: RepoRecord, pr: PullRecord) {
  const api = `${ctx.apiBase}/repos/${repo.owner}/${repo.name}`;
  const r = { id: repo.id, url: api, name: repo.name };
  return {
    id: pr.id,
    number: pr.number,
    url: `${api}/pulls/${pr.number}`,
    head: { ref: pr.headRef, sha: pr.headSha, repo: r },
    base: { ref: pr.baseRef, sha: pr.baseSha, repo: r },
  };
}

/** `pulls`: the open pull requests whose head is the run's sha (GitHub's check_run.pull_requests) */
export function checkRunJson(ctx: ShapeContext, c: CheckRunRecord, appId: (slug: string) => number, repo: RepoRecord, pulls: PullRecord[] = []) {
  const api = `${ctx.apiBase}/repos/${c.owner}/${c.repo}`;
  const id = appId(c.appSlug);
  return {
    id: c.id,
    head_sha: c.headSha,
    node_id: `CR_local${c.id}`,
    external_id: c.externalId ?? "",
    url: `${api}/check-runs/${c.id}`,
    html_url: `${ctx.htmlBase}/${c.owner}/${c.repo}/runs/${c.id}`,
    details_url: c.detailsUrl,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: c.output.title,
      summary: c.output.summary,
      text: c.output.text,
      annotations_count: 0,
      annotations_url: `${api}/check-runs/${c.id}/annotations`,
    },
    name: c.name,
    // GitHub's REST check_suite is {id}; webhooks carry head_branch / head_sha too
    check_suite: { id: c.checkSuiteId, head_branch: pulls[0]?.headRef ?? null, head_sha: c.headSha },
    app: {
      id,
      slug: c.appSlug,
      node_id: `A_local${id}`,
      owner: userJson(ctx, c.owner),
      name: c.appSlug === "github-actions" ? "GitHub Actions" : c.appSlug,
      description: null,
      external_url: ctx.htmlBase,
      html_url: `${ctx.htmlBase}/apps/${c.appSlug}`,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
      permissions: {},
      events: [],
    },
    pull_requests: pulls.map((pr) => pullMinimalJson(ctx, repo, pr)),
  };
}

