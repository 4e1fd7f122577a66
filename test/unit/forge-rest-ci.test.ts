// The local CI (scripts/local/ci) plugged into the local forge's store
// (store.checksSink(), store.pullsFor): a push to a PR's branch runs the
// sample app's real tests, and the Worker-side OctokitForge then reads the
// CI's check run — under the id its webhooks carry — and the test output as
// the Actions job log.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitOk } from "./git-client";
import { startLocalCi, type LocalCi } from "../../scripts/local/ci/local-ci";
import { basicAuthHeader } from "../../scripts/local/forge/basic-auth";
import { startLocalForge, type LocalForge } from "../../scripts/local/forge/local-forge";
import { makeSampleRepo, removeSampleRepo } from "../../scripts/local/make-sample-repo";
import { localForgeClient } from "../../workers/forge/local-face";

const TOKEN = "forge-rest-ci-token";
const repo = { owner: "shop", repo: "sample-app" };
const BRANCH = "nightshift/rep_ci_store";


let work: string;
let sample: string;
let forge: LocalForge;
let ci: LocalCi;
let receiver: Server;
const deliveries: { event: string; payload: { action: string; check_run?: { id: number; details_url: string; pull_requests: { number: number }[] } } }[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "forge-rest-ci-"));
  sample = makeSampleRepo();
  forge = await startLocalForge({ root: join(work, "forge"), token: TOKEN });
  forge.createRepo(repo.owner, repo.repo, sample);
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({ event: String(req.headers["x-github-event"]), payload: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  ci = startLocalCi({
    resolveRepo: (owner, name) => join(forge.root, owner, `${name}.git`),
    testCommand: () => "npm test",
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/github/webhooks/proj_1`,
    secret: "s",
    checks: forge.store.checksSink(),
    pullsFor: (o, r, sha, branch) => forge.store.pullsFor(o, r, sha, branch),
    urls: { api: forge.apiUrl, web: forge.url },
    firstId: 1_000_000,
    tmpRoot: join(work, "ci-tmp"),
  });
  forge.events.on("push", ci.onPush);
});

afterAll(async () => {
  await ci?.stop();
  await forge?.stop();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  if (sample) removeSampleRepo(sample);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("local CI → local forge store → OctokitForge", () => {
  it("a push to a PR's branch: the CI's check run (its own id) and its test log are what the client reads", async () => {
    const client = localForgeClient({ url: forge.url, token: TOKEN });
    const clone = join(work, "clone");
    await gitOk(work, ["clone", "--quiet", forge.repoUrl(repo.owner, repo.repo), clone]);
    await gitOk(clone, ["switch", "--quiet", "-c", BRANCH]);
    writeFileSync(join(clone, "NOTE.md"), "a change\n");
    await gitOk(clone, ["add", "NOTE.md"]);
    await gitOk(clone, ["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "note"]);
    const push = ["-c", `http.extraHeader=Authorization: ${basicAuthHeader(TOKEN)}`, "push", "--quiet", "origin", BRANCH];
    await gitOk(clone, push);
    await ci.idle();
    const first = await gitOk(clone, ["rev-parse", "HEAD"]);
    const pr = await client.openDraftPull(repo, { title: "t", body: "b", head: BRANCH, base: "main" });

    // a second push, now with the PR open: the CI's run lists it
    writeFileSync(join(clone, "NOTE.md"), "another change\n");
    await gitOk(clone, ["-c", "commit.gpgsign=false", "commit", "--quiet", "-am", "note 2"]);
    await gitOk(clone, push);
    await ci.idle();
    const sha = await gitOk(clone, ["rev-parse", "HEAD"]);
    expect((await client.getPull(repo, pr.number)).headSha).toBe(sha);

    const runs = await client.checkRuns(repo, sha);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    // the sample app's main is green: its bugs' tests are known failures (# TODO), which do not fail the run
    expect(run).toMatchObject({ status: "completed", conclusion: "success", headSha: sha, summary: "11 passed, 0 failed" });
    expect(run.id).toBeGreaterThanOrEqual(1_000_000);
    const completed = deliveries.find((d) => d.event === "check_run" && d.payload.action === "completed" && d.payload.check_run?.id === run.id);
    expect(completed?.payload.check_run?.details_url).toBe(run.detailsUrl);
    expect(completed?.payload.check_run?.pull_requests.map((p) => p.number)).toEqual([pr.number]);
    const log = await client.checkRunLog(repo, run.id, 1 << 20);
    expect(log).toMatch(/^not ok \d+ - a plural query finds products named in the singular # TODO /m);
    expect(log).toMatch(/^# todo 6$/m);
    // the first push's run is there too, on its own sha
    expect((await client.checkRuns(repo, first)).map((r) => r.conclusion)).toEqual(["success"]);
  });
});
