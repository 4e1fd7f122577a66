/**
 * Research off the report's alarm: a promoted report sends a research job to
 * the research queue; one research run Durable Object per report revision runs
 * it (retrying on its own alarm) and hands the result back, which the report
 * takes only for its current revision.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ReportView } from "../../durable-objects/report";
import type { ResearchRunView } from "../../durable-objects/research-run";
import worker from "../../workers/index";
import type { ResearchJob } from "../../workers/research/job";
import { api, createProject, deliver, message, settle, waitForReport } from "./helpers";

const FAULT = "nightshift-research-fault";
const checkoutError = (n: number) =>
  `TypeError: Cannot read properties of null (reading 'items')\n    at computeTotals (src/checkout/totals.ts:42:18)\n    at PaymentStep.render (src/checkout/PaymentStep.tsx:88:20)\nurl: https://shop.example.com/checkout/payment?attempt=${n}`;

function reportStub(id: string) {
  return env.REPORTS.get(env.REPORTS.idFromName(id));
}

function runStub(report: string, revision: number) {
  return env.RESEARCH_RUNS.get(env.RESEARCH_RUNS.idFromName(`${report}:${revision}`));
}

async function reportOf(project: string, signal: string): Promise<string> {
  const row = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = ? AND id = ?").bind(project, signal).first<{ report_id: string }>();
  if (!row) throw new Error(`no signal ${signal}`);
  return row.report_id;
}

async function waitForRun(report: string, revision: number, pred: (r: ResearchRunView) => boolean, what: string): Promise<ResearchRunView> {
  let last: ResearchRunView | null = null;
  for (let i = 0; i < 1500; i++) {
    last = await runStub(report, revision).snapshot();
    if (last && pred(last)) return last;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`run ${report}:${revision} never ${what}: ${JSON.stringify(last)}`);
}

/** Runs the worker's queue handler on research jobs, as the research queue would deliver them. */
async function deliverJobs(jobs: ResearchJob[]) {
  const batch = createMessageBatch<ResearchJob>(
    "nightshift-research",
    jobs.map((body, i) => ({ id: `r${i}-${body.report}:${body.revision}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("research runs", () => {
  it("a promoted report reaches ready through the research queue and its run; a redelivered job runs once", async () => {
    const key = await createProject("rr-ready", 2);
    await deliver([message("rr-ready", { id: "a1", content: checkoutError(1) }), message("rr-ready", { id: "a2", content: checkoutError(2) })]);
    const id = await reportOf("rr-ready", "a1");
    expect(await reportOf("rr-ready", "a2")).toBe(id);
    const view = await settle(id);
    expect(view.state).toBe("ready");
    expect(view.evidence?.signal_count).toBe(2);
    const run = await waitForRun(id, view.revision, (r) => r.delivered, "delivered");
    expect(run).toMatchObject({ state: "done", outcome: "researched", attempts: 1, starts: 1, last_error: null });
    expect(run.started_at).toEqual(expect.any(Number));
    expect(run.finished_at).toBeGreaterThanOrEqual(run.started_at!);
    // no repository connected: research from the evidence alone, its (empty) run recorded and shown
    expect(view.research).toMatchObject({ actionability: { bucket: "actionable" }, findings: [expect.objectContaining({ signal_ids: ["a1", "a2"], locations: [{ path: "src/checkout/totals.ts", line: 42, snippet: null }] }), expect.anything()] });
    expect(view.research?.summary).toContain("No repository is connected");
    // no git: only nightshift's MCP tool related_signals, once per signal with a frame
    expect(view.research_run).toMatchObject({ key: `${id}:${view.revision}`, agent: "offline-code-v1", stop_reason: "done", tool_calls: 2 });
    const recorded = await api(key, `/v1/reports/${id}/research-run`);
    expect(recorded.status).toBe(200);
    const body = (await recorded.json()) as { run: { steps: { kind: string; name: string; input?: unknown; is_error?: boolean }[] } };
    expect(body).toMatchObject({ report: id, key: `${id}:${view.revision}`, run: { v: 1, purpose: "research", agent: "offline-code-v1" } });
    expect(body.run.steps.filter((s) => s.kind === "tool_call").map((s) => [s.name, s.input])).toEqual([
      ["related_signals", { signal_id: "a1", by: "fingerprint", limit: 50 }],
      ["related_signals", { signal_id: "a2", by: "fingerprint", limit: 50 }],
    ]);
    expect(body.run.steps.filter((s) => s.kind === "tool_result").every((s) => s.is_error === false)).toBe(true);
    const inbox = (await (await api(key, "/v1/inbox")).json()) as { ready: { report_id: string; research: unknown }[] };
    expect(inbox.ready.find((e) => e.report_id === id)?.research).toMatchObject({ priority: expect.stringMatching(/^P[0-4]$/), where: ["src/checkout/totals.ts:42", "src/checkout/PaymentStep.tsx:88"] });

    // the queue delivers the same job again (at least once), twice: the run is not started again
    const job: ResearchJob = { v: 1, project: "rr-ready", report: id, revision: view.revision };
    const result = await deliverJobs([job, job]);
    expect(result.explicitAcks).toHaveLength(2);
    const again = await runStub(id, view.revision).snapshot();
    expect(again).toMatchObject({ state: "done", attempts: 1, starts: 3, delivered: true });
    const after = (await reportStub(id).snapshot())!;
    expect(after.state).toBe("ready");
    expect(after.history).toHaveLength(view.history.length);
    // the sweep does not re-send research for a report that is ready
    expect(await reportStub(id).sweep(2, 0)).toMatchObject({ rearmed: false, state: "ready" });
  });

  it("a research job that never reached its run (a restart drops the local queue) is sent again by the report", async () => {
    // a high bar: the report stays potential, so nothing is sent on its own
    await createProject("rr-lost", 100);
    await deliver([message("rr-lost", { id: "l1", content: checkoutError(1) }), message("rr-lost", { id: "l2", content: checkoutError(2) })]);
    const id = await reportOf("rr-lost", "l1");
    const stub = reportStub(id);
    const revision = (await stub.snapshot())!.revision;
    // as if the job for this revision had been sent a minute ago and lost with the queue
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec("UPDATE meta SET state = 'researching', research_revision = revision, research_sent_at = ?", Date.now() - 61_000);
    });
    expect(await runStub(id, revision).snapshot()).toBeNull();
    await runInDurableObject(stub, async (instance) => {
      await (instance as unknown as { alarm(): Promise<void> }).alarm();
    });
    const view = await waitForReport(id, (v) => v.state !== "researching", "left research");
    expect(view.state).toBe("ready");
    // the run marks the result delivered once the report's call returns: poll for it
    expect(await waitForRun(id, revision, (r) => r.delivered, "delivered")).toMatchObject({ state: "done", outcome: "researched", starts: 1, delivered: true });
  });

  it("a malformed research job is acked and dropped, not retried", async () => {
    const result = await deliverJobs([{ v: 1, project: "p", report: "r", revision: -1 } as ResearchJob]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
  });

  it("a run whose researcher fails retries on its alarm and then succeeds", async () => {
    await createProject("rr-retry", 2);
    await deliver([
      message("rr-retry", { id: "b1", content: checkoutError(1) }),
      message("rr-retry", { id: "b2", content: `${checkoutError(2)}\n${FAULT}:2` }),
    ]);
    const id = await reportOf("rr-retry", "b1");
    expect(await reportOf("rr-retry", "b2")).toBe(id);
    const view = await settle(id);
    expect(view.state).toBe("ready");
    const run = await waitForRun(id, view.revision, (r) => r.delivered, "delivered");
    expect(run).toMatchObject({ state: "done", outcome: "researched", attempts: 3 });
    expect(run.last_error).toContain("injected research fault");
  });

  it("a run that gives up leaves the report researching with the reason; a stale result is ignored and the newer revision decides", async () => {
    await createProject("rr-stale", 3);
    await deliver([
      message("rr-stale", { id: "c1", content: checkoutError(1) }),
      message("rr-stale", { id: "c2", content: checkoutError(2) }),
      message("rr-stale", { id: "c3", content: `${checkoutError(3)}\n${FAULT}:99` }),
    ]);
    const id = await reportOf("rr-stale", "c1");
    for (const s of ["c2", "c3"]) expect(await reportOf("rr-stale", s)).toBe(id);
    const stub = reportStub(id);
    // every attempt of the run fails: the report stays researching, with the reason
    const parked = await waitForReport(id, (v) => v.research_error !== null, "recorded a research failure");
    expect(parked.state).toBe("researching");
    expect(parked.research_error).toMatch(/research failed after 3 attempts: injected research fault/);
    const failed = await waitForRun(id, parked.revision, (r) => r.state === "failed" && r.delivered, "failed");
    expect(failed.attempts).toBe(3);

    // the sweep finds it stalled and re-sends the job: the failed run starts a new round
    expect(await stub.sweep(3, 0)).toMatchObject({ rearmed: true, state: "researching" });
    await waitForRun(id, parked.revision, (r) => r.starts === 2 && r.state === "failed" && r.delivered, "restarted by the sweep");

    // the signal set changes while that revision is researched: a signal joins, the faulty one is moved out
    await deliver([message("rr-stale", { id: "c4", content: checkoutError(4) })]);
    expect(await reportOf("rr-stale", "c4")).toBe(id);
    expect(await stub.removeSignal("c3", "elsewhere", "test: not this problem")).not.toBeNull();
    const changed = (await stub.snapshot())!;
    expect(changed.state).toBe("researching");
    expect(changed.revision).toBe(parked.revision + 2);

    // a late result for the old revision is not taken; the report is researched again at the newer one
    const late = {
      evidence: { ...changed.evidence, title: "stale title", signal_count: 3 } as NonNullable<ReportView["evidence"]>,
      decision: { bucket: "needs_human" as const, rule: "stale_rule", reason: "from an old revision" },
      research: null,
      run: null,
    };
    expect(await stub.researchDone({ revision: parked.revision, result: late })).toEqual({ taken: false, state: "researching" });
    const done = await settle(id);
    expect(done.state).toBe("ready");
    expect(done.decision?.rule).not.toBe("stale_rule");
    expect(done.evidence?.signal_count).toBe(3);
    expect(done.signals.map((s) => s.id).sort()).toEqual(["c1", "c2", "c4"]);
    expect(done.revision).toBe(changed.revision);
    expect(done.research_error).toBeNull();
    const run = await waitForRun(id, done.revision, (r) => r.delivered, "delivered");
    expect(run).toMatchObject({ state: "done", outcome: "researched", attempts: 1 });
    // and a result for the old revision arriving after that changes nothing
    expect(await stub.researchDone({ revision: parked.revision, result: late })).toEqual({ taken: false, state: "ready" });
  });
});
