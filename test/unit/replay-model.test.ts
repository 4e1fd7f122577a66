/**
 * The replay Messages API of `npm run demo -- --replay`
 * (scripts/local/replay-model.ts), over HTTP with the shipped recording: the
 * right recording by report title and round, turn by turn; anything else
 * refused with a reason, never answered from another recording.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RECORDING } from "../../scripts/demo-replay";
import { startReplayModel, type Recording, type ReplayModel } from "../../scripts/local/replay-model";
import { recordedTurns } from "../../workers/agent/replay";

const recordings = JSON.parse(readFileSync(RECORDING, "utf8")) as Recording[];
let model: ReplayModel;

beforeAll(async () => {
  model = await startReplayModel({ recordings });
});
afterAll(() => model.stop());

const boundary = "a".repeat(32);
function request(title: string, feedback: { kind: string }[], assistantTurns = 0, tools = [{ name: "bash" }]) {
  const data = JSON.stringify({ report_id: "r", research: { title }, feedback });
  const messages: { role: string; content: unknown }[] = [{ role: "user", content: `The report is\n\n<report-${boundary}>\n${data}\n</report-${boundary}>\n\nFix it.` }];
  for (let i = 0; i < assistantTurns; i++) messages.push({ role: "assistant", content: [{ type: "text", text: "…" }] }, { role: "user", content: "ok" });
  return fetch(`${model.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m", max_tokens: 10, tools, messages }) });
}

describe("the replay model", () => {
  it("answers the first round and the CI round from their recordings, turn by turn", async () => {
    expect(recordings.map((r) => r.round)).toEqual(["first", "ci_failure"]);
    const [first, ci] = recordings;
    const t0 = (await (await request(first!.title, [])).json()) as unknown;
    expect(t0).toEqual(JSON.parse(JSON.stringify(recordedTurns(first!.record)[0])));
    const t2 = (await (await request(first!.title, [], 2)).json()) as unknown;
    expect(t2).toEqual(JSON.parse(JSON.stringify(recordedTurns(first!.record)[2])));
    const c0 = (await (await request(ci!.title, [{ kind: "ci_failure" }])).json()) as unknown;
    expect(c0).toEqual(JSON.parse(JSON.stringify(recordedTurns(ci!.record)[0])));
    expect(model.calls).toBe(3);
  });

  it("refuses what no recording covers: another report, a review round, a judge, a turn past the end", async () => {
    const other = await request("Search finds nothing for plurals", []);
    expect(other.status).toBe(400);
    expect(((await other.json()) as { error: { message: string } }).error.message).toContain("no recorded fix run");
    expect((await request(recordings[0]!.title, [{ kind: "review_comment" }])).status).toBe(400);
    expect((await request(recordings[0]!.title, [], 0, [])).status).toBe(400);
    expect((await request(recordings[0]!.title, [], 99)).status).toBe(500);
    expect(model.unmatched).toBe(2);
  });
});
