/**
 * The message on the `nightshift-signals` Queue. The ingest Worker produces
 * it; other Workers may produce it too (bind the queue and send this shape).
 * The consumer validates every message with this schema.
 */
import { z } from "zod";
import { hasVisibleText } from "../ingest/control-chars";
import { findTooDeep, MAX_METADATA_DEPTH } from "../ingest/json-limits";
import { SignalInput } from "../ingest/schema";

export const SignalMessage = z.object({
  v: z.literal(1),
  kind: z.literal("signal"),
  project: z.string().min(1),
  received_at: z.number().int().nonnegative(),
  signal: SignalInput.extend({
    id: z.string().min(1).max(128),
    content: SignalInput.shape.content.refine(hasVisibleText, { message: "has no visible text" }),
    // the same bound intake enforces, for messages other Workers put on the Queue
    metadata: SignalInput.shape.metadata.refine((m) => !m || findTooDeep(m, MAX_METADATA_DEPTH) === null, {
      message: `nested deeper than ${MAX_METADATA_DEPTH} levels`,
    }),
  }),
});
export type SignalMessage = z.infer<typeof SignalMessage>;
