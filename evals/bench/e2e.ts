/**
 * End-to-end bench: a deterministic stream (e2e-stream.ts) through the real
 * local Worker (`wrangler dev --env local`, fresh state dir): `POST
 * /v1/signals` in batches, then `GET /v1/stats` until every accepted signal is
 * accounted for (in a report, noise, dropped by the consumer, dead-lettered).
 * Measures wall time from the first post to all accounted, and the peak RSS of
 * the workerd processes under this process. `restartAfter` stops the Worker
 * once that many signals were accepted and starts it again on the same state.
 *
 *   npm run bench -- e2e [--json] [--signals N] [--restart-after N] [--timeout S] [--seed N]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createProject, sleep, startLocalWorker, type LocalWorker } from "../../scripts/local-worker";
import { generateStream, type StreamSignal } from "./e2e-stream";

export interface E2eOptions {
  signals: number;
  seed: number;
  batch: number;
  concurrency: number;
  /** stop and restart the Worker once this many signals were accepted */
  restartAfter?: number;
  timeoutS: number;
}

export interface E2eResult {
  signals: number;
  accepted: number;
  /** dropped as unsafe, at intake and in the consumer */
  dropped: number;
  in_reports: number;
  noise: number;
  dead_lettered: number;
  pending: number;
  /** accepted − settled when the bench ended */
  lost: number;
  seconds: number;
  signals_per_s: number;
  peak_rss_mb: number;
}

export const TARGETS = { lost: 0, seconds: 60, peak_rss_mb: 500 };

const POST_TIMEOUT_MS = 60_000;
const STATS_TIMEOUT_MS = 15_000;

/** `GET /v1/stats` → `signals`, the fields the bench reads (old and new contract). */
interface StatsSignals {
  received?: number;
  accepted?: number;
  pending?: number;
  stored?: number;
  grouped?: number;
  in_reports: number;
  noise: number;
  dropped: number;
  dropped_at_intake?: number;
  dead_lettered: number;
  unaccounted?: number;
}

export interface Ledger {
  settled: number;
  pending: number;
  droppedInConsumer: number;
  done: boolean;
}

/**
 * Where the accepted signals are, from the stats and what the bench saw at
 * intake. Uses `pending` when the stats have it; otherwise everything accepted
 * and not yet settled counts as pending.
 */
export function ledger(s: StatsSignals, accepted: number, droppedAtIntake: number): Ledger {
  const droppedInConsumer = s.dropped - (s.dropped_at_intake ?? droppedAtIntake);
  const settled = s.in_reports + s.noise + droppedInConsumer + s.dead_lettered;
  const pending = s.pending ?? Math.max(0, accepted - settled);
  return { settled, pending, droppedInConsumer, done: pending === 0 && settled === accepted };
}

export interface WorkerdUsage {
  /** resident set, bytes, summed over the workerd processes */
  rss: number;
  /** CPU seconds (user + system) per workerd pid */
  cpu: Map<number, number>;
}

