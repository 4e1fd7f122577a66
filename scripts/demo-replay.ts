/**
 * `npm run demo -- --replay`: the fix loop end to end on the embedded
 * default, with a RECORDED agent run instead of a model (no key, no network):
 * the local sandbox service, the local forge stack (git + GitHub REST subset +
 * local CI + signed webhooks to the Worker's /github/webhooks route), and a
 * replay Messages API (scripts/local/replay-model.ts) that answers the fix
 * agent from scripts/demo/recorded-fix-runs.json while every tool runs for
 * real. The sample app's checkout crash arrives as signals, research finds it
 * actionable, the fix run writes the fix (replayed), pushes and opens a draft
 * pull request; the local CI runs `npm test && npm run lint` and fails on a
 * debugging line the first fix left; the fix run answers the failure
 * (replayed) with a second commit; CI passes; a person merges; the same crash
 * arriving after the "deploy" marks the fix regressed (a note on the report,
 * which goes back to research).
 *
 *   npm run demo -- --replay             # replay the recording
 *   npm run demo -- --replay --record    # re-record it with nightshift's scripted coding agent
 *                                        # (test/fix/scripted-fix-model.ts), then exit
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FixSummary } from "../workers/fix/summary";
import type { RunRecord } from "../workers/agent/run-record";
import { createProject, root, SCHEDULED_PATH, startLocalWorker, waitFor } from "./local-worker";
import { startForgeStack } from "./local/forge-stack";
import { validationFailures } from "./local/forge/rest/openapi";
import { makeSampleRepo, removeSampleRepo } from "./local/make-sample-repo";
import { startReplayModel, type Recording } from "./local/replay-model";
import { startSandboxService } from "./local/sandbox-service";

export const RECORDING = join(root, "scripts/demo/recorded-fix-runs.json");
/** the checkout crash: the demo stream's signals for the sample app's null-cart bug */
const CRASH = ["s01", "s02", "s03", "s04", "s05", "s32"];
const OWNER = "shop";
const REPO = "shop-web";

interface Signal {
  id: string;
  source_product: string;
  source_type: string;
  content: string;
}

