/**
 * What the offline code researcher asks of a checkout, each question one git
 * command in the Workspace, each recorded (step-log.ts) as a tool call and its
 * result in the run record (so a report shows how its research was reached, the same way an
 * agent's run is shown). Paths are repo-relative; every argument is one
 * quoted shell word; outputs are capped by the Workspace.
 */
import type { RepoCheckout } from "./research";
import { LOG_FORMAT, parseBlamePorcelain, parseLog, type BlamedLine } from "./git-output";
import type { RelevantCommit } from "./output";
import { shellQuote } from "../workspace/shell-quote";
import type { StepLog } from "./step-log";

const COMMAND_MS = 60_000;

export class RepoReader {
  private files: string[] | null = null;

  constructor(
    private readonly repo: RepoCheckout,
    private readonly record: StepLog,
  ) {}

  /** every tracked file (repo-relative) */
  async trackedFiles(): Promise<string[]> {
    if (!this.files) {
      const r = await this.run("ls_files", { }, "git ls-files -z");
      this.files = r.ok ? r.out.split("\0").filter(Boolean) : [];
    }
    return this.files;
  }

  /** the file's lines (1-based: `lines[n - 1]`), or null when it cannot be read */
  async lines(path: string): Promise<string[] | null> {
    const r = await this.run("read_file", { path }, `cat -- ${shellQuote(path)}`, false);
    return r.ok ? r.out.split("\n") : null;
  }

  async blame(path: string, line: number): Promise<BlamedLine | null> {
    const r = await this.run("git_blame", { path, line }, `git blame --porcelain -L ${line},${line} -- ${shellQuote(path)}`);
    return r.ok ? parseBlamePorcelain(r.out) : null;
  }

  /** the newest `n` commits that touched `path`, newest first */
  async log(path: string, n: number): Promise<RelevantCommit[]> {
    const r = await this.run("git_log", { path, n }, `git log -n ${n} --format=${shellQuote(LOG_FORMAT)} -- ${shellQuote(path)}`);
    return r.ok ? parseLog(r.out) : [];
  }

  /** `path:line:text` hits of a fixed string in tracked files, at most `max` */
  async grep(text: string, max: number): Promise<{ path: string; line: number; text: string }[]> {
    const r = await this.run("search_code", { text }, `git grep -n -I -F -e ${shellQuote(text)} -- . | head -n ${max}`);
    if (!r.ok) return [];
    const hits: { path: string; line: number; text: string }[] = [];
    for (const row of r.out.split("\n")) {
      const a = row.indexOf(":");
      const b = a < 0 ? -1 : row.indexOf(":", a + 1);
      if (b < 0) continue;
      const line = Number(row.slice(a + 1, b));
      if (Number.isInteger(line) && line > 0) hits.push({ path: row.slice(0, a), line, text: row.slice(b + 1) });
    }
    return hits;
  }

  async readIfExists(path: string): Promise<string | null> {
    const files = await this.trackedFiles();
    if (!files.includes(path)) return null;
    const lines = await this.lines(path);
    return lines ? lines.join("\n") : null;
  }

  private run(name: string, input: Record<string, unknown>, command: string, keepOutput = true): Promise<{ ok: boolean; out: string }> {
    return this.record.call(
      name,
      { ...input, command },
      async () => {
        const r = await this.repo.workspace.exec(command, { cwd: this.repo.dir, timeoutMs: COMMAND_MS });
        const ok = r.exitCode === 0;
        return { ok, out: ok ? r.stdout : r.stderr || r.stdout, truncated: r.truncated };
      },
      keepOutput,
    );
  }

}
