/**
 * The local forge stack: the embedded default's whole GitHub stand-in in one
 * process — the local forge (git + REST, ./forge/local-forge.ts), the local CI
 * on its push events (./ci/local-ci.ts) with its check runs and job logs kept
 * in the forge's store, and ONE signed webhook relay to nightshift.
 *
 *   npx tsx scripts/local/forge-stack.ts --root DIR [--port 8791]
 *     [--webhook-base http://127.0.0.1:8787/github/webhooks/<project>] [--secret S]
 *     [--test-command "npm test"] [--sample shop/sample-app]
 *   env: LOCAL_FORGE_TOKEN (pushes and the API need it when set),
 *        LOCAL_FORGE_WEBHOOK_SECRET (instead of --secret)
 *
 * Contract: `startForgeStack({root, port?, token?, webhook, testCommand,
 * ciTimeoutMs?, log?, …})` → `{forge, ci, url, apiUrl, repoUrl, createRepo,
 * idle, stop}`.
 * - Check runs: the CI's runs land in the store through `store.checksSink()`
 *   under the CI's own ids (job id = check run id, its workflow run as the
 *   Actions run, the test output as the job log; the CI counts from
 *   `ciFirstId`, default 1 000 000, above the store's ids), so
 *   `GET …/commits/{sha}/check-runs` and `…/actions/jobs/{id}/logs` show the
 *   run its webhooks name, with the open pull requests on its head sha.
 * - Webhooks, in the order they happen, one delivery each, through one serial
 *   queue and webhook-sender.ts (signed with `webhook.secret(owner, repo)`,
 *   posted to `webhook.url(owner, repo)`; either null: not sent):
 *   `push` (every ref a push or merge moved, before the store's reaction to
 *   it), every event the store emits (pull_request, pull_request_review,
 *   pull_request_review_comment, issue_comment, check_run of check runs made
 *   through the API), and the CI's own check_run / check_suite /
 *   workflow_run. The store's check_run events for the CI's runs are the
 *   same events as the CI's and are not sent: nothing is delivered twice.
 * - A delivery is retried on 5xx / network errors (webhook-sender.ts), then
 *   given up (`log` and `onDelivery` hear it); the stack keeps running.
 * - `idle()` resolves when the CI has nothing queued or running and every
 *   queued delivery has had its last attempt. `stop()` stops the CI (a
 *   running test is killed), drops undelivered webhooks, stops the forge.
 * Payloads carry `installation: {id}` (default 1). The token is never logged.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startLocalCi, ZERO_SHA, type LocalCheckRun, type LocalCi } from "./ci/local-ci";
import { sendWebhook, type WebhookDelivery, type WebhookResult } from "./ci/webhook-sender";
import type { PushEvent } from "./forge/git-server";
import { startLocalForge, type LocalForge } from "./forge/local-forge";
import { gitEnv, repoDir } from "./forge/repos";
import { repoJson, userJson } from "./forge/rest/shapes";
import { arg, isMain } from "./cli";

type MaybePromise<T> = T | Promise<T>;

export interface ForgeStackWebhook {
  /** where (owner, repo)'s webhooks go, e.g. nightshift's /github/webhooks/<project>; null: none */
  url(owner: string, repo: string): string | null;
  /** the project's github_webhook_secret; null: none sent (they would be refused) */
  secret(owner: string, repo: string): string | null;
}

export interface ForgeStackOptions {
  root: string;
  port?: number;
  host?: string;
  token?: string;
  /** null: the forge and CI run, no webhook leaves the process */
  webhook: ForgeStackWebhook | null;
  /** the test command for a repository (e.g. `npm test`); null: no CI for it */
  testCommand(owner: string, repo: string): MaybePromise<string | null>;
  /** per test run, default the CI's (10 min) */
  ciTimeoutMs?: number;
  /** one line each: progress and problems */
  log?(line: string): void;
  /** webhook-sender's retry policy, default 3 retries from 250 ms, 10 s per attempt */
  delivery?: { retries?: number; backoffMs?: number; timeoutMs?: number };
  /** after each delivery's last attempt */
  onDelivery?(event: string, action: string | null, result: WebhookResult): void;
  installationId?: number;
  /** the CI's first check run / suite / workflow run id (default 1 000 000, above the store's own) */
  ciFirstId?: number;
  /** the CI's temporary checkouts (default the OS temp dir) */
  ciTmpRoot?: string;
  botLogin?: string;
}

