/**
 * The embedded-default demo: starts the local sandbox service (bubblewrap)
 * and the Worker with `wrangler dev --env local` (no network, no account, no
 * API key), builds the sample app (examples/sample-app) as a git repository
 * with its history, creates a project connected to it, feeds the bundled
 * sample stream through the real HTTP endpoint, lets the queue consumer group
 * it and the cron sweep promote; research checks the sample app out in a
 * Workspace and follows the signals to its files, lines, commits and
 * reviewers. Then it prints the reports and the inbox.
 *
 *   npm run demo              # … then keeps serving for you to explore
 *   npm run demo -- --once    # exits after printing
 *   npm run demo -- --data other.jsonl --port 8787
 *   npm run demo -- --replay  # the fix loop with a recorded agent run: PR, CI red then
 *                             # green, merge, regression (scripts/demo-replay.ts)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { escapeControl } from "../workers/ingest/control-chars";
import { createProject, root, SCHEDULED_PATH, startLocalWorker, waitFor } from "./local-worker";
import { makeSampleRepo, removeSampleRepo } from "./local/make-sample-repo";
import { startSandboxService } from "./local/sandbox-service";
import { replayDemo } from "./demo-replay";

/**
 * Text from signals (titles, reasons, summaries, ids) as one terminal-safe
 * line: control characters and escape sequences shown as `\x1b`-style
 * escapes instead of acted on, line breaks as `\n`.
 */
function show(text: unknown): string {
  return escapeControl(String(text)).replace(/\n/g, "\\n").replace(/\t/g, " ");
}

const { values } = parseArgs({
  options: {
    once: { type: "boolean", default: false },
    data: { type: "string", default: join(root, "scripts/demo/sample-stream.jsonl") },
    port: { type: "string" },
    threshold: { type: "string", default: "3" },
    replay: { type: "boolean", default: false },
    record: { type: "boolean", default: false },
  },
});

interface Stats {
  signals: { pending: number; unaccounted: number; grouped: number; in_reports: number; noise: number; dropped: number; dead_lettered: number };
  noise_by_reason: Record<string, number>;
}

interface ReportRow {
  id: string;
  state: string;
  title: string;
  weight: number;
  signal_count: number;
}

async function main(): Promise<void> {
  if (values.replay) return replayDemo({ record: values.record!, port: values.port ? Number(values.port) : undefined, stream: values.data! });
  const sandbox = await startSandboxService();
  console.log(`› local sandbox service on ${sandbox.url} (${sandbox.isolation.mode === "bwrap" ? "bubblewrap: no network, read-only system" : `UNISOLATED: ${sandbox.isolation.reason}`})`);
  const repo = makeSampleRepo();
  console.log(`› sample app repository (shop-web, 14 commits by 4 people and a bot) at ${repo}`);
  console.log("› starting the Worker (wrangler dev --env local, D1 migrations applied)");
  const worker = await startLocalWorker({ port: values.port ? Number(values.port) : undefined, vars: { WORKSPACE: "local", LOCAL_SANDBOX_URL: sandbox.url } });
  const base = worker.url;
  process.on("SIGINT", () => {
    void Promise.all([worker.stop(), sandbox.stop()]).then(() => process.exit(130));
  });
  console.log(`› serving on ${base}`);

  try {
    const created = await createProject(worker, {
      id: `demo-${Date.now().toString(36)}`,
      name: "nightshift demo",
      promotion_threshold: Number(values.threshold),
    });
    const key = created.key;
    const auth = { authorization: `Bearer ${key}` };
    console.log(`› project ${created.id} (promotion threshold ${values.threshold})`);
    const connected = await fetch(`${base}/v1/project`, {
      method: "PATCH",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ repository: { url: repo, default_branch: "main", test_command: "npm test" } }),
    });
    if (connected.status !== 200) throw new Error(`PATCH /v1/project: ${connected.status} ${await connected.text()}`);
    console.log("› connected the project to the sample app's repository");

    const signals = readFileSync(values.data!, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
    let accepted = 0;
    let dropped = 0;
    for (let i = 0; i < signals.length; i += 10) {
      const batch = signals.slice(i, i + 10).map(({ id, source_product, source_type, content, weight, timestamp, metadata }) => ({
        id, source_product, source_type, content, weight, timestamp, metadata,
      }));
      const res = await fetch(`${base}/v1/signals`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ signals: batch }) });
      if (res.status !== 202) throw new Error(`POST /v1/signals: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { accepted: number; dropped: number };
      accepted += body.accepted;
      dropped += body.dropped;
    }
    console.log(`› posted ${signals.length} signals: ${accepted} accepted, ${dropped} dropped by the safety classifier`);

    const getReports = async () => ((await (await fetch(`${base}/v1/reports`, { headers: auth })).json()) as { reports: ReportRow[] }).reports;
    const getStats = async () => (await (await fetch(`${base}/v1/stats`, { headers: auth })).json()) as Stats;
    // every posted signal ends up grouped into a report, kept as noise, dropped or dead-lettered
    const stats = await waitFor("the queue consumer to process every accepted signal", async () => {
      const st = await getStats();
      const s = st.signals;
      return s.pending === 0 && s.unaccounted === 0 ? st : undefined;
    });
    console.log(
      `› consumer: ${stats.signals.grouped} grouped, ${stats.signals.noise} kept as noise (${Object.entries(stats.noise_by_reason)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"}), ${stats.signals.dead_lettered} dead-lettered`,
    );

    console.log("› running the cron sweep");
    await fetch(`${base}${SCHEDULED_PATH}`);
    await waitFor("research to finish", async () => {
      const rs = await getReports();
      return rs.some((r) => r.state === "candidate" || r.state === "researching") ? undefined : true;
    });

    // every ready report starts its fix run; without an LLM key it stops at once and says so
    const getInbox = async () => (await (await fetch(`${base}/v1/inbox`, { headers: auth })).json()) as { needs_input: InboxItem[]; ready: InboxItem[] };
    await waitFor("the fix runs of ready reports to report", async () => {
      const ib = await getInbox();
      return ib.ready.every((it) => it.fix && !["queued", "running"].includes(it.fix.status)) ? true : undefined;
    });
    const reports = await getReports();
    const inbox = await getInbox();
    const droppedList = (await (await fetch(`${base}/v1/dropped`, { headers: auth })).json()) as { dropped: { id: string; reason: string; detail: string }[] };

    console.log(`\n${reports.length} reports from ${accepted} signals`);
    for (const r of reports) console.log(`  ${r.state.padEnd(12)} weight ${String(r.weight).padStart(4)}  ${r.signal_count} signal(s)  ${show(r.title).slice(0, 70)}`);

    for (const [label, items] of [["READY FOR A FIX", inbox.ready], ["NEEDS A HUMAN", inbox.needs_input]] as const) {
      console.log(`\n== ${label} (${items.length})`);
      for (const it of items) printItem(it);
    }
    console.log(`\n== DROPPED (${droppedList.dropped.length})`);
    for (const d of droppedList.dropped) console.log(`  ${show(d.id)}: ${show(d.reason)} (${show(d.detail)})`);

    if (values.once) return;
    console.log(`\nServing on ${base} — try:\n  curl -H 'authorization: Bearer ${key}' ${base}/v1/inbox\nCtrl-C to stop.`);
    await worker.exited;
  } finally {
    await worker.stop();
    await sandbox.stop();
    removeSampleRepo(repo);
  }
}

