/**
 * Parsers for the git output the offline code researcher reads (pure; the
 * commands run in the Workspace):
 *  - `git blame --porcelain -L n,n -- path`  → the commit that last touched a line
 *  - `git log --format=%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1e` → commits, newest first
 * Both read line by line, in linear time; fields are cut to the research
 * output's limits.
 */
import type { RelevantCommit } from "./output";

/** the `--format` that `parseLog` reads: fields split by US (0x1f), records by RS (0x1e) */
export const LOG_FORMAT = "%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1e";

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export interface BlamedLine {
  commit: RelevantCommit;
  /** the line's text at HEAD */
  text: string;
  /** git's placeholder for lines not yet committed */
  uncommitted: boolean;
}

export function parseLog(out: string): RelevantCommit[] {
  const commits: RelevantCommit[] = [];
  for (const record of out.split("\x1e")) {
    const fields = record.replace(/^\s+/, "").split("\x1f");
    if (fields.length < 5 || !SHA.test(fields[0])) continue;
    commits.push({
      sha: fields[0],
      author: fields[1].slice(0, 200) || "unknown",
      email: fields[2] ? fields[2].slice(0, 320) : null,
      date: fields[3].slice(0, 40),
      subject: fields.slice(4).join(" ").trim().slice(0, 300),
    });
  }
  return commits;
}

/** The first blamed line of `git blame --porcelain` output, or null when there is none. */
export function parseBlamePorcelain(out: string): BlamedLine | null {
  const lines = out.split("\n");
  const header = lines[0]?.split(" ") ?? [];
  if (header.length < 3 || !SHA.test(header[0])) return null;
  const sha = header[0];
  const fields = new Map<string, string>();
  let text: string | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("\t")) {
      text = line.slice(1);
      break;
    }
    const sp = line.indexOf(" ");
    if (sp > 0) fields.set(line.slice(0, sp), line.slice(sp + 1));
  }
  if (text === null) return null;
  const time = Number(fields.get("author-time"));
  const mail = (fields.get("author-mail") ?? "").replace(/^<|>$/g, "");
  return {
    commit: {
      sha,
      author: (fields.get("author") ?? "unknown").slice(0, 200),
      email: mail ? mail.slice(0, 320) : null,
      date: Number.isFinite(time) ? new Date(time * 1000).toISOString() : "",
      subject: (fields.get("summary") ?? "").slice(0, 300),
    },
    text,
    uncommitted: /^0{40}$/.test(sha),
  };
}
