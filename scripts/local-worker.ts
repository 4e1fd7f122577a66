/**
 * Starts the Worker on the embedded default (`wrangler dev --env local`) as a
 * child process on a free loopback port, with local D1 migrations applied.
 * Used by the demo, the client tests (real SDKs in Node) and the benchmarks.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { attachInspectorSink, type InspectorSink } from "./inspector-sink";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wranglerBin = join(root, "node_modules/.bin/wrangler");

export interface LocalWorker {
  url: string;
  adminToken: string;
  /** where DevTools attaches (taken by the launcher's sink unless started with `inspect`) */
  inspectorPort: number;
  /** the launcher's DevTools connection (absent with `inspect`) */
  inspector?: InspectorSink;
  /** everything wrangler printed so far */
  log(): string;
  stop(): Promise<void>;
  /** resolves when wrangler exits */
  exited: Promise<number | null>;
}

export interface StartOptions {
  port?: number;
  /** state directory (D1, DOs, queues); default: wrangler's .wrangler/state */
  persistTo?: string;
  vars?: Record<string, string>;
  timeoutMs?: number;
  /** wrangler config (default: wrangler.toml) and environment (default: local; null for none) */
  configPath?: string;
  environment?: string | null;
  /**
   * The local cron: wrangler dev never fires cron triggers, so the launcher
   * does, every `cronEveryMs` (default 10 s; 0 = never). It also re-enqueues
   * every pending signal once at start, since the local queue does not
   * survive a restart (production's queue does; there the cron alone redrives).
   */
  cronEveryMs?: number;
  /** the admin token (default: random) */
  adminToken?: string;
  /** also print what wrangler prints (npm run dev) */
  echo?: boolean;
  /**
   * Leave the inspector port to a real DevTools client. Default false: the
   * launcher attaches a sink (see inspector-sink.ts), without which wrangler
   * dev keeps every inspector event in memory.
   */
  inspect?: boolean;
}

/** The path that fires the Worker's scheduled handler under `wrangler dev --test-scheduled`. */
export const SCHEDULED_PATH = `/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}`;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
}

export async function startLocalWorker(opts: StartOptions = {}): Promise<LocalWorker> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" };
  const port = opts.port ?? (await freePort());
  const inspector = await freePort();
  const adminToken = opts.adminToken ?? randomBytes(24).toString("hex");
  const persist = opts.persistTo ? ["--persist-to", opts.persistTo] : [];
  const environment = opts.environment === undefined ? "local" : opts.environment;
  const config = [...(opts.configPath ? ["--config", opts.configPath] : []), ...(environment ? ["--env", environment] : [])];

  const mig = spawnSync(wranglerBin, ["d1", "migrations", "apply", "DB", "--local", ...config, ...persist], {
    cwd: root,
    env,
    encoding: "utf8",
  });
  if (mig.status !== 0) throw new Error(`D1 migrations failed:\n${mig.stdout}\n${mig.stderr}`);

  const vars = Object.entries({ ADMIN_TOKEN: adminToken, ...opts.vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child = spawn(
    wranglerBin,
    [
      "dev", ...config, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
      "--test-scheduled", "--show-interactive-dev-session=false", ...persist, ...vars,
    ],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  // keep the last 1 MB: a long-running Worker must not grow the launcher's memory
  const append = (d: Buffer) => {
    log = (log + d).slice(-1_000_000);
    if (opts.echo) process.stdout.write(d);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let sink: InspectorSink | undefined;
  const stop = async () => {
    clearInterval(ticker);
    sink?.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  };
  try {
    await Promise.race([
      waitFor("the Worker to answer", async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined), opts.timeoutMs ?? 90_000),
      exited.then((code) => {
        throw new Error(`wrangler dev exited with ${code}:\n${log.slice(-4000)}`);
      }),
    ]);
    if (!opts.inspect) sink = await attachInspectorSink(inspector);
    if (opts.environment === undefined || opts.environment === "local") await startLocalCron();
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, adminToken, inspectorPort: inspector, inspector: sink, log: () => log, stop, exited };

  async function startLocalCron(): Promise<void> {
    // one call works off at most 5,000 rows; a bigger backlog takes several
    let cutoff: number | undefined;
    for (;;) {
      const res = await fetch(`${url}/v1/admin/redrive`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ older_than_s: 0, cutoff_ms: cutoff }),
      });
      if (!res.ok) throw new Error(`redrive at start: ${res.status} ${await res.text()}`);
      const r = (await res.json()) as { more?: boolean; cutoff_ms: number };
      if (!r.more) break;
      cutoff = r.cutoff_ms;
    }
    const every = opts.cronEveryMs ?? 10_000;
    if (every > 0) {
      ticker = setInterval(() => void fetch(`${url}${SCHEDULED_PATH}`).catch(() => undefined), every);
      ticker.unref();
    }
  }
}

/** Creates a project through the admin API; returns its id and API key. */
export async function createProject(
  w: LocalWorker,
  body: { id?: string; name: string; promotion_threshold?: number },
): Promise<{ id: string; key: string }> {
  const res = await fetch(`${w.url}/v1/admin/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${w.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`create project: ${res.status} ${await res.text()}`);
  const json = (await res.json()) as { project: { id: string }; api_key: string };
  return { id: json.project.id, key: json.api_key };
}
