/**
 * Tools that play back what a recorded run's tools answered, for a replay
 * made where those tools cannot run (nightshift's and external MCP servers'
 * data tools need the project's database and servers; the workspace tools
 * run again against a checkout). Each recorded tool answers its recorded
 * results in order — the text inside the fence, as the tool returned it —
 * and says so when the replay asks it more often than the run did.
 */
import { unfence } from "../safety/fence";
import { TOOL_OUTPUT_TAG } from "./fence-output";
import type { RunRecord } from "./run-record";
import type { AgentTool } from "./tool";

/** The tool's own text of a result as the model saw it: inside the fence, or the whole text when unfenced. */
export function unfenced(seen: string): string {
  return unfence(seen, TOOL_OUTPUT_TAG) ?? seen;
}

/** Playback tools for every tool name in the record that `available` does not offer (and that is not the answer tool). */
export function recordedTools(record: RunRecord, available: readonly string[], answerTool: string): AgentTool[] {
  const results = new Map<string, { text: string; isError: boolean; untrusted: boolean }[]>();
  for (const step of record.steps) {
    if (step.kind !== "tool_result" || available.includes(step.name) || step.name === answerTool) continue;
    const list = results.get(step.name) ?? [];
    const text = unfenced(step.output);
    list.push({ text, isError: step.is_error, untrusted: text !== step.output });
    results.set(step.name, list);
  }
  return [...results].map(([name, answers]) => {
    let next = 0;
    return {
      name,
      description: `Plays back the ${answers.length} result(s) the recorded run's ${name} gave.`,
      inputSchema: { type: "object" as const },
      // as the recorded tool was: fenced when its results were
      untrusted: answers.some((a) => a.untrusted),
      async run() {
        const a = answers[next++];
        if (!a) return { text: `the recording has no further result of ${name}`, isError: true };
        return { text: a.text, isError: a.isError };
      },
    };
  });
}

/** The commit the run researched, when its prompt names one (`"head": "<sha>"` in the report data). */
export function recordedHead(record: RunRecord): string | null {
  const m = /"head": "([0-9a-f]{40})"/.exec(record.prompt ?? "");
  return m ? m[1] : null;
}
