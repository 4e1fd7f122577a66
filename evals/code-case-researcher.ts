/**
 * The actionability eval's code researchers: a case goes to a CodeResearcher
 * as the research run would hand it over — the evidence summary first, then,
 * for `repo: "sample-app"` cases, a checkout of the sample app (built once per
 * run by scripts/local/make-sample-repo.ts into a host Workspace, shared
 * read-only by the cases) — and the bucket comes from its output.
 */
import { makeSampleRepo } from "../scripts/local/make-sample-repo";
import { summarizeEvidence } from "../workers/research/evidence";
import type { CodeResearcher, RepoCheckout } from "../workers/research/research";
import { DiskWorkspace } from "./host-workspace";
import { caseToResearchInput, type CaseResearcher } from "./suites/actionability-case";

export function codeCaseResearcher(researcher: CodeResearcher): CaseResearcher & { dispose(): void } {
  let checkout: Promise<RepoCheckout> | null = null;
  let ws: DiskWorkspace | null = null;
  const sampleApp = () =>
    (checkout ??= (async () => {
      ws = new DiskWorkspace("eval-sample-app");
      const dir = "/workspace/repo";
      const url = `file://${makeSampleRepo()}`;
      await ws.gitCheckout(url, "main", dir);
      const head = (await ws.exec("git rev-parse HEAD", { cwd: dir })).stdout.trim();
      return { workspace: ws, dir, url, branch: "main", head, testCommand: "npm test" };
    })());
  return {
    name: researcher.name,
    async research(c) {
      const report = caseToResearchInput(c);
      const repo = c.repo === "sample-app" ? await sampleApp() : null;
      const { output, run } = await researcher.research({ report, evidence: summarizeEvidence(report), repo, tools: [] });
      return {
        bucket: output.actionability.bucket,
        rule: output.actionability.rule,
        reason: output.actionability.reason,
        usage: { tool_calls: run.tool_calls, input_tokens: run.input_tokens, output_tokens: run.output_tokens, llm_calls: run.steps.filter((s) => s.kind === "model").length },
      };
    },
    dispose() {
      ws?.dispose();
    },
  };
}
