/**
 * Offline researcher: a deterministic evidence summary of a report's signals —
 * counts by source, error types, the top in-app frames and files, routes,
 * first and last seen, and a title from the most telling of them.
 */
import { head } from "../normalize/reading-window";
import { isInAppFile } from "../normalize/in-app";
import { parseError, urlPath } from "../normalize/stack";
import { SOURCE_FILE } from "./locate";
import type { Count, Evidence, Priority, Researcher, ResearchInput } from "./research";

const TOP = 5;

function top(counts: Map<string, number>): Count[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP)
    .map(([value, count]) => ({ value, count }));
}

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

export class EvidenceResearcher implements Researcher {
  readonly name = "offline-evidence-v1";

  async research(input: ResearchInput): Promise<Evidence> {
    return summarizeEvidence(input, this.name);
  }
}

export function summarizeEvidence(input: ResearchInput, researcher = "offline-evidence-v1"): Evidence {
  const bySource: Record<string, number> = {};
  const errorTypes = new Map<string, number>();
  const frames = new Map<string, number>();
  const files = new Map<string, number>();
  const routes = new Map<string, number>();
  let first = Infinity;
  let last = -Infinity;
  for (const s of input.signals) {
    bySource[s.source_product] = (bySource[s.source_product] ?? 0) + 1;
    first = Math.min(first, s.received_at);
    last = Math.max(last, s.received_at);
    const text = head(s.content);
    const parsed = parseError(text);
    if (parsed.type) bump(errorTypes, parsed.message ? `${parsed.type}: ${parsed.message.slice(0, 120)}` : parsed.type);
    const seenFiles = new Set<string>();
    for (const f of parsed.frames.filter((fr) => fr.inApp).slice(0, 3)) {
      bump(frames, `${f.fn ?? "<anonymous>"} (${f.file}${f.line ? `:${f.line}` : ""})`);
      seenFiles.add(f.file);
    }
    // files named in prose (issues, tickets) count as evidence of place too
    for (const m of text.matchAll(SOURCE_FILE)) if (isInAppFile(m[1])) seenFiles.add(m[1]);
    for (const file of seenFiles) bump(files, file);
    for (const u of parsed.urls) {
      const p = urlPath(u);
      if (p && p !== "/") bump(routes, p);
    }
    const route = /"route"\s*:\s*"([^"]+)"/.exec(text);
    if (route) bump(routes, route[1]);
  }

  const errorTop = top(errorTypes);
  const frameTop = top(frames);
  const fileTop = top(files);
  const routeTop = top(routes);
  const n = input.signals.length;
  const sources = Object.keys(bySource).length;
  const title =
    errorTop[0]?.value.slice(0, 100) ??
    (routeTop[0] ? `Problem on ${routeTop[0].value}` : firstLine(input.signals[0]?.content ?? "Untitled report"));
  const priority: Priority = input.weight >= 10 || (sources >= 3 && errorTop.length > 0) ? "p1" : sources >= 2 || n >= 5 ? "p2" : "p3";
  const where = fileTop.length ? ` in ${fileTop.map((f) => f.value).slice(0, 2).join(", ")}` : routeTop.length ? ` on ${routeTop[0].value}` : "";
  const summary =
    `${n} signal${n === 1 ? "" : "s"} from ${sources} source${sources === 1 ? "" : "s"} (${Object.entries(bySource)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})` +
    (errorTop.length ? `; errors: ${errorTop.map((e) => e.value.split(":")[0]).join(", ")}` : "") +
    where +
    ".";

  return {
    title,
    summary,
    priority,
    signal_count: n,
    total_weight: input.weight,
    counts_by_source: bySource,
    error_types: errorTop,
    top_frames: frameTop,
    top_files: fileTop,
    routes: routeTop,
    first_seen: Number.isFinite(first) ? first : 0,
    last_seen: Number.isFinite(last) ? last : 0,
    suggested_reviewer: null,
    researcher,
  };
}

/** The first line that is not blank (of the window: a title needs no more), without its Subject:/Title: label. */
function firstLine(text: string): string {
  const window = head(text);
  let line = window;
  for (let start = 0; start <= window.length; ) {
    const nl = window.indexOf("\n", start);
    const candidate = window.slice(start, nl < 0 ? window.length : nl);
    if (candidate.trim()) {
      line = candidate;
      break;
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return line.replace(/^(Subject|Title):\s*/i, "").slice(0, 100);
}
