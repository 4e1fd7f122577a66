/**
 * The offline researcher's run record, step by step: each question it asks
 * (a git command, an MCP tool) is a tool call and its result, with the time
 * it took, as an agent's run records them.
 */
import type { RunStep } from "../agent/run-record";

const RECORDED_OUTPUT = 4000;

export class StepLog {
  readonly steps: RunStep[] = [];
  private calls = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  get toolCalls(): number {
    return this.calls;
  }

  /** runs `fn`, recording the call and (unless `keepOutput` is false: then its line count) what it answered */
  async call(name: string, input: Record<string, unknown>, fn: () => Promise<{ ok: boolean; out: string; truncated?: boolean }>, keepOutput = true): Promise<{ ok: boolean; out: string }> {
    const id = `c${++this.calls}`;
    const start = this.clock();
    this.steps.push({ kind: "tool_call", at: start, id, name, input });
    let r: { ok: boolean; out: string; truncated?: boolean };
    try {
      r = await fn();
    } catch (err) {
      r = { ok: false, out: err instanceof Error ? err.message : String(err) };
    }
    const shown = keepOutput ? r.out : `${r.out.split("\n").length} lines`;
    this.steps.push({
      kind: "tool_result",
      at: this.clock(),
      id,
      name,
      output: shown.length > RECORDED_OUTPUT ? `${shown.slice(0, RECORDED_OUTPUT)}\n[… ${shown.length - RECORDED_OUTPUT} more characters]` : shown,
      is_error: !r.ok,
      truncated: r.truncated === true || shown.length > RECORDED_OUTPUT,
      ms: this.clock() - start,
    });
    return { ok: r.ok, out: r.out };
  }
}