interface InboxItem {
  report_id: string;
  title: string;
  priority: string;
  weight: number;
  signal_count: number;
  reason: string;
  signals_since_research: number;
  research: { priority: string | null; confidence: number; where: string[]; reviewers: string[]; question: string | null; already_addressed: string | null } | null;
  fix?: { status: string; reason: string; pull: { number: number; html_url: string } | null } | null;
  evidence: {
    summary: string;
    counts_by_source: Record<string, number>;
    top_frames: { value: string; count: number }[];
    top_files: { value: string; count: number }[];
    routes: { value: string; count: number }[];
    first_seen: number;
    last_seen: number;
  };
}

function printItem(it: InboxItem): void {
  const e = it.evidence;
  const r = it.research;
  console.log(`\n  [${show(r?.priority ?? it.priority)}] ${show(it.title)}`);
  const fresh = it.signals_since_research ? ` (${it.signals_since_research} joined after research)` : "";
  console.log(`    report   ${show(it.report_id)}  weight ${it.weight}, ${it.signal_count} signals${fresh}`);
  console.log(`    why      ${show(it.reason)}`);
  if (r?.question) console.log(`    question ${show(r.question)}`);
  if (r?.where.length) console.log(`    code     ${r.where.map(show).join("; ")}`);
  if (r?.reviewers.length) console.log(`    review   ${r.reviewers.map(show).join(", ")}`);
  if (it.fix) console.log(`    fix      ${show(it.fix.status)}${it.fix.pull ? ` #${it.fix.pull.number} ${show(it.fix.pull.html_url)}` : ""}: ${show(it.fix.reason).slice(0, 160)}`);
  console.log(`    summary  ${show(e.summary)}`);
  console.log(`    sources  ${Object.entries(e.counts_by_source).map(([k, v]) => `${show(k)}=${v}`).join(" ")}`);
  if (e.top_frames.length) console.log(`    frames   ${e.top_frames.map((f) => `${show(f.value)} ×${f.count}`).join("; ")}`);
  if (e.top_files.length) console.log(`    files    ${e.top_files.map((f) => `${show(f.value)} ×${f.count}`).join("; ")}`);
  if (e.routes.length) console.log(`    routes   ${e.routes.map((f) => `${show(f.value)} ×${f.count}`).join("; ")}`);
  console.log(`    seen     ${new Date(e.first_seen).toISOString()} … ${new Date(e.last_seen).toISOString()}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`demo failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
