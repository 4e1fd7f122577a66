/**
 * GitHub webhook payloads for one local CI run, shaped like GitHub Actions'
 * own: `check_run` (created / completed), `check_suite` (completed) and
 * `workflow_run` (completed). The field set is the one
 * @octokit/webhooks-examples shows for those events (the values are local:
 * ids from the caller, URLs under `urls.api` / `urls.web`); nightshift's
 * zod schemas (workers/ingest/sources/github/payloads.ts) accept them and
 * forge-events.ts records the failed ones. test/unit/local-ci-payloads.test.ts
 * holds both to that.
 *
 * `pull_requests` lists the pull requests the head commit belongs to, as
 * GitHub does ({url, id, number, head: {ref, sha, repo}, base: {ref, sha,
 * repo}}); the caller says which. Pure functions: no I/O, no clock (every
 * timestamp comes in `facts`).
 */

export type CiStatus = "queued" | "in_progress" | "completed";
export type CiConclusion = "success" | "failure" | "cancelled" | "timed_out" | "neutral" | "skipped" | "action_required" | "startup_failure";

export interface CiRepository {
  owner: string;
  name: string;
  /** numeric id; default a stable number derived from owner/name */
  id?: number;
  ownerType?: "User" | "Organization";
  private?: boolean;
  defaultBranch?: string;
  /** the clone URL to advertise (the local forge's), default `<web>/<owner>/<name>.git` */
  cloneUrl?: string;
}

export interface CiActor {
  login: string;
  id: number;
  type: "User" | "Bot" | "Organization";
}

export interface CiPullRef {
  number: number;
  headRef: string;
  baseRef: string;
  baseSha: string;
  /** default: the run's head sha */
  headSha?: string;
}

export interface CiCommit {
  treeId: string;
  message: string;
  timestamp: string;
  author: { name: string; email: string };
  committer: { name: string; email: string };
}

export interface CiRunFacts {
  repository: CiRepository;
  /** bases without a trailing slash, e.g. http://127.0.0.1:8792/api/v3 and http://127.0.0.1:8792 */
  urls: { api: string; web: string };
  installationId: number;
  sender: CiActor;
  headSha: string;
  headBranch: string;
  /** the branch's previous head (the push's `before`); null when unknown or new */
  before: string | null;
  headCommit: CiCommit | null;
  pullRequests: CiPullRef[];
  checkRunId: number;
  checkSuiteId: number;
  workflowRunId: number;
  workflowId: number;
  runNumber: number;
  /** the job's name = the check run's name */
  checkName: string;
  workflowName: string;
  /** e.g. .github/workflows/ci.yml */
  workflowPath: string;
  /** what triggered the run, e.g. push */
  trigger: string;
  status: CiStatus;
  conclusion: CiConclusion | null;
  createdAt: string;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
}

/** GitHub Actions' app, as check runs and suites name it. */
const ACTIONS_APP_ID = 15368;
const ACTIONS_APP_SLUG = "github-actions";

/** A stable positive 31-bit number for a name (FNV-1a), for ids the caller did not give. */
export function stableId(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 2_000_000_000) + 1;
}

function nodeId(kind: string, id: number): string {
  return Buffer.from(`0:${kind}${id}`).toString("base64");
}