/** The scripted coding agent (the fix tests') behind a local HTTP port, for recording. */
async function scriptedAgentServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const { scriptedFixModel } = await import("../test/fix/scripted-fix-model");
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = await scriptedFixModel(new Request(`http://scripted${req.url}`, { method: req.method, body: req.method === "POST" ? Buffer.concat(chunks) : undefined }));
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(await answer.text());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function replayDemo(opts: { record: boolean; port?: number; stream: string }): Promise<void> {
  const t0 = Date.now();
  const at = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
  const say = (line: string) => console.log(`${at()}  ${line}`);
  const token = randomBytes(12).toString("hex");
  const secret = randomBytes(12).toString("hex");
  let project = "";
  let workerUrl = "";

  const sandbox = await startSandboxService();
  const forgeRoot = mkdtempSync(join(tmpdir(), "nightshift-replay-forge-"));
  const stack = await startForgeStack({
    root: forgeRoot,
    token,
    webhook: { url: () => (project ? `${workerUrl}/github/webhooks/${project}` : null), secret: () => secret },
    testCommand: () => "npm test && npm run lint",
  });
  const sample = makeSampleRepo();
  stack.createRepo(OWNER, REPO, sample);
  let model: { url: string; calls?: number; stop(): Promise<void> };
  if (opts.record) {
    model = await scriptedAgentServer();
    console.log("RECORDING: the fix agent is nightshift's scripted coding agent (test/fix/scripted-fix-model.ts); no model is called");
  } else {
    const recordings = JSON.parse(readFileSync(RECORDING, "utf8")) as Recording[];
    model = await startReplayModel({ recordings });
    console.log(`REPLAY: the fix agent's turns come from a recording (${RECORDING.slice(root.length + 1)}: ${recordings.length} runs, recorded from nightshift's scripted coding agent); no model is called, every tool runs for real`);
  }
  say(`local sandbox ${sandbox.url} (${sandbox.isolation.mode}); local forge ${stack.url} (git, REST, CI: npm test && npm run lint)`);
  const worker = await startLocalWorker({
    port: opts.port,
    vars: {
      WORKSPACE: "local",
      LOCAL_SANDBOX_URL: sandbox.url,
      LOCAL_FORGE_URL: stack.url,
      LOCAL_FORGE_TOKEN: token,
      FIXER: "anthropic",
      ANTHROPIC_API_KEY: "replay-no-model-is-called",
      ANTHROPIC_BASE_URL: model.url,
      // the key exists for the fix agent alone: every other face stays offline
      SAFETY_JUDGE: "offline",
      REPORT_JUDGE: "offline",
      GROUPING_QUERY_WRITER: "offline",
      GROUPING_MATCH_JUDGE: "offline",
      TRIAGE_JUDGE: "offline",
      RESEARCHER: "offline",
      NIGHTSHIFT_URL: "http://127.0.0.1:8787",
    },
  });
  workerUrl = worker.url;
  try {
    const created = await createProject(worker, { id: `replay-${Date.now().toString(36)}`, name: "nightshift replay demo", promotion_threshold: 3 });
    project = created.id;
    const auth = { authorization: `Bearer ${created.key}`, "content-type": "application/json" };
    const patch = await fetch(`${worker.url}/v1/project`, {
      method: "PATCH",
      headers: auth,
      body: JSON.stringify({ github_webhook_secret: secret, repository: { url: stack.repoUrl(OWNER, REPO), default_branch: "main", test_command: "npm test" } }),
    });
    if (patch.status !== 200) throw new Error(`PATCH /v1/project: ${patch.status} ${await patch.text()}`);
    say(`project ${project} connected to ${stack.repoUrl(OWNER, REPO)} (webhooks signed with its secret)`);

    const stream = readFileSync(opts.stream, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Signal);
    const crash = stream.filter((s) => CRASH.includes(s.id));
    const post = async (signals: Signal[]) => {
      const res = await fetch(`${worker.url}/v1/signals`, { method: "POST", headers: auth, body: JSON.stringify({ signals: signals.map(({ id, source_product, source_type, content }) => ({ id, source_product, source_type, content })) }) });
      if (res.status !== 202) throw new Error(`POST /v1/signals: ${res.status} ${await res.text()}`);
    };
    await post(crash);
    say(`posted the checkout crash: ${crash.length} signals (errors, logs, a ticket)`);
    await fetch(`${worker.url}${SCHEDULED_PATH}`);

    const reportOf = async () => {
      const r = (await (await fetch(`${worker.url}/v1/reports`, { headers: auth })).json()) as { reports: { id: string; state: string; title: string }[] };
      return r.reports.find((x) => x.state === "ready");
    };
    const ready = await waitFor("research to find the crash actionable", async () => {
      await fetch(`${worker.url}${SCHEDULED_PATH}`);
      return reportOf();
    }, 180_000);
    const readyAt = Date.now();
    say(`report ${ready.id} ready: ${ready.title}`);
    const fixOf = async (): Promise<FixSummary | null> => ((await (await fetch(`${worker.url}/v1/reports/${ready.id}`, { headers: auth })).json()) as { fix: FixSummary | null }).fix;
    const until = async (what: string, pred: (f: FixSummary) => boolean, ms = 300_000): Promise<FixSummary> =>
      waitFor(what, async () => {
        const f = await fixOf();
        if (f && ["stopped", "failed", "needs_llm_key", "no_forge"].includes(f.status)) throw new Error(`the fix run stopped: ${f.status}: ${f.reason}`);
        return f && pred(f) ? f : undefined;
      }, ms);

    const opened = await until("the draft pull request", (f) => f.pull !== null);
    say(`draft PR #${opened.pull!.number} ${opened.pull!.html_url} (push 1; tests before: ${opened.tests.baseline?.passed} passed, after: ${opened.tests.after?.passed} passed)`);
    const answered = await until("CI's failure answered with a second commit", (f) => f.pushes >= 2);
    say(`CI failed on the first push; the fix run answered it: push 2 (${answered.reason})`);
    const green = await until("CI to pass", (f) => f.status === "green");
    const greenAt = Date.now();
    say(`green: ${green.reason}`);

    if (opts.record) {
      const runs = ((await (await fetch(`${worker.url}/v1/reports/${ready.id}/fix-run`, { headers: auth })).json()) as { runs: RunRecord[] }).runs;
      const title = ((await (await fetch(`${worker.url}/v1/reports/${ready.id}`, { headers: auth })).json()) as { research: { title: string } }).research.title;
      const recordings: Recording[] = runs.map((record, i) => ({ title, round: i === 0 ? "first" : "ci_failure", record }));
      writeFileSync(RECORDING, `${JSON.stringify(recordings, null, 1)}\n`);
      say(`recorded ${recordings.length} runs to ${RECORDING.slice(root.length + 1)}`);
      return;
    }

    await stack.forge.store.mergePull(OWNER, REPO, opened.pull!.number, { login: "maya-chen", association: "MEMBER" });
    await until("the merge to reach the fix run", (f) => f.status === "merged");
    say(`maya-chen merged PR #${opened.pull!.number}; the fix soaks (the problem coming back would be a regression)`);
    await post([{ ...crash[0]!, id: `${crash[0]!.id}-after-deploy` }]);
    // the report keeps the regression as a note (its fix status moves on: research again, then a new attempt)
    const regressed = await waitFor("the same crash after the deploy", async () => {
      const view = (await (await fetch(`${worker.url}/v1/reports/${ready.id}`, { headers: auth })).json()) as { notes: { kind: string; text: string }[] };
      return view.notes.find((n) => n.kind === "fix_regressed");
    }, 120_000);
    say(`the same crash arrived after the deploy: regressed: ${regressed.text}`);
    say("the report goes back to research with that note; the next attempt's agent is told the merged fix did not hold (the recording ends here)");

    const replayed = model as Awaited<ReturnType<typeof startReplayModel>>;
    console.log(`\nreplay summary
  seconds from ready to green    ${((greenAt - readyAt) / 1000).toFixed(1)}
  pushes to the pull request     ${green.pushes}
  fix rounds (agent runs)        ${green.cost.rounds} (${green.cost.ci_rounds} for CI)
  LLM calls (replayed turns)     ${replayed.calls}
  GitHub requests failing GitHub's request schemas: ${validationFailures()}`);
  } finally {
    await worker.stop();
    await model.stop();
    await stack.stop();
    await sandbox.stop();
    removeSampleRepo(sample);
    rmSync(forgeRoot, { recursive: true, force: true });
  }
}
