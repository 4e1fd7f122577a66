/** Helpers that drive the Worker through its real entry points. */
import { createExecutionContext, createMessageBatch, env, getQueueResult, runDurableObjectAlarm, SELF } from "cloudflare:test";
import type { ReportView } from "../../durable-objects/report";
import worker from "../../workers/index";
import type { SignalMessage } from "../../workers/normalize/message";

export const ADMIN = "test-admin-token";
export const BASE = "https://nightshift.test";

export async function createProject(id: string, threshold?: number): Promise<string> {
  const res = await SELF.fetch(`${BASE}/v1/admin/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ id, name: `Project ${id}`, ...(threshold ? { promotion_threshold: threshold } : {}) }),
  });
  if (res.status !== 201) throw new Error(`createProject: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { api_key: string }).api_key;
}

export async function api(key: string, path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, ...(init.body ? { "content-type": "application/json" } : {}), ...init.headers },
  });
}

export async function postSignals(key: string, signals: unknown[]): Promise<Response> {
  return api(key, "/v1/signals", { method: "POST", body: JSON.stringify({ signals }) });
}

/** Runs the queue consumer on messages (what the Queue would deliver). */
export async function deliver(bodies: SignalMessage[]) {
  const batch = createMessageBatch<SignalMessage>(
    "nightshift-signals",
    bodies.map((body, i) => ({ id: `m${i}-${body.signal?.id ?? "invalid"}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env, ctx);
  return getQueueResult(batch, ctx);
}

export function message(project: string, signal: Partial<SignalMessage["signal"]> & { id: string; content: string }): SignalMessage {
  return {
    v: 1,
    kind: "signal",
    project,
    received_at: Date.now(),
    signal: { source_product: "errors", source_type: "exception", ...signal },
  };
}

/**
 * Lets a report's pending research run (its alarm fires by itself in the
 * runtime; this runs it now if it has not: the report judge, then the research
 * job to the research queue, whose consumer and run Durable Object run by
 * themselves) and waits until it has settled.
 */
export async function settle(reportId: string): Promise<ReportView> {
  const stub = env.REPORTS.get(env.REPORTS.idFromName(reportId));
  // the research queue delivers after its batch timeout (1 s locally): poll, with a generous bound for a busy machine
  for (let i = 0; i < 1500; i++) {
    await runDurableObjectAlarm(stub);
    const view = await stub.snapshot();
    if (view && view.state !== "candidate" && view.state !== "researching") return view;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`report ${reportId} did not settle`);
}

/** Waits until `pred` holds for the report's view (polls; the research queue and runs work by themselves). */
export async function waitForReport(reportId: string, pred: (v: ReportView) => boolean, what: string, seconds = 60): Promise<ReportView> {
  const stub = env.REPORTS.get(env.REPORTS.idFromName(reportId));
  let last: ReportView | null = null;
  for (let i = 0; i < seconds * 25; i++) {
    last = await stub.snapshot();
    if (last && pred(last)) return last;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`report ${reportId}: never ${what}; last state ${last?.state}, fix ${JSON.stringify(last?.fix ?? null)}`);
}

/**
 * Waits until the project's ledger has settled: nothing pending and every
 * received signal in exactly one place (GET /v1/stats). Read reports only after
 * this; the signal row alone is stored before its report is updated.
 */
export async function settled(key: string): Promise<Record<string, number>> {
  let last: Record<string, number> = {};
  for (let i = 0; i < 500; i++) {
    last = ((await (await api(key, "/v1/stats")).json()) as { signals: Record<string, number> }).signals;
    if (last.pending === 0 && last.unaccounted === 0) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the ledger never settled: ${JSON.stringify(last)}`);
}
