/**
 * The fix tests' control channel to the local forge (http://forge-control.test,
 * answered in Node by fix-outbound.ts): it plays the people and the CI around
 * a pull request — a check run finishing with a log, a review or a comment
 * by a given login and author_association, a merge, a commit to the base
 * (with the push webhook GitHub would send), GitHub's own `mergeable`
 * answer, read-only looks at commits — through the forge
 * store's own methods, and answers with the webhooks the store emitted while
 * doing it, so the test posts exactly those (signed) to the Worker.
 */
import { execFileSync } from "node:child_process";
import type { LocalForge } from "../../scripts/local/forge/local-forge";
import { gitEnv, readRefs, repoDir } from "../../scripts/local/forge/repos";

type Body = Record<string, any>;

function forge(): LocalForge {
  const f = (globalThis as { __nightshiftFixForge?: LocalForge }).__nightshiftFixForge;
  if (!f) throw new Error("the fix global setup has not started the forge");
  return f;
}

export async function forgeControl(req: Request): Promise<Response> {
  const f = forge();
  const action = new URL(req.url).pathname.slice(1);
  const b = (await req.json()) as Body;
  const webhooks: { name: string; payload: unknown }[] = [];
  const listen = (w: { name: string; payload: unknown }) => webhooks.push(w);
  f.events.on("webhook", listen);
  try {
    let result: unknown;
    const as = { login: b.login, association: b.association };
    switch (action) {
      case "check-run": {
        const run = f.store.createCheckRun(b.owner, b.repo, { name: b.name, head_sha: b.head_sha, status: "in_progress" });
        result = f.store.completeCheckRun(run.id, { conclusion: b.conclusion, output: { title: b.title ?? b.conclusion, summary: b.summary ?? "", text: b.text ?? "" } }, b.log);
        break;
      }
      case "review":
        result = f.store.addReview(b.owner, b.repo, b.number, { state: b.state, body: b.body, comments: b.comments }, as);
        break;
      case "review-comment":
        result = f.store.addReviewComment(b.owner, b.repo, b.number, { path: b.path, line: b.line, body: b.body }, as);
        break;
      case "issue-comment":
        result = f.store.addIssueComment(b.owner, b.repo, b.number, b.body, as);
        break;
      case "close":
        result = await f.store.updatePull(b.owner, b.repo, b.number, { state: "closed" }, as);
        break;
      case "merge":
        result = await f.store.mergePull(b.owner, b.repo, b.number, as);
        break;
      case "commit": {
        // a person commits to a branch (the base moving): the push webhook GitHub would send with it
        const before = (await readRefs(repoDir(f.root, b.owner, b.repo))).get(`refs/heads/${b.branch}`);
        const after = await f.store.commitToBranch(b.owner, b.repo, b.branch, b.files, b.message, as.login ? as : undefined);
        result = { sha: after };
        webhooks.push({ name: "push", payload: { ref: `refs/heads/${b.branch}`, before, after, deleted: false, repository: { full_name: `${b.owner}/${b.repo}`, name: b.repo, owner: { login: b.owner } } } });
        break;
      }
      case "mergeable":
        result = f.store.setMergeable(b.owner, b.repo, b.number, b.value);
        break;
      case "git": {
        // read-only looks into the bare repository: a commit's parents, a file at a commit
        const dir = repoDir(f.root, b.owner, b.repo);
        const args = b.what === "parents" ? ["rev-list", "--parents", "-n", "1", String(b.rev)] : ["show", `${String(b.rev)}:${String(b.path)}`];
        if (String(b.rev).startsWith("-")) throw new Error("bad rev");
        result = { out: execFileSync("git", args, { cwd: dir, encoding: "utf8", env: gitEnv() }) };
        break;
      }
      case "schema-failures":
        // the counter of the forge's module graph (the config's bundle has its own copy)
        result = { failures: (globalThis as { __nightshiftFixForgeSchemaFailures?: () => number }).__nightshiftFixForgeSchemaFailures!() };
        break;
      case "state":
        // mergeable as a read of the pull request would compute it now
        result = { pull: await f.store.refreshMergeable(b.owner, b.repo, b.number), reviewComments: f.store.listReviewComments(b.owner, b.repo, b.number), issueComments: f.store.listIssueComments(b.owner, b.repo, b.number) };
        break;
      default:
        return Response.json({ error: `no control action ${action}` }, { status: 404 });
    }
    return Response.json({ result, webhooks });
  } catch (e) {
    return Response.json({ error: e instanceof Error ? e.message : String(e) }, { status: 400 });
  } finally {
    f.events.off("webhook", listen);
  }
}
