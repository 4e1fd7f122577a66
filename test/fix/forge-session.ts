/**
 * What the fix tests that drive a pull request share: the forge's control
 * channel for one repository (forge-control.ts), the store's webhooks posted
 * signed to the Worker's /github/webhooks/:project, polls of the report's
 * fix summary and view (generous bounds: a busy machine), and the scripted
 * fix model's turn log.
 */
import { SELF } from "cloudflare:test";
import { sign } from "@octokit/webhooks-methods";
import { expect } from "vitest";
import type { ReportView } from "../../durable-objects/report";
import type { FixSummary } from "../../workers/fix/summary";
import type { FixTurnLog } from "./scripted-fix-model";
import { waitForReport } from "../workers/helpers";

export type Webhook = { name: string; payload: unknown };

export function forgeSession(opts: { project: string; repo: string; secret: string }) {
  /** one action of the control channel on this repository; 200 expected */
  async function control(action: string, body: Record<string, unknown>): Promise<{ result: any; webhooks: Webhook[] }> {
    const res = await fetch(`http://forge-control.test/${action}`, { method: "POST", body: JSON.stringify({ owner: "shop", repo: opts.repo, ...body }) });
    const json = (await res.json()) as any;
    expect(res.status, JSON.stringify(json)).toBe(200);
    return json;
  }
  /** posts the store's webhooks, signed, to the Worker; returns each answer */
  async function post(webhooks: Webhook[], delivery?: string): Promise<any[]> {
    const answers = [];
    for (const w of webhooks) {
      const body = JSON.stringify(w.payload);
      const res = await SELF.fetch(`https://nightshift.test/github/webhooks/${opts.project}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": w.name, "x-github-delivery": delivery ?? crypto.randomUUID(), "x-hub-signature-256": await sign(opts.secret, body) },
        body,
      });
      expect(res.status, await res.clone().text()).toBe(202);
      answers.push(await res.json());
    }
    return answers;
  }
  return { control, post };
}

/** waits until `pred` holds for the report's view (fix rounds take minutes on a busy machine) */
export const waitFor = (id: string, pred: (v: ReportView) => boolean, what: string): Promise<ReportView> => waitForReport(id, pred, what, 300);

/** waits until `pred` holds for the report's fix summary */
export async function until(id: string, pred: (f: FixSummary) => boolean, what: string): Promise<FixSummary> {
  return (await waitFor(id, (v) => v.fix !== null && pred(v.fix), what)).fix!;
}

export const turns = async (): Promise<FixTurnLog[]> => (await (await fetch("http://anthropic.fix.fake/__log")).json()) as FixTurnLog[];