function userObject(web: string, api: string, actor: { login: string; id: number; type: string }) {
  const u = `${api}/users/${actor.login}`;
  return {
    login: actor.login,
    id: actor.id,
    node_id: nodeId(actor.type, actor.id),
    avatar_url: `${web}/${actor.login}.png`,
    gravatar_id: "",
    url: u,
    html_url: `${web}/${actor.login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: actor.type,
    site_admin: false,
  };
}

function repoId(r: CiRepository): number {
  return r.id ?? stableId(`${r.owner}/${r.name}`);
}

function ownerActor(r: CiRepository) {
  return { login: r.owner, id: stableId(`owner:${r.owner}`), type: r.ownerType ?? "Organization" };
}

/** The short repository object (workflow_run.repository, head_repository). */
function minimalRepository(f: CiRunFacts) {
  const r = f.repository;
  const { api, web } = f.urls;
  const full = `${r.owner}/${r.name}`;
  const u = `${api}/repos/${full}`;
  return {
    id: repoId(r),
    node_id: nodeId("Repository", repoId(r)),
    name: r.name,
    full_name: full,
    private: r.private ?? true,
    owner: userObject(web, api, ownerActor(r)),
    html_url: `${web}/${full}`,
    description: null,
    fork: false,
    url: u,
    forks_url: `${u}/forks`,
    keys_url: `${u}/keys{/key_id}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    teams_url: `${u}/teams`,
    hooks_url: `${u}/hooks`,
    issue_events_url: `${u}/issues/events{/number}`,
    events_url: `${u}/events`,
    assignees_url: `${u}/assignees{/user}`,
    branches_url: `${u}/branches{/branch}`,
    tags_url: `${u}/tags`,
    blobs_url: `${u}/git/blobs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    trees_url: `${u}/git/trees{/sha}`,
    statuses_url: `${u}/statuses/{sha}`,
    languages_url: `${u}/languages`,
    stargazers_url: `${u}/stargazers`,
    contributors_url: `${u}/contributors`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    commits_url: `${u}/commits{/sha}`,
    git_commits_url: `${u}/git/commits{/sha}`,
    comments_url: `${u}/comments{/number}`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    contents_url: `${u}/contents/{+path}`,
    compare_url: `${u}/compare/{base}...{head}`,
    merges_url: `${u}/merges`,
    archive_url: `${u}/{archive_format}{/ref}`,
    downloads_url: `${u}/downloads`,
    issues_url: `${u}/issues{/number}`,
    pulls_url: `${u}/pulls{/number}`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    labels_url: `${u}/labels{/name}`,
    releases_url: `${u}/releases{/id}`,
    deployments_url: `${u}/deployments`,
  };
}

/** The full repository object at the top of every payload. */
function fullRepository(f: CiRunFacts) {
  const r = f.repository;
  const full = `${r.owner}/${r.name}`;
  const host = hostOf(f.urls.web);
  return {
    ...minimalRepository(f),
    created_at: f.createdAt,
    updated_at: f.createdAt,
    pushed_at: f.createdAt,
    git_url: `git://${host}/${full}.git`,
    ssh_url: `git@${host}:${full}.git`,
    clone_url: r.cloneUrl ?? `${f.urls.web}/${full}.git`,
    svn_url: `${f.urls.web}/${full}`,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: false,
    has_downloads: false,
    has_wiki: false,
    has_pages: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: r.defaultBranch ?? "main",
    is_template: false,
    topics: [] as string[],
    visibility: (r.private ?? true) ? "private" : "public",
    web_commit_signoff_required: false,
    custom_properties: {},
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "localhost";
  }
}

function actionsApp(f: CiRunFacts) {
  return {
    id: ACTIONS_APP_ID,
    slug: ACTIONS_APP_SLUG,
    node_id: nodeId("App", ACTIONS_APP_ID),
    owner: userObject(f.urls.web, f.urls.api, { login: "github", id: 9919, type: "Organization" }),
    name: "GitHub Actions",
    description: "Automate your workflow from idea to production",
    external_url: `${f.urls.web}/features/actions`,
    html_url: `${f.urls.web}/apps/${ACTIONS_APP_SLUG}`,
    created_at: "2018-07-30T09:30:17Z",
    updated_at: "2019-12-10T19:04:12Z",
    permissions: { actions: "write", checks: "write", contents: "write", metadata: "read", pull_requests: "write", statuses: "write" },
    events: ["check_run", "check_suite", "pull_request", "push", "workflow_dispatch"],
  };
}

function pullRequests(f: CiRunFacts) {
  const repoRef = { id: repoId(f.repository), url: `${f.urls.api}/repos/${f.repository.owner}/${f.repository.name}`, name: f.repository.name };
  return f.pullRequests.map((pr) => ({
    url: `${repoRef.url}/pulls/${pr.number}`,
    id: stableId(`pr:${f.repository.owner}/${f.repository.name}#${pr.number}`),
    number: pr.number,
    head: { ref: pr.headRef, sha: pr.headSha ?? f.headSha, repo: repoRef },
    base: { ref: pr.baseRef, sha: pr.baseSha, repo: repoRef },
  }));
}

function headCommit(f: CiRunFacts) {
  const c = f.headCommit;
  if (!c) return null;
  return { id: f.headSha, tree_id: c.treeId, message: c.message, timestamp: c.timestamp, author: c.author, committer: c.committer };
}

function repoApi(f: CiRunFacts): string {
  return `${f.urls.api}/repos/${f.repository.owner}/${f.repository.name}`;
}

function suiteStatus(f: CiRunFacts) {
  return { status: f.status, conclusion: f.status === "completed" ? f.conclusion : null };
}

function installation(f: CiRunFacts) {
  return { id: f.installationId, node_id: nodeId("Installation", f.installationId) };
}

/** the check suite as a check_run payload embeds it; check_suite payloads add their own fields */
function suiteObject(f: CiRunFacts) {
  return {
    id: f.checkSuiteId,
    node_id: nodeId("CheckSuite", f.checkSuiteId),
    head_branch: f.headBranch,
    head_sha: f.headSha,
    ...suiteStatus(f),
    url: `${repoApi(f)}/check-suites/${f.checkSuiteId}`,
    before: f.before,
    after: f.headSha,
    pull_requests: pullRequests(f),
    app: actionsApp(f),
    created_at: f.createdAt,
    updated_at: f.completedAt ?? f.startedAt,
  };
}

