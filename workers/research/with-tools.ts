/**
 * One research attempt with the run's tools: nightshift's own MCP tools
 * (scoped to the report), and for a researcher that asks for all of them the
 * project's external MCP servers' tools, are connected and closed after. When the
 * agent stops without an answer for a reason a retry would not change
 * (budget, loop, invalid output) the fallback researcher answers, its summary
 * says why, and the agent's run is the one kept; a model error is thrown, so
 * the attempt is retried.
 */
import type { Env } from "../env";
import { projectExternalTools } from "../mcp/external-tools";
import { ownMcpTools } from "../mcp/own-tools";
import { AgentResearchError } from "./agent-researcher";
import type { CodeResearcher, CodeResearchInput, CodeResearchResult } from "./research";

export async function researchWithTools(env: Env, researcher: CodeResearcher, fallback: CodeResearcher, input: CodeResearchInput): Promise<CodeResearchResult> {
  if (!researcher.tools) return researcher.research(input);
  const scope = { project: input.report.project, report: input.report.reportId };
  const own = await ownMcpTools(env, scope);
  const external = researcher.tools === "all" ? await projectExternalTools(env, scope.project) : { tools: [], failed: [], close: async () => {} };
  for (const f of external.failed) console.warn(`research ${scope.report}: MCP server ${f.server} left out: ${f.reason}`);
  try {
    return await researcher.research({ ...input, tools: [...input.tools, ...own.tools, ...external.tools] });
  } catch (err) {
    if (!(err instanceof AgentResearchError) || err.retryable) throw err;
    const answered = await fallback.research({ ...input, tools: [...input.tools, ...own.tools] });
    const why = `The research agent stopped without an answer (${err.stopReason}); ${fallback.name} answered. `;
    return { output: { ...answered.output, summary: `${why}${answered.output.summary}`.slice(0, 4000) }, run: err.run };
  } finally {
    await own.close();
    await external.close();
  }
}
