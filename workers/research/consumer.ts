/**
 * The research queue's consumer: hands each job to its research run Durable
 * Object (one per report revision), which stores it and runs it on its own
 * alarm; a redelivered job finds the run already there and does not start it
 * again. A malformed job is acked and logged (retrying cannot fix it).
 */
import type { Env } from "../env";
import { isResearchJob, researchRunKey } from "./job";

export async function handleResearchBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    const job = msg.body;
    if (!isResearchJob(job)) {
      console.error(`research: malformed job dropped: ${JSON.stringify(job).slice(0, 200)}`);
      msg.ack();
      continue;
    }
    try {
      await env.RESEARCH_RUNS.get(env.RESEARCH_RUNS.idFromName(researchRunKey(job))).start(job);
      msg.ack();
    } catch (err) {
      console.error(`research: job ${researchRunKey(job)} not handed over: ${String(err)}`);
      msg.retry();
    }
  }
}