export function checkRunPayload(action: "created" | "completed", f: CiRunFacts) {
  const api = repoApi(f);
  const web = `${f.urls.web}/${f.repository.owner}/${f.repository.name}`;
  const prs = pullRequests(f);
  const app = actionsApp(f);
  return {
    action,
    check_run: {
      id: f.checkRunId,
      node_id: nodeId("CheckRun", f.checkRunId),
      head_sha: f.headSha,
      external_id: `local-ci-${f.workflowRunId}`,
      url: `${api}/check-runs/${f.checkRunId}`,
      html_url: `${web}/actions/runs/${f.workflowRunId}/job/${f.checkRunId}`,
      details_url: `${web}/actions/runs/${f.workflowRunId}/job/${f.checkRunId}`,
      status: f.status,
      conclusion: f.status === "completed" ? f.conclusion : null,
      started_at: f.startedAt,
      completed_at: f.status === "completed" ? f.completedAt : null,
      output: {
        title: f.output.title,
        summary: f.output.summary,
        text: f.output.text,
        annotations_count: 0,
        annotations_url: `${api}/check-runs/${f.checkRunId}/annotations`,
      },
      name: f.checkName,
      check_suite: suiteObject(f),
      app,
      pull_requests: prs,
    },
    repository: fullRepository(f),
    sender: userObject(f.urls.web, f.urls.api, f.sender),
    installation: installation(f),
  };
}

export function checkSuitePayload(f: CiRunFacts) {
  const api = repoApi(f);
  return {
    action: "completed",
    check_suite: {
      ...suiteObject(f),
      latest_check_runs_count: 1,
      check_runs_url: `${api}/check-suites/${f.checkSuiteId}/check-runs`,
      head_commit: headCommit(f),
    },
    repository: fullRepository(f),
    sender: userObject(f.urls.web, f.urls.api, f.sender),
    installation: installation(f),
  };
}

export function workflowRunPayload(f: CiRunFacts) {
  const api = repoApi(f);
  const runUrl = `${api}/actions/runs/${f.workflowRunId}`;
  const web = `${f.urls.web}/${f.repository.owner}/${f.repository.name}`;
  const sender = userObject(f.urls.web, f.urls.api, f.sender);
  const commit = headCommit(f);
  return {
    action: "completed",
    workflow: {
      badge_url: `${web}/workflows/${encodeURIComponent(f.workflowName)}/badge.svg`,
      created_at: f.createdAt,
      html_url: `${web}/blob/${f.repository.defaultBranch ?? "main"}/${f.workflowPath}`,
      id: f.workflowId,
      name: f.workflowName,
      node_id: nodeId("Workflow", f.workflowId),
      path: f.workflowPath,
      state: "active",
      updated_at: f.createdAt,
      url: `${api}/actions/workflows/${f.workflowId}`,
    },
    workflow_run: {
      actor: sender,
      artifacts_url: `${runUrl}/artifacts`,
      cancel_url: `${runUrl}/cancel`,
      check_suite_id: f.checkSuiteId,
      check_suite_node_id: nodeId("CheckSuite", f.checkSuiteId),
      check_suite_url: `${api}/check-suites/${f.checkSuiteId}`,
      conclusion: f.status === "completed" ? f.conclusion : null,
      created_at: f.createdAt,
      display_title: (commit?.message ?? f.headSha).split("\n", 1)[0].slice(0, 200),
      event: f.trigger,
      head_branch: f.headBranch,
      head_commit: commit,
      head_repository: minimalRepository(f),
      head_sha: f.headSha,
      html_url: `${web}/actions/runs/${f.workflowRunId}`,
      id: f.workflowRunId,
      jobs_url: `${runUrl}/jobs`,
      logs_url: `${runUrl}/logs`,
      name: f.workflowName,
      node_id: nodeId("WorkflowRun", f.workflowRunId),
      path: f.workflowPath,
      previous_attempt_url: null,
      pull_requests: pullRequests(f),
      repository: minimalRepository(f),
      rerun_url: `${runUrl}/rerun`,
      run_attempt: 1,
      run_number: f.runNumber,
      run_started_at: f.startedAt,
      status: f.status,
      triggering_actor: sender,
      updated_at: f.completedAt ?? f.startedAt,
      url: runUrl,
      workflow_id: f.workflowId,
      workflow_url: `${api}/actions/workflows/${f.workflowId}`,
    },
    repository: fullRepository(f),
    sender,
    installation: installation(f),
  };
}
