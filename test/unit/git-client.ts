/**
 * Real git as a client of the local forge, for the forge and CI tests: async
 * child processes (the servers live in the test's own process), no config of
 * the machine (GIT_CONFIG_GLOBAL=/dev/null, no system config, no prompts), a
 * fixed author and committer. `date` pins both dates too (deterministic
 * commit ids); without it git stamps the time as usual.
 */
import { execFile } from "node:child_process";

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitClientOptions {
  /** ISO date for GIT_AUTHOR_DATE and GIT_COMMITTER_DATE */
  date?: string;
}

export function gitClientEnv(opts: GitClientOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_")) env[k] = v;
  return {
    ...env,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GIT_AUTHOR_NAME: "Nightshift",
    GIT_AUTHOR_EMAIL: "nightshift@example.invalid",
    GIT_COMMITTER_NAME: "Nightshift",
    GIT_COMMITTER_EMAIL: "nightshift@example.invalid",
    ...(opts.date ? { GIT_AUTHOR_DATE: opts.date, GIT_COMMITTER_DATE: opts.date } : {}),
  };
}

/** git's exit code and output, whatever it is */
export function gitRun(cwd: string, args: string[], opts: GitClientOptions = {}): Promise<GitRun> {
  return new Promise((ok) => {
    execFile("git", args, { cwd, env: gitClientEnv(opts), maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      ok({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** git's trimmed stdout; a non-zero exit throws with its stderr */
export async function gitOk(cwd: string, args: string[], opts: GitClientOptions = {}): Promise<string> {
  const r = await gitRun(cwd, args, opts);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}