export interface ForgeStack {
  forge: LocalForge;
  ci: LocalCi;
  url: string;
  apiUrl: string;
  repoUrl(owner: string, name: string): string;
  createRepo(owner: string, name: string, fromDir?: string): string;
  /** the CI queue is empty and every webhook had its last attempt */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

interface Outgoing {
  owner: string;
  repo: string;
  event: string;
  /** built when its turn comes (a push reads its head commit) */
  payload: () => Promise<Record<string, unknown> | null>;
  done?: (r: WebhookResult) => void;
}

function readCommit(dir: string, sha: string): Promise<Record<string, unknown> | null> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return Promise.resolve(null);
  return new Promise((ok) => {
    execFile("git", ["show", "-s", "--format=%T%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%B", sha, "--"], { cwd: dir, env: gitEnv(), timeout: 30_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) return ok(null);
      const [tree, an, ae, at, cn, ce, ...msg] = String(stdout).split("\0");
      if (!tree || !msg.length) return ok(null);
      ok({ id: sha, tree_id: tree, distinct: true, message: msg.join("\0").replace(/\n+$/, ""), timestamp: at, author: { name: an, email: ae, username: an }, committer: { name: cn, email: ce, username: cn }, added: [], removed: [], modified: [] });
    });
  });
}

export async function startForgeStack(options: ForgeStackOptions): Promise<ForgeStack> {
  const log = (line: string) => options.log?.(line);
  const installationId = options.installationId ?? 1;
  const forge = await startLocalForge({ root: options.root, port: options.port, host: options.host, token: options.token, botLogin: options.botLogin });
  const store = forge.store;
  let stopped = false;

  // ---- the one delivery queue ----
  const queue: Outgoing[] = [];
  let sending = false;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (queue.length || sending) return;
    for (const w of waiters.splice(0)) w();
  };

  async function pumpDeliveries(): Promise<void> {
    if (sending) return;
    sending = true;
    try {
      while (!stopped && queue.length) {
        const out = queue.shift()!;
        let result: WebhookResult = { ok: false, status: 0, attempts: 0, deliveryId: "" };
        let action: string | null = null;
        try {
          const url = options.webhook?.url(out.owner, out.repo) ?? null;
          const secret = options.webhook?.secret(out.owner, out.repo) ?? null;
          const payload = url && secret ? await out.payload() : null;
          // no webhook for this repository: nothing to do, not a failure (attempts 0 says it was not sent)
          if (!url || !secret) result = { ok: true, status: 0, attempts: 0, deliveryId: "" };
          else if (!payload) result = { ok: false, status: 0, attempts: 0, deliveryId: "", error: "nothing to deliver" };
          else {
            action = typeof payload.action === "string" ? payload.action : null;
            if (!payload.installation) payload.installation = { id: installationId, node_id: Buffer.from(`0:Installation${installationId}`).toString("base64") };
            result = await sendWebhook({ url, secret, event: out.event, payload, installationId, ...options.delivery });
            if (!result.ok) log(`[forge-stack] ${out.event}${action ? `.${action}` : ""} for ${out.owner}/${out.repo}: delivery ${result.deliveryId} given up after ${result.attempts} attempt(s): ${result.status || result.error}`);
            options.onDelivery?.(out.event, action, result);
          }
        } catch (e) {
          log(`[forge-stack] ${out.event} for ${out.owner}/${out.repo} not delivered: ${e instanceof Error ? e.message : String(e)}`);
        }
        out.done?.(result);
      }
    } finally {
      sending = false;
      if (stopped) for (const out of queue.splice(0)) out.done?.({ ok: false, status: 0, attempts: 0, deliveryId: "", error: "stopped" });
      settle();
    }
  }

  function enqueue(out: Outgoing): void {
    if (stopped) return out.done?.({ ok: false, status: 0, attempts: 0, deliveryId: "", error: "stopped" });
    queue.push(out);
    void pumpDeliveries();
  }

  // ---- push webhooks: first listener, so `push` goes out before the store's `synchronize` ----
  forge.events.prependListener("push", (e: PushEvent) => {
    const owner = e.owner;
    const repo = e.repo;
    enqueue({
      owner,
      repo,
      event: "push",
      payload: async () => {
        const ctx = store.ctx;
        const repository = repoJson(ctx, store.repo(owner, repo));
        const deleted = e.after === ZERO_SHA;
        const head = deleted ? null : await readCommit(join(forge.root, owner, `${repo}.git`), e.after);
        const sender = userJson(ctx, store.botLogin);
        return {
          ref: e.ref,
          before: e.before,
          after: e.after,
          created: e.before === ZERO_SHA,
          deleted,
          forced: false,
          base_ref: null,
          compare: `${forge.url}/${owner}/${repo}/compare/${e.before.slice(0, 12)}...${e.after.slice(0, 12)}`,
          commits: head ? [head] : [],
          head_commit: head,
          repository: { ...repository, pushed_at: Math.floor(Date.now() / 1000) },
          pusher: { name: store.botLogin, email: null },
          sender,
        };
      },
    });
  });

  // ---- the store's events (pull requests, reviews, comments, check runs) ----
  /** check run ids the CI made: their webhooks come from the CI (richer payloads, suite and workflow run after) */
  const ciRuns = new Set<number>();
  forge.events.on("webhook", (w: { name: string; payload: Record<string, unknown> }) => {
    if (w.name === "check_run" && ciRuns.has((w.payload.check_run as { id?: number } | undefined)?.id ?? -1)) return;
    const full = (w.payload.repository as { full_name?: string } | undefined)?.full_name ?? "";
    const slash = full.indexOf("/");
    if (slash <= 0) return log(`[forge-stack] ${w.name} without a repository: not delivered`);
    // copied now: the payload shows the state at the time of the event
    const payload = structuredClone(w.payload);
    enqueue({ owner: full.slice(0, slash), repo: full.slice(slash + 1), event: w.name, payload: async () => payload });
  });

  // ---- the CI, its check runs in the store under its own ids ----
  const sink = store.checksSink();
  const checks = {
    created(run: LocalCheckRun): void {
      ciRuns.add(run.id); // before the store emits its check_run event
      sink.created(run);
    },
    completed(run: LocalCheckRun): void {
      ciRuns.add(run.id);
      sink.completed(run);
    },
  };

  /** the CI's deliveries go into the one queue, to the repository's own webhook */
  function relayCi(d: WebhookDelivery): Promise<WebhookResult> {
    const payload = d.payload as Record<string, unknown>;
    const full = (payload?.repository as { full_name?: string } | undefined)?.full_name ?? "";
    const slash = full.indexOf("/");
    if (slash <= 0) return Promise.resolve({ ok: false, status: 0, attempts: 0, deliveryId: "", error: "no repository in the payload" });
    return new Promise((done) => enqueue({ owner: full.slice(0, slash), repo: full.slice(slash + 1), event: d.event, payload: async () => payload, done }));
  }

  const ci = startLocalCi({
    resolveRepo: (owner, repo) => {
      try {
        store.repo(owner, repo);
        return join(forge.root, owner, `${repo}.git`);
      } catch {
        return null;
      }
    },
    testCommand: (owner, repo) => options.testCommand(owner, repo),
    webhookUrl: "relay:forge-stack",
    secret: "relay:forge-stack",
    send: relayCi,
    checks,
    pullsFor: (owner, repo, sha, branch) => store.pullsFor(owner, repo, sha, branch),
    firstId: options.ciFirstId ?? 1_000_000,
    urls: { api: forge.apiUrl, web: forge.url },
    installationId,
    testTimeoutMs: options.ciTimeoutMs,
    tmpRoot: options.ciTmpRoot,
    onLog: log,
  });
  forge.events.on("push", ci.onPush);

  function deliveriesIdle(): Promise<void> {
    if (!queue.length && !sending) return Promise.resolve();
    return new Promise((r) => waiters.push(r));
  }

  return {
    forge,
    ci,
    url: forge.url,
    apiUrl: forge.apiUrl,
    repoUrl: forge.repoUrl,
    createRepo: forge.createRepo,
    async idle(): Promise<void> {
      // a CI run waits for its own deliveries; a delivery never starts a run: repeat until both are quiet together
      for (;;) {
        await ci.idle();
        await deliveriesIdle();
        await ci.idle();
        if (stopped || (!queue.length && !sending)) return;
      }
    },
    async stop(): Promise<void> {
      stopped = true; // first: the CI's cancelled run is not announced
      await ci.stop();
      for (const out of queue.splice(0)) out.done?.({ ok: false, status: 0, attempts: 0, deliveryId: "", error: "stopped" });
      settle();
      waiters = [];
      await forge.stop();
    },
  };
}


