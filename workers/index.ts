/**
 * The nightshift Worker: HTTP ingest and read API (fetch), the normalize and
 * group consumer (queue), and the promotion sweep (scheduled). Also exports
 * the Durable Object classes and the local faces of remote-only bindings.
 */
import { createApp } from "./app";
import type { Env } from "./env";
import { handleSignalBatch } from "./normalize/consumer";
import { handleDeadLetterBatch } from "./normalize/dead-letter";
import { handleResearchBatch } from "./research/consumer";
import { sweepReports } from "./sweep/cron";
import { redrivePending } from "./sweep/redrive";

export { ReportObject } from "../durable-objects/report";
export { InboxObject } from "../durable-objects/inbox";
export { ResearchRunObject } from "../durable-objects/research-run";
export { FixRunObject } from "../durable-objects/fix-run";
// production's Sandbox Durable Object (bound only where containers are; see wrangler.toml), and the
// entrypoint its outbound interception runs in (the SDK's ContainerProxy; egress.ts's handlers)
export { NightshiftSandbox } from "./workspace/nightshift-sandbox";
export { ContainerProxy } from "@cloudflare/sandbox";
export { LocalVectorIndex } from "../durable-objects/local-vector-index";
export { LocalAi } from "./local/local-ai";
export { LocalVectorize } from "./local/local-vectorize";

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch, env, _ctx) {
    if (batch.queue.endsWith("-dlq")) await handleDeadLetterBatch(batch, env);
    else if (batch.queue.startsWith("nightshift-research")) await handleResearchBatch(batch, env);
    else await handleSignalBatch(batch, env);
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(
      redrivePending(env).then((r) => {
        if (r.redriven || r.dead_lettered) console.log(`redrive: re-enqueued ${r.redriven}, dead-lettered ${r.dead_lettered}`);
      }),
    );
    ctx.waitUntil(
      sweepReports(env).then((r) => {
        if (r.promoted || r.rearmed) console.log(`sweep: checked ${r.checked}, promoted ${r.promoted}, re-armed ${r.rearmed}`);
      }),
    );
  },
} satisfies ExportedHandler<Env, unknown>;