/** The workerd processes below `root` in the process tree (wrangler's children): RSS and CPU time. */
export function workerdUsage(root = process.pid): WorkerdUsage {
  try {
    const children = new Map<number, number[]>();
    const stats = new Map<number, { comm: string; fields: string[] }>();
    for (const d of readdirSync("/proc")) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        // pid (comm) state ppid …; comm may contain spaces and parentheses
        const close = stat.lastIndexOf(")");
        const fields = stat.slice(close + 2).split(" ");
        const pid = Number(d);
        const ppid = Number(fields[1]);
        stats.set(pid, { comm: stat.slice(stat.indexOf("(") + 1, close), fields });
        if (!children.has(ppid)) children.set(ppid, []);
        children.get(ppid)!.push(pid);
      } catch {
        // the process exited while we looked
      }
    }
    const usage: WorkerdUsage = { rss: 0, cpu: new Map() };
    const stack = [...(children.get(root) ?? [])];
    while (stack.length) {
      const pid = stack.pop()!;
      stack.push(...(children.get(pid) ?? []));
      const st = stats.get(pid);
      if (!st?.comm.startsWith("workerd")) continue;
      // utime and stime are fields 14 and 15 of /proc/pid/stat, in clock ticks
      usage.cpu.set(pid, (Number(st.fields[11]) + Number(st.fields[12])) / CLOCK_TICKS);
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (m) usage.rss += Number(m[1]) * 1024;
      } catch {
        // exited
      }
    }
    return usage;
  } catch {
    return { rss: psRss(root), cpu: new Map() };
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export const workerdRss = (root = process.pid) => workerdUsage(root).rss;

/** Fallback without /proc (macOS): `ps`. */
function psRss(root: number): number {
  const out = execFileSync("ps", ["-A", "-o", "pid=,ppid=,rss=,comm="], { encoding: "utf8" });
  const rows = out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, ppid, rss, ...cmd]) => ({ pid: Number(pid), ppid: Number(ppid), rss: Number(rss) * 1024, cmd: cmd.join(" ") }));
  const below = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rows) if (below.has(r.ppid) && !below.has(r.pid)) (below.add(r.pid), (grew = true));
  }
  return rows.filter((r) => r.pid !== root && below.has(r.pid) && /workerd/.test(r.cmd)).reduce((a, r) => a + r.rss, 0);
}

interface PostOutcome {
  accepted: number;
  dropped: number;
}