if (isMain(import.meta.url)) {
  const root = arg("--root") ?? process.env.LOCAL_FORGE_ROOT;
  if (!root) {
    console.error(
      'usage: npx tsx scripts/local/forge-stack.ts --root DIR [--port 8791] [--webhook-base http://127.0.0.1:8787/github/webhooks/<project>] [--secret S] [--test-command "npm test"] [--sample owner/name]\n' +
        "  env: LOCAL_FORGE_TOKEN (gates pushes and the API), LOCAL_FORGE_WEBHOOK_SECRET (instead of --secret)",
    );
    process.exit(2);
  }
  const port = Number(arg("--port") ?? process.env.LOCAL_FORGE_PORT ?? 8791);
  const base = arg("--webhook-base") ?? null;
  const secret = arg("--secret") ?? process.env.LOCAL_FORGE_WEBHOOK_SECRET ?? null;
  const command = arg("--test-command") ?? "npm test";
  if (base && !secret) console.error("--webhook-base without --secret (or LOCAL_FORGE_WEBHOOK_SECRET): no webhook will be sent");
  const stack = await startForgeStack({
    root,
    port,
    token: process.env.LOCAL_FORGE_TOKEN || undefined,
    webhook: base ? { url: () => base, secret: () => secret } : null,
    testCommand: () => command,
    log: (line) => console.log(line),
    onDelivery: (event, action, r) => console.log(`webhook ${event}${action ? `.${action}` : ""} → ${r.ok ? r.status : `failed (${r.status || r.error})`} ${r.deliveryId}`),
  });
  const sample = arg("--sample");
  if (sample) {
    const [owner, name] = sample.split("/");
    if (!owner || !name) {
      console.error("--sample takes owner/name");
      process.exit(2);
    }
    if (existsSync(repoDir(stack.forge.root, owner, name))) console.log(`${owner}/${name} exists; kept as it is`);
    else {
      const { makeSampleRepo, removeSampleRepo } = await import("./make-sample-repo");
      const dir = makeSampleRepo();
      try {
        stack.createRepo(owner, name, dir);
      } finally {
        removeSampleRepo(dir);
      }
      console.log(`created ${owner}/${name} from the sample app: ${stack.repoUrl(owner, name)}`);
    }
  }
  console.log(
    `local forge stack on ${stack.url}: git at ${stack.url}/<owner>/<name>.git, REST at ${stack.apiUrl}; CI runs \`${command}\`; webhooks ${base ?? "off"} (${process.env.LOCAL_FORGE_TOKEN ? "token required" : "no token"})`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
