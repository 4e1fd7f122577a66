/** Runs the eval CLI (evals/cli.ts) as a child process, as `npm run eval` does. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "../..");
const cli = [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "evals/cli.ts")];

export interface EvalRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** the environment without any Anthropic settings, plus `extra` */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("ANTHROPIC_") || k.startsWith("SAFETY_")) delete env[k];
  return { ...env, ...extra };
}

export function runEval(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): EvalRun {
  const r = spawnSync(process.execPath, [...cli, ...args], { cwd: root, encoding: "utf8", env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** async, so a server in this process can answer the child */
export function runEvalAsync(args: string[], env: NodeJS.ProcessEnv): Promise<EvalRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cli, ...args], { cwd: root, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export function lastJson(r: EvalRun): Record<string, unknown> {
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

export function tmpJsonl(lines: (string | object)[]): string {
  const dir = mkdtempSync(join(tmpdir(), "ns-eval-"));
  const f = join(dir, "data.jsonl");
  writeFileSync(f, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n");
  return f;
}
