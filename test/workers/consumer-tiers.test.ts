import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import type { Env } from "../../workers/env";
import type { SignalMessage } from "../../workers/normalize/message";
import { api, createProject, deliver, message } from "./helpers";

async function deliverWith(overrides: Partial<Env>, bodies: SignalMessage[], attempts = 1) {
  const batch = createMessageBatch<SignalMessage>(
    "nightshift-signals",
    bodies.map((body, i) => ({ id: `t${i}-${body.signal.id}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, { ...env, ...overrides } as Env, ctx);
  return getQueueResult(batch, ctx);
}

const row = (project: string, id: string) =>
  env.DB.prepare("SELECT triage, triage_reason, report_id FROM signals WHERE project_id = ? AND id = ?").bind(project, id).first<{ triage: string; triage_reason: string | null; report_id: string | null }>();
const dropped = (project: string, id: string) =>
  env.DB.prepare("SELECT reason, classifier, detail FROM dropped_signals WHERE project_id = ? AND id = ?").bind(project, id).first<{ reason: string; classifier: string; detail: string }>();

describe("triage in the consumer", () => {
  it("keeps noise with its reason and never groups it; groups the real problem", async () => {
    await createProject("triage");
    await deliver([
      message("triage", { id: "t1", source_product: "support", source_type: "ticket", content: "Subject: Re: your ticket\nBody: Thanks so much, that fixed it! Have a great day." }),
      message("triage", { id: "t2", source_product: "support", source_type: "ticket", content: "Subject: export broken\nBody: The CSV export in reports downloads an empty file since Monday." }),
    ]);
    expect(await row("triage", "t1")).toMatchObject({ triage: "noise", triage_reason: "thank_you", report_id: null });
    expect(await row("triage", "t2")).toMatchObject({ triage: "signal", triage_reason: null, report_id: expect.any(String) });
  });
});

describe("the LLM safety judge in the consumer (local fake of the Messages API)", () => {
  // every signal to the judge: these tests are about the judge, not about what the offline tier clears
  const judge = { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: "http://anthropic.fake", SAFETY_JUDGE_POLICY: "all" } as Partial<Env>;

  it("drops what the judge calls malicious and stores what it calls benign", async () => {
    await createProject("judge");
    const result = await deliverWith(judge, [
      message("judge", { id: "j1", source_product: "support", source_type: "ticket", content: "Subject: hi\nBody: lovely product. TEST-MALICIOUS-MARKER" }),
      message("judge", { id: "j2", content: "TypeError: x\n    at f (src/a.ts:1:1)" }),
    ]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(await dropped("judge", "j1")).toMatchObject({ reason: "prompt_injection" });
    expect((await dropped("judge", "j1"))!.classifier).toMatch(/judge|llm/i);
    expect(await row("judge", "j1")).toBeNull();
    expect(await row("judge", "j2")).toMatchObject({ triage: "signal" });
  });

  it("keeps the judge's verdicts and exports them as safety eval lines, page by page", async () => {
    const key = await createProject("verdicts");
    await deliverWith(judge, [
      message("verdicts", { id: "v1", source_product: "support", source_type: "ticket", content: "Subject: hi\nBody: great app. TEST-MALICIOUS-MARKER" }),
      message("verdicts", { id: "v2", content: "TypeError: z\n    at h (src/c.ts:3:3)" }),
    ]);
    const first = await api(key, "/v1/safety/verdicts?limit=1");
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const page1 = (await first.text()).trim().split("\n").map((l) => JSON.parse(l));
    const next = first.headers.get("next");
    expect(next).toBeTruthy();
    const second = await api(key, `/v1/safety/verdicts?limit=1&after=${encodeURIComponent(next!)}`);
    const page2 = (await second.text()).trim().split("\n").map((l) => JSON.parse(l));
    const lines = [...page1, ...page2].sort((a, b) => a.id.localeCompare(b.id));
    expect(lines).toEqual([
      expect.objectContaining({ id: "v1", source_product: "support", source_type: "ticket", label: "malicious", content: expect.stringContaining("TEST-MALICIOUS-MARKER") }),
      expect.objectContaining({ id: "v2", label: "benign", reason_code: expect.any(String), learned: expect.any(Number) }),
    ]);
    // a third page is empty and has no cursor
    const third = await api(key, `/v1/safety/verdicts?limit=1&after=${encodeURIComponent(second.headers.get("next")!)}`);
    expect(await third.text()).toBe("");
    expect(third.headers.get("next")).toBeNull();
    expect((await (await api(key, "/v1/safety/verdicts?limit=0")).json()) as { code: string }).toMatchObject({ code: "invalid_query" });
    expect((await api(key, "/v1/safety/verdicts?after=nonsense")).status).toBe(400);
  });

  it("retries while the judge is down, and applies the fail-safe on the last attempt", async () => {
    await createProject("judge-down");
    const down = { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: "http://anthropic.down", SAFETY_JUDGE_TIMEOUT_MS: "2000", SAFETY_JUDGE_POLICY: "all" } as Partial<Env>;
    const m = message("judge-down", { id: "d1", content: "TypeError: y\n    at g (src/b.ts:2:2)" });
    const first = await deliverWith(down, [m], 1);
    expect(first.retryMessages).toHaveLength(1);
    expect(await row("judge-down", "d1")).toBeNull();
    const last = await deliverWith(down, [m], Number(env.MAX_DELIVERY_ATTEMPTS));
    expect(last.explicitAcks).toHaveLength(1);
    // a harmless stack trace scores 0 in the heuristic: the fail-safe lets it through, marked
    expect(await row("judge-down", "d1")).toMatchObject({ triage: "signal" });
  }, 30_000);
});
