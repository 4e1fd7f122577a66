import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "../..");
function runEval(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "evals/cli.ts"), ...args], {
    cwd: root,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmpFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "ns-eval-"));
  const f = join(dir, "data.jsonl");
  writeFileSync(f, lines.join("\n") + "\n");
  return f;
}

const line = (id: string, group: string, content: string, extra = {}) =>
  JSON.stringify({ id, source_product: "errors", source_type: "exception", content, group, ...extra });

describe("eval CLI (grouping)", () => {
  it("prints a table and, with --json, one JSON object on the last line", () => {
    const trace = "TypeError: boom\n    at resizeImage (src/workers/thumbnail.ts:52:17)";
    const f = tmpFile([
      line("a", "g1", trace),
      line("b", "g1", trace.replace("52", "53"), { unknown_field: true }),
      line("c", "g2", "#feedback — would love a dark mode for the dashboard"),
    ]);
    const r = runEval(["grouping", "--data", f, "--json", "--baseline", "raw-embedding"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("pairwise_f1");
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(last).toMatchObject({ suite: "grouping", provider: "offline", n: 3, ari: 1, ga: 1, groups_true: 2, groups_pred: 2, llm_calls: 0 });
    // the fingerprint repeat cost no embedding call
    expect(last.embed_calls).toBe(2);
    expect(last.baseline).toMatchObject({ name: "raw-embedding", embed_calls: 3 });
  });

  it("scores only fingerprints with --stage fingerprint", () => {
    const f = tmpFile([
      line("a", "g1", '{"level":"warn","service":"auth","msg":"request exceeded 5000ms"}', { source_product: "logs", source_type: "log" }),
      line("b", "g1", '{"level":"warn","service":"auth","msg":"request exceeded 7000ms"}', { source_product: "logs", source_type: "log" }),
    ]);
    const last = JSON.parse(runEval(["grouping", "--data", f, "--stage", "fingerprint", "--json"]).stdout.trim().split("\n").at(-1)!);
    expect(last).toMatchObject({ stage: "fingerprint", ga: 1, embed_calls: 0 });
  });

  it("exits 2 naming the line of a malformed line", () => {
    const f = tmpFile([line("a", "g1", "x"), "{not json", line("c", "g1", "y")]);
    const r = runEval(["grouping", "--data", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/data\.jsonl:2: not valid JSON/);
  });

  it("exits 2 naming the field of a line missing one", () => {
    const f = tmpFile([line("a", "g1", "x"), JSON.stringify({ id: "b", source_product: "x", source_type: "y", content: "z" })]);
    const r = runEval(["grouping", "--data", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/data\.jsonl:2: group/);
  });

  it("exits 2 for an unknown suite or a provider that is not wired", () => {
    expect(runEval(["nope", "--data", "x"]).code).toBe(2);
    const f = tmpFile([line("a", "g1", "x")]);
    expect(runEval(["grouping", "--data", f, "--provider", "anthropic"]).code).toBe(2);
  });
});
