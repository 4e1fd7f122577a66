/**
 * Replays a recorded research run offline: the model's recorded turns are
 * played back (no key, no network), the workspace tools run again against a
 * fresh checkout of the repository at the commit the run researched, and the
 * data tools (nightshift's and external MCP servers') answer what they
 * answered then. Each tool result is compared with the recording; the first
 * that differs is printed with its step, and the exit code is 1.
 *
 *   curl -s -H 'authorization: Bearer <key>' $BASE/v1/reports/<id>/research-run > run.json
 *   npx tsx scripts/replay-research.ts --run run.json --repo /path/to/repo [--ref <sha>]
 *
 * The checkout is on this machine, unisolated (evals/host-workspace.ts): replay
 * only repositories you trust. An offline researcher's run (no model) is
 * deterministic and is not replayed: research again instead.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DiskWorkspace } from "../evals/host-workspace";
import { recordedHead, recordedTools } from "../workers/agent/recorded-tools";
import { replayRun } from "../workers/agent/replay";
import type { RunRecord } from "../workers/agent/run-record";
import { workspaceTools } from "../workers/agent/workspace-tools";
import { submitResearchTool } from "../workers/research/agent-researcher";

export async function replayResearch(record: RunRecord, repo: string, ref: string | null): Promise<{ ok: boolean; lines: string[] }> {
  const ws = new DiskWorkspace("replay");
  try {
    const dir = "/workspace/repo";
    await ws.gitCheckout(repo.startsWith("/") ? `file://${repo}` : repo, undefined, dir);
    const head = ref ?? recordedHead(record);
    if (head) {
      const r = await ws.exec(`git checkout -q ${/^[0-9a-f]{7,40}$/.test(head) ? head : "HEAD"}`, { cwd: dir });
      if (r.exitCode !== 0) throw new Error(`cannot check out ${head}: ${r.stderr.trim()}`);
    }
    const tools = workspaceTools(ws, dir, { write: false });
    const finalTool = submitResearchTool(null);
    const all = [...tools, ...recordedTools(record, tools.map((t) => t.name), finalTool.name)];
    const result = await replayRun(record, { tools: all, finalTool });
    const results = record.steps.filter((s) => s.kind === "tool_result" && s.name !== finalTool.name).length;
    if (result.ok) return { ok: true, lines: [`replayed ${record.agent} at ${head ?? "the default branch"}: ${results} tool result(s), all as recorded (stop: ${result.run.record.stop_reason})`] };
    return {
      ok: false,
      lines: [`step ${result.step}: ${result.reason}`, "--- recorded", result.expected ?? "(none)", "--- now", result.actual ?? "(none)"],
    };
  } finally {
    ws.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { run: { type: "string" }, repo: { type: "string" }, ref: { type: "string" } } });
  if (!values.run || !values.repo) {
    console.error("usage: npx tsx scripts/replay-research.ts --run run.json --repo PATH|URL [--ref SHA]");
    process.exit(2);
  }
  const parsed = JSON.parse(readFileSync(values.run, "utf8")) as RunRecord | { run: RunRecord };
  const record = "run" in parsed ? parsed.run : parsed;
  if (record.model === null) {
    console.error(`${record.agent} ran no model: its run is deterministic; research the report again instead of replaying it`);
    process.exit(2);
  }
  const { ok, lines } = await replayResearch(record, values.repo, values.ref ?? null);
  for (const l of lines) console.log(l);
  process.exit(ok ? 0 : 1);
}

if (process.argv[1]?.endsWith("replay-research.ts")) void main();