export async function benchE2e(opts: E2eOptions, log: (s: string) => void = () => {}): Promise<E2eResult> {
  const stream = generateStream({ signals: opts.signals, seed: opts.seed }).map((x) => x.signal);
  const batches: StreamSignal[][] = [];
  for (let i = 0; i < stream.length; i += opts.batch) batches.push(stream.slice(i, i + opts.batch));

  const state = mkdtempSync(join(tmpdir(), "nightshift-e2e-"));
  let peakRss = 0;
  // CPU seconds per workerd pid, kept across a restart
  const cpuByPid = new Map<number, number>();
  const sample = () => {
    const u = workerdUsage();
    peakRss = Math.max(peakRss, u.rss);
    for (const [pid, s] of u.cpu) cpuByPid.set(pid, s);
    return u;
  };
  const cpuSeconds = () => [...cpuByPid.values()].reduce((a, b) => a + b, 0);
  const sampler = setInterval(sample, 250);
  let worker: LocalWorker | null = null;
  try {
    log(`starting the local Worker (state ${state})`);
    worker = await startLocalWorker({ persistTo: state });
    const port = Number(new URL(worker.url).port);
    const project = await createProject(worker, { name: "e2e bench" });
    const auth = { authorization: `Bearer ${project.key}` };
    sample();
    const cpuAtStart = cpuSeconds();
    log(`worker up at ${worker.url}, workerd RSS ${mb(workerdRss())} MB; posting ${stream.length} signals in ${batches.length} batches of ${opts.batch}, ${opts.concurrency} in flight`);

    let accepted = 0;
    let droppedAtIntake = 0;
    let posted = 0;
    let restart: Promise<void> | null = null;
    let restarted = false;
    let inFlight = 0;
    let idle: (() => void) | null = null;

    const restartWorker = async () => {
      // let the requests in flight finish, then stop and start on the same state
      while (inFlight > 0) await new Promise<void>((r) => (idle = r));
      log(`restart: ${accepted} accepted; stopping the Worker`);
      await worker!.stop();
      try {
        worker = await startLocalWorker({ persistTo: state, port });
      } catch (e) {
        log(`restart on port ${port} failed (${String(e).split("\n")[0]}); trying a free port`);
        worker = await startLocalWorker({ persistTo: state });
      }
      log(`restart: Worker up again at ${worker.url}`);
    };

    const post = async (body: string): Promise<PostOutcome> => {
      for (let attempt = 1; ; attempt++) {
        let res: Response;
        try {
          res = await fetch(`${worker!.url}/v1/signals`, {
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body,
            signal: AbortSignal.timeout(POST_TIMEOUT_MS),
          });
        } catch (e) {
          if (attempt >= 30) throw e;
          await sleep(1000);
          continue;
        }
        if (res.status === 202) {
          let json: { signals: { status: string }[] };
          try {
            json = (await res.json()) as { signals: { status: string }[] };
          } catch (e) {
            // the answer was cut off: the batch may or may not be in; the same ids make a retry safe
            if (attempt >= 30) throw e;
            continue;
          }
          let a = 0;
          let d = 0;
          for (const s of json.signals) s.status === "accepted" ? a++ : d++;
          return { accepted: a, dropped: d };
        }
        const text = await res.text();
        if ((res.status === 429 || res.status === 503) && attempt < 30) {
          const wait = Number(res.headers.get("retry-after") ?? "1");
          log(`POST /v1/signals: ${res.status}; retrying the same ids in ${wait} s`);
          await sleep((Number.isFinite(wait) ? wait : 1) * 1000);
          continue;
        }
        throw new Error(`POST /v1/signals: ${res.status} ${text.slice(0, 500)}`);
      }
    };

    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    let lastProgress = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        for (;;) {
          if (restart) await restart;
          if (next >= batches.length) return;
          const batch = batches[next++];
          inFlight++;
          let out: PostOutcome;
          try {
            out = await post(JSON.stringify({ signals: batch }));
          } finally {
            inFlight--;
            if (inFlight === 0 && idle) (idle as () => void)();
          }
          accepted += out.accepted;
          droppedAtIntake += out.dropped;
          posted += batch.length;
          if (opts.restartAfter !== undefined && !restarted && accepted >= opts.restartAfter) {
            restarted = true;
            restart = restartWorker().finally(() => (restart = null));
          }
          if (elapsed() - lastProgress >= 2) {
            lastProgress = elapsed();
            log(`${elapsed().toFixed(1)} s: posted ${posted}/${stream.length}, accepted ${accepted}, dropped at intake ${droppedAtIntake}, workerd RSS ${mb(peakRss)} MB peak`);
          }
        }
      }),
    );
    if (restart) await restart;
    const postSeconds = elapsed();
    log(`${postSeconds.toFixed(1)} s: all ${posted} posted (${(posted / postSeconds).toFixed(0)} signals/s at intake); accepted ${accepted}, dropped at intake ${droppedAtIntake}`);

    // poll the ledger until every accepted signal is accounted for
    let stats = null as StatsSignals | null;
    let l: Ledger = { settled: 0, pending: accepted, droppedInConsumer: 0, done: false };
    const deadline = started + opts.timeoutS * 1000;
    let lastLog = 0;
    const poll = async () => {
      try {
        const res = await fetch(`${worker!.url}/v1/stats`, { headers: auth, signal: AbortSignal.timeout(STATS_TIMEOUT_MS) });
        if (res.ok) {
          stats = ((await res.json()) as { signals: StatsSignals }).signals;
          l = ledger(stats, accepted, droppedAtIntake);
        } else await res.arrayBuffer();
      } catch (e) {
        // the Worker is busy or restarting; keep polling
        log(`GET /v1/stats: ${String((e as Error)?.message ?? e)}; polling on`);
      }
    };
    for (;;) {
      await poll();
      if (l.done || performance.now() >= deadline) break;
      if (elapsed() - lastLog >= 2) {
        lastLog = elapsed();
        log(`${elapsed().toFixed(1)} s: settled ${l.settled}/${accepted} (in reports ${stats?.in_reports ?? "?"}, noise ${stats?.noise ?? "?"}, dropped in consumer ${l.droppedInConsumer}, dead-lettered ${stats?.dead_lettered ?? "?"}), pending ${l.pending}, workerd RSS ${mb(sample().rss)} MB (peak ${mb(peakRss)}), workerd CPU ${(cpuSeconds() - cpuAtStart).toFixed(1)} s`);
      }
      // each poll is ~10 D1 queries, and local D1 calls cost workerd memory: poll slowly until the end is near
      await sleep(l.pending > 200 ? 2000 : 500);
    }
    const seconds = elapsed();
    if (!l.done) log(`timed out after ${opts.timeoutS} s with ${accepted - l.settled} accepted signals not accounted for`);
    sample();
    log(`workerd CPU ${(cpuSeconds() - cpuAtStart).toFixed(1)} s over ${seconds.toFixed(1)} s (${((cpuSeconds() - cpuAtStart) / seconds).toFixed(2)} cores), peak RSS ${mb(peakRss)} MB`);
    return {
      signals: stream.length,
      accepted,
      dropped: stats?.dropped ?? droppedAtIntake,
      in_reports: stats?.in_reports ?? 0,
      noise: stats?.noise ?? 0,
      dead_lettered: stats?.dead_lettered ?? 0,
      pending: l.pending,
      lost: accepted - l.settled,
      seconds: round(seconds),
      signals_per_s: round(stream.length / seconds),
      peak_rss_mb: Math.round(mb(peakRss)),
    };
  } catch (e) {
    if (worker) log(`wrangler output (tail):\n${worker.log().slice(-3000)}`);
    throw e;
  } finally {
    clearInterval(sampler);
    await worker?.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const round = (x: number) => Math.round(x * 10) / 10;

export async function e2eCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean", default: false },
      signals: { type: "string", default: "10000" },
      "restart-after": { type: "string" },
      timeout: { type: "string", default: "300" },
      seed: { type: "string", default: "1" },
      batch: { type: "string", default: "100" },
      concurrency: { type: "string", default: "4" },
    },
  });
  const opts: E2eOptions = {
    signals: Number(values.signals),
    seed: Number(values.seed),
    batch: Number(values.batch),
    concurrency: Number(values.concurrency),
    restartAfter: values["restart-after"] !== undefined ? Number(values["restart-after"]) : undefined,
    timeoutS: Number(values.timeout),
  };
  for (const [k, v] of Object.entries(opts)) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) throw new Error(`--${k}: not a number ≥ 0`);
  }
  console.log(
    `e2e bench: ${opts.signals} signals (seed ${opts.seed}), batches of ${opts.batch}, ${opts.concurrency} in flight` +
      (opts.restartAfter !== undefined ? `, restart after ${opts.restartAfter} accepted` : "") +
      `, timeout ${opts.timeoutS} s; local Worker (wrangler dev --env local)`,
  );
  const r = await benchE2e(opts, (s) => console.log(s));
  const mark = (ok: boolean) => (ok ? "ok" : "MISSED");
  const rows: [string, string, string][] = [
    ["signals", String(r.signals), ""],
    ["accepted", String(r.accepted), ""],
    ["dropped (unsafe)", String(r.dropped), ""],
    ["in reports", String(r.in_reports), ""],
    ["noise", String(r.noise), ""],
    ["dead-lettered", String(r.dead_lettered), ""],
    ["pending", String(r.pending), ""],
    ["lost", String(r.lost), `target ${TARGETS.lost}: ${mark(r.lost <= TARGETS.lost)}`],
    ["seconds", r.seconds.toFixed(1), `target ≤ ${TARGETS.seconds}: ${mark(r.seconds <= TARGETS.seconds)}`],
    ["signals/s", r.signals_per_s.toFixed(1), ""],
    ["peak workerd RSS MB", String(r.peak_rss_mb), `target ≤ ${TARGETS.peak_rss_mb}: ${mark(r.peak_rss_mb <= TARGETS.peak_rss_mb)}`],
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  const w2 = Math.max(...rows.map((x) => x[1].length));
  for (const [k, v, t] of rows) console.log(`${k.padEnd(w)}  ${v.padStart(w2)}  ${t}`.trimEnd());
  if (values.json) {
    const { signals, accepted, dropped, in_reports, noise, dead_lettered, pending, lost, seconds, signals_per_s, peak_rss_mb } = r;
    console.log(JSON.stringify({ signals, accepted, dropped, in_reports, noise, dead_lettered, pending, lost, seconds, signals_per_s, peak_rss_mb }));
  }
}
