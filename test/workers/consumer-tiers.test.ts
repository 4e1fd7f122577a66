import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import type { Env } from "../../workers/env";
import type { SignalMessage } from "../../workers/normalize/message";
import { createProject, deliver, message } from "./helpers";

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
  const judge = { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: "http://anthropic.fake" } as Partial<Env>;

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

  it("retries while the judge is down, and applies the fail-safe on the last attempt", async () => {
    await createProject("judge-down");
    const down = { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: "http://anthropic.down", SAFETY_JUDGE_TIMEOUT_MS: "2000" } as Partial<Env>;
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
