/**
 * Related signals outside the report, asked through nightshift's own MCP
 * tool `related_signals` (the tool the agent gets too): signals sharing a
 * signal's grouping fingerprint that sit in other reports or in none — a
 * grouping split research should say out loud. Reads the tool's fenced JSON;
 * anything else (an error, an unexpected shape) reads as nothing found.
 */
import type { AgentTool } from "../agent/tool";
import { DATA_TAG } from "../mcp/tool-result";
import { unfence } from "../safety/fence";
import type { StepLog } from "./step-log";

export interface RelatedElsewhere {
  /** other report id → how many of its signals share the fingerprint */
  reports: Record<string, number>;
  /** signals with the fingerprint in no report (pending or noise) */
  unreported: number;
}

/** The JSON inside a tool result's data fence (mcp/tool-result.ts), or null. */
function fencedJson(text: string): unknown {
  const inside = unfence(text, DATA_TAG);
  if (inside === null) return null;
  try {
    return JSON.parse(inside);
  } catch {
    return null;
  }
}

export async function relatedElsewhere(tools: AgentTool[], signalIds: string[], reportId: string, log: StepLog, maxAsked = 3): Promise<RelatedElsewhere | null> {
  const tool = tools.find((t) => t.name === "related_signals");
  if (!tool) return null;
  const found: RelatedElsewhere = { reports: {}, unreported: 0 };
  const seen = new Set<string>(signalIds);
  for (const id of signalIds.slice(0, maxAsked)) {
    const input = { signal_id: id, by: "fingerprint", limit: 50 };
    const r = await log.call("related_signals", input, async () => {
      const out = await tool.run(input);
      return { ok: !out.isError, out: out.text };
    });
    if (!r.ok) continue;
    const data = fencedJson(r.out) as { related?: { id?: unknown; report_id?: unknown }[] } | null;
    for (const s of data?.related ?? []) {
      if (typeof s.id !== "string" || seen.has(s.id)) continue;
      seen.add(s.id);
      if (typeof s.report_id === "string" && s.report_id !== reportId) found.reports[s.report_id] = (found.reports[s.report_id] ?? 0) + 1;
      else if (s.report_id === null || s.report_id === undefined) found.unreported++;
    }
  }
  return found;
}
