/**
 * A Messages API that replays recorded fix runs, for `npm run demo --
 * --replay`: no model is called and no key is needed. The fix run's
 * AgentFixer talks to it as to Anthropic (ANTHROPIC_BASE_URL); each request
 * is matched to a recording by the report it is about (the research title in
 * the fenced first turn) and its round (the first fix, or an answer to a CI
 * failure or a review comment, from the fenced feedback), and answered with
 * that recording's next model turn (workers/agent/replay.ts `recordedTurns`).
 * The tools run for real against the checkout: only the model's words and
 * tool calls come from the recording. A request no recording matches gets a
 * 400 saying so (the fix run then stops with the reason); a request with no
 * tools (a judge) gets 400 too — the demo keeps every other LLM face offline.
 *
 *   const model = await startReplayModel({ recordings });   // model.url → ANTHROPIC_BASE_URL
 *   model.calls                                              // model turns served
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { recordedTurns } from "../../workers/agent/replay";
import type { RunRecord } from "../../workers/agent/run-record";

export type RecordedRound = "first" | "ci_failure" | "review_comment";

export interface Recording {
  /** the research title of the report this run fixed */
  title: string;
  round: RecordedRound;
  record: RunRecord;
}

export interface ReplayModel {
  url: string;
  /** model turns answered from recordings */
  readonly calls: number;
  /** requests no recording matched */
  readonly unmatched: number;
  stop(): Promise<void>;
}

const MAX_BODY = 8 << 20;

async function body(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error("request body over 8 MiB");
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function text(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((b: { type?: string; text?: string }) => (b.type === "text" ? (b.text ?? "") : "")).join("\n");
}

/** The recording for a request: its report's title and round, read from the fenced first turn. */
export function matchRecording(recordings: readonly Recording[], request: { messages?: { role: string; content: unknown }[] }): { recording: Recording; turn: number } | null {
  const messages = request.messages ?? [];
  const first = text(messages[0]?.content);
  const fenced = /<report-([0-9a-f]{32})>\n([\s\S]*)\n<\/report-\1>/.exec(first);
  if (!fenced) return null;
  let data: { research?: { title?: string }; feedback?: { kind?: string }[] };
  try {
    data = JSON.parse(fenced[2]!);
  } catch {
    return null;
  }
  const round: RecordedRound = data.feedback?.length ? (data.feedback[0]!.kind === "ci_failure" ? "ci_failure" : "review_comment") : "first";
  const recording = recordings.find((r) => r.round === round && r.title === data.research?.title);
  if (!recording) return null;
  return { recording, turn: messages.filter((m) => m.role === "assistant").length };
}

export async function startReplayModel(opts: { recordings: Recording[]; port?: number }): Promise<ReplayModel> {
  const turns = new Map(opts.recordings.map((r) => [r, recordedTurns(r.record)]));
  let calls = 0;
  let unmatched = 0;
  const refuse = (status: number, message: string) => JSON.stringify({ type: "error", error: { type: status === 404 ? "not_found_error" : "invalid_request_error", message } });
  const server: Server = createServer((req, res) => {
    const send = (status: number, json: string) => {
      res.writeHead(status, { "content-type": "application/json", "request-id": `req_replay_${calls}` });
      res.end(json);
    };
    if (req.method !== "POST" || !(req.url ?? "").startsWith("/v1/messages")) return send(404, refuse(404, `the replay model answers POST /v1/messages only, not ${req.method} ${req.url}`));
    body(req).then(
      (raw) => {
        let request: { tools?: unknown[]; messages?: { role: string; content: unknown }[] };
        try {
          request = JSON.parse(raw);
        } catch {
          return send(400, refuse(400, "the body is not JSON"));
        }
        if (!request.tools?.length) return send(400, refuse(400, "replay: only the fix agent is replayed; other LLM faces stay offline in the demo"));
        const found = matchRecording(opts.recordings, request);
        if (!found) {
          unmatched++;
          return send(400, refuse(400, "replay: no recorded fix run for this report and round (only the recorded ones are replayed)"));
        }
        const turn = turns.get(found.recording)![found.turn];
        if (!turn) return send(500, JSON.stringify({ type: "error", error: { type: "api_error", message: "replay: the recording has no further model turn" } }));
        calls++;
        send(200, JSON.stringify(turn));
      },
      (e) => send(413, refuse(400, (e as Error).message)),
    );
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    get unmatched() {
      return unmatched;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
