/**
 * The agent's tools over a checked-out repository in a Workspace (issue 8,
 * item 5): `bash`, `read_file`, `edit_file`, `search_code`. Every path is
 * relative to the checkout's directory; an absolute path or a `..` segment is
 * refused before the Workspace is asked (which itself keeps to /workspace).
 * Commands run in the checkout with a deadline; their output is capped head
 * and tail. Every tool is untrusted: what it returns was written outside the
 * team (repository files, command output), so the loop fences it.
 *
 * A failed call is a result, not an exception: a non-zero exit, a missing
 * file, an edit whose text matches 0 or 2+ times come back as `isError` with
 * a message the model can act on.
 */
import { shellQuote } from "../workspace/shell-quote";
import type { Workspace } from "../workspace/workspace";
import { capHeadTail } from "./head-tail";
import type { AgentTool, ToolOutput } from "./tool";

export interface WorkspaceToolOptions {
  /** default deadline of one bash command (default 60 s) */
  bashTimeoutMs?: number;
  /** the longest deadline the model may ask for (default 300 s) */
  maxBashTimeoutMs?: number;
  /** kept of one command's output, head and tail (default 16 KiB) */
  maxOutputBytes?: number;
  /** read_file refuses a file bigger than this (default 1 MiB) */
  maxFileBytes?: number;
  /** lines read_file returns when no range is asked (default 400) */
  defaultReadLines?: number;
  /** include edit_file (default true; research passes false) */
  write?: boolean;
}

/** A checkout-relative path, checked: no absolute path, no `..`, no NUL; `.` and empty segments dropped. */
export function checkoutPath(dir: string, path: unknown): string {
  if (typeof path !== "string" || path.length === 0 || path.length > 4096) throw new ToolInputError("path must be a non-empty string of at most 4096 characters");
  if (path.includes("\0")) throw new ToolInputError("path must not contain NUL");
  if (path.startsWith("/")) throw new ToolInputError("path must be relative to the repository root, not absolute");
  const parts: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") throw new ToolInputError("path must not contain '..'");
    parts.push(seg);
  }
  if (parts.length === 0) throw new ToolInputError("path names the repository root, not a file");
  return `${dir.endsWith("/") ? dir.slice(0, -1) : dir}/${parts.join("/")}`;
}

class ToolInputError extends Error {}

const err = (text: string): ToolOutput => ({ text, isError: true });

/** Runs a tool body; a bad input or a Workspace error becomes an error result. */
async function guarded(body: () => Promise<ToolOutput>): Promise<ToolOutput> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ToolInputError) return err(`Invalid input: ${e.message}`);
    const reason = typeof (e as { reason?: unknown })?.reason === "string" ? ` (${(e as { reason: string }).reason})` : "";
    return err(`${e instanceof Error ? e.message : String(e)}${reason}`.slice(0, 2000));
  }
}

function str(input: Record<string, unknown>, name: string, opts: { optional?: boolean; allowEmpty?: boolean } = {}): string | undefined {
  const v = input[name];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== "string") throw new ToolInputError(`${name} must be a string`);
  if (!opts.allowEmpty && v.length === 0) throw new ToolInputError(`${name} must not be empty`);
  return v;
}

function posInt(input: Record<string, unknown>, name: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ToolInputError(`${name} must be a positive integer`);
  return v;
}

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

