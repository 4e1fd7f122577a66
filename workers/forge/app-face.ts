/**
 * The GitHub face of the forge: a ForgeClient acting as the App's
 * installation on each repository. Every call finds the repository's
 * installation (`GitHubApp.installationIdFor`, cached), and runs through an
 * OctokitForge built on that installation's octokit (one per installation);
 * the push token is an installation token narrowed to the one repository
 * with `contents: write`. Clone URLs are https://<github host>/<owner>/<repo>.git,
 * the host derived from GITHUB_API_URL (api.github.com → github.com; a GHES
 * API root https://HOST/api/v3 → https://HOST).
 */
import type { CheckRunSummary, ForgeClient, NewPull, PullRef, RepoRef, ReviewComment } from "./forge-client";
import type { GitHubApp } from "./github-app";
import { OctokitForge } from "./github-rest";

export function webBaseOf(apiUrl: string): string {
  const u = new URL(apiUrl);
  if (u.hostname === "api.github.com") return "https://github.com";
  return `${u.protocol}//${u.host}`;
}

export class AppForge implements ForgeClient {
  readonly face = "github" as const;
  private readonly byInstallation = new Map<number, OctokitForge>();
  private readonly webBase: string;

  constructor(private readonly app: GitHubApp) {
    this.webBase = webBaseOf(app.apiUrl);
  }

  private async on(repo: RepoRef): Promise<OctokitForge> {
    const id = await this.app.installationIdFor(repo.owner, repo.repo);
    let forge = this.byInstallation.get(id);
    if (!forge) {
      forge = new OctokitForge({
        face: "github",
        octokit: this.app.installationOctokit(id),
        cloneBase: this.webBase,
        pushToken: async (r) => (await this.app.installationToken(id, { repositories: [r.repo], permissions: { contents: "write" } })).token,
      });
      this.byInstallation.set(id, forge);
    }
    return forge;
  }

  cloneUrl(repo: RepoRef): string {
    return `${this.webBase}/${repo.owner}/${repo.repo}.git`;
  }
  async pushToken(repo: RepoRef): Promise<string> {
    return (await this.on(repo)).pushToken(repo);
  }
  async findOpenPull(repo: RepoRef, head: string): Promise<PullRef | null> {
    return (await this.on(repo)).findOpenPull(repo, head);
  }
  async openDraftPull(repo: RepoRef, pull: NewPull): Promise<PullRef> {
    return (await this.on(repo)).openDraftPull(repo, pull);
  }
  async getPull(repo: RepoRef, number: number): Promise<PullRef> {
    return (await this.on(repo)).getPull(repo, number);
  }
  async updatePullBody(repo: RepoRef, number: number, body: string): Promise<void> {
    return (await this.on(repo)).updatePullBody(repo, number, body);
  }
  async requestReviewers(repo: RepoRef, number: number, reviewers: { users: string[]; teams: string[] }): Promise<void> {
    return (await this.on(repo)).requestReviewers(repo, number, reviewers);
  }
  async addLabels(repo: RepoRef, number: number, labels: string[]): Promise<void> {
    return (await this.on(repo)).addLabels(repo, number, labels);
  }
  async comment(repo: RepoRef, number: number, body: string): Promise<{ id: number }> {
    return (await this.on(repo)).comment(repo, number, body);
  }
  async replyToReviewComment(repo: RepoRef, number: number, commentId: number, body: string): Promise<{ id: number }> {
    return (await this.on(repo)).replyToReviewComment(repo, number, commentId, body);
  }
  async checkRuns(repo: RepoRef, sha: string): Promise<CheckRunSummary[]> {
    return (await this.on(repo)).checkRuns(repo, sha);
  }
  async checkRunLog(repo: RepoRef, checkRunId: number, maxBytes: number): Promise<string | null> {
    return (await this.on(repo)).checkRunLog(repo, checkRunId, maxBytes);
  }
  async feedback(repo: RepoRef, number: number): Promise<ReviewComment[]> {
    return (await this.on(repo)).feedback(repo, number);
  }
}