export function workspaceTools(ws: Workspace, dir: string, opts: WorkspaceToolOptions = {}): AgentTool[] {
  const bashTimeout = opts.bashTimeoutMs ?? 60_000;
  const maxTimeout = opts.maxBashTimeoutMs ?? 300_000;
  const maxOut = opts.maxOutputBytes ?? 16 * 1024;
  const maxFile = opts.maxFileBytes ?? 1024 * 1024;
  const defaultLines = opts.defaultReadLines ?? 400;

  const bash: AgentTool = {
    name: "bash",
    description:
      "Run a shell command (sh) in the repository's root directory, e.g. `git blame -L 40,50 -- src/a.ts`, `git log -n 5 --format='%H %an <%ae> %aI %s' -- src/a.ts`, `ls`. No network. Output is cut to its head and tail when long. A non-zero exit code is reported as an error.",
    inputSchema: {
      type: "object",
      properties: {
        command: { type: "string", description: "the command line" },
        timeout_seconds: { type: "integer", minimum: 1, maximum: Math.floor(maxTimeout / 1000), description: `default ${Math.floor(bashTimeout / 1000)}` },
      },
      required: ["command"],
    },
    untrusted: true,
    run: (input) =>
      guarded(async () => {
        const command = str(input, "command")!;
        const secs = posInt(input, "timeout_seconds");
        const timeoutMs = secs === undefined ? bashTimeout : Math.min(secs * 1000, maxTimeout);
        const r = await ws.exec(command, { cwd: dir, timeoutMs });
        const out = capHeadTail(r.stdout, Math.floor(maxOut / 2));
        const errOut = capHeadTail(r.stderr, Math.floor(maxOut / 2));
        const lines = [`exit code: ${r.exitCode}${r.timedOut ? ` (killed after ${timeoutMs / 1000} s)` : ""}${r.truncated || out.truncated || errOut.truncated ? " (output cut)" : ""}`];
        if (r.stdout) lines.push("stdout:", out.text);
        if (r.stderr) lines.push("stderr:", errOut.text);
        return { text: lines.join("\n"), isError: r.exitCode !== 0 };
      }),
  };

  const readFile: AgentTool = {
    name: "read_file",
    description: `Read a text file of the repository, with line numbers. Give start_line and end_line (1-based, inclusive) for a range; without them the first ${defaultLines} lines.`,
    inputSchema: {
      type: "object",
      properties: {
        path: { type: "string", description: "relative to the repository root" },
        start_line: { type: "integer", minimum: 1 },
        end_line: { type: "integer", minimum: 1 },
      },
      required: ["path"],
    },
    untrusted: true,
    run: (input) =>
      guarded(async () => {
        const rel = str(input, "path")!;
        const full = checkoutPath(dir, rel);
        const start = posInt(input, "start_line") ?? 1;
        const endAsked = posInt(input, "end_line");
        if (endAsked !== undefined && endAsked < start) throw new ToolInputError("end_line must not be before start_line");
        const content = await ws.readFile(full);
        const size = new TextEncoder().encode(content).length;
        if (size > maxFile) return err(`${rel} is ${size} bytes, over the ${maxFile}-byte limit: read it with bash (sed -n 'A,Bp')`);
        if (content.includes("\0")) return err(`${rel} looks binary (it holds NUL bytes)`);
        const lines = content.split("\n");
        if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
        const end = Math.min(lines.length, endAsked ?? start + defaultLines - 1);
        if (start > lines.length) return err(`${rel} has ${lines.length} lines; start_line ${start} is past its end`);
        const width = String(end).length;
        const body = lines.slice(start - 1, end).map((l, i) => `${String(start + i).padStart(width, " ")}\t${l}`);
        const more = end < lines.length ? `\n[lines ${end + 1}-${lines.length} not shown]` : "";
        const capped = capHeadTail(body.join("\n") + more, maxOut);
        return { text: `${rel} (lines ${start}-${end} of ${lines.length})\n${capped.text}` };
      }),
  };

  const editFile: AgentTool = {
    name: "edit_file",
    description: "Replace one exact piece of text in a file of the repository with another. old_string must occur exactly once in the file (include surrounding lines to make it unique); whitespace counts.",
    inputSchema: {
      type: "object",
      properties: {
        path: { type: "string", description: "relative to the repository root" },
        old_string: { type: "string", description: "text that occurs exactly once in the file" },
        new_string: { type: "string" },
      },
      required: ["path", "old_string", "new_string"],
    },
    untrusted: true,
    run: (input) =>
      guarded(async () => {
        const rel = str(input, "path")!;
        const full = checkoutPath(dir, rel);
        const oldS = str(input, "old_string")!;
        const newS = str(input, "new_string", { allowEmpty: true })!;
        if (oldS === newS) throw new ToolInputError("old_string and new_string are the same");
        const content = await ws.readFile(full);
        const n = countOccurrences(content, oldS);
        if (n !== 1) return err(`old_string occurs ${n} times in ${rel}; it must occur exactly once${n === 0 ? " (read the file again: whitespace and line breaks count)" : " (add surrounding lines to make it unique)"}`);
        const at = content.indexOf(oldS);
        await ws.writeFile(full, content.slice(0, at) + newS + content.slice(at + oldS.length));
        const line = content.slice(0, at).split("\n").length;
        return { text: `edited ${rel} at line ${line}` };
      }),
  };

  const searchCode: AgentTool = {
    name: "search_code",
    description:
      "Search the repository's tracked files (git grep -n): file:line:text for each match. The query is a fixed string unless regex is true (then POSIX extended regex). Optionally limit to a path (a file or directory, relative to the root).",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string" },
        regex: { type: "boolean", description: "default false" },
        ignore_case: { type: "boolean", description: "default false" },
        path: { type: "string", description: "limit to this file or directory" },
      },
      required: ["query"],
    },
    untrusted: true,
    run: (input) =>
      guarded(async () => {
        const query = str(input, "query")!;
        if (query.length > 1000) throw new ToolInputError("query must be at most 1000 characters");
        if (query.includes("\n") || query.includes("\0")) throw new ToolInputError("query must be one line");
        const path = str(input, "path", { optional: true });
        const pathArg = path === undefined ? "" : ` -- ${shellQuote(checkoutPath(".", path).slice(2))}`;
        const mode = input.regex === true ? "-E" : "-F";
        const icase = input.ignore_case === true ? " -i" : "";
        const command = `git --no-pager grep -n -I --no-color ${mode}${icase} -e ${shellQuote(query)}${pathArg}`;
        const r = await ws.exec(command, { cwd: dir, timeoutMs: bashTimeout });
        if (r.exitCode === 1 && r.stderr.trim() === "") return { text: "no matches" };
        if (r.exitCode !== 0) return err(`git grep failed (exit ${r.exitCode}): ${capHeadTail(r.stderr, 2000).text}`);
        const found = r.stdout.endsWith("\n") ? r.stdout.slice(0, -1) : r.stdout;
        const matches = found === "" ? 0 : found.split("\n").length;
        const capped = capHeadTail(found, maxOut);
        return { text: `${matches} matching line${matches === 1 ? "" : "s"}${capped.truncated ? " (cut; narrow the search)" : ""}\n${capped.text}` };
      }),
  };

  return opts.write === false ? [bash, readFile, searchCode] : [bash, readFile, editFile, searchCode];
}
