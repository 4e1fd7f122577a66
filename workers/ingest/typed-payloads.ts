/**
 * Typed payloads for `POST /v1/signals`: experiment results and session-replay
 * findings may be sent as structured objects instead of (or besides) text.
 * The payload is validated, kept in metadata, and rendered into `content`
 * as the text the rest of the pipeline reads.
 */
import { z } from "zod";

export const ExperimentResult = z.object({
  kind: z.literal("experiment_result"),
  experiment: z.string().min(1).max(200),
  variant: z.string().min(1).max(100),
  control: z.string().min(1).max(100).default("control"),
  metric: z.string().min(1).max(200),
  /** relative change of the metric in the variant vs control, e.g. -0.38 */
  relative_change: z.number(),
  p_value: z.number().min(0).max(1).optional(),
  sample_size: z.number().int().nonnegative().optional(),
  url: z.string().max(2000).optional(),
  notes: z.string().max(4000).optional(),
});

export const ReplayFinding = z.object({
  kind: z.literal("replay_finding"),
  finding: z.enum(["dead_click", "rage_click", "error", "blank_screen", "slow_page", "form_abandoned", "other"]),
  url: z.string().max(2000),
  summary: z.string().min(1).max(8000),
  selector: z.string().max(500).optional(),
  sessions_affected: z.number().int().nonnegative().optional(),
  sessions_sampled: z.number().int().positive().optional(),
  session_ids: z.array(z.string().max(200)).max(20).optional(),
  console_errors: z.array(z.string().max(2000)).max(10).optional(),
});

export const TypedPayload = z.discriminatedUnion("kind", [ExperimentResult, ReplayFinding]);
export type TypedPayload = z.infer<typeof TypedPayload>;

const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;

export function renderPayload(p: TypedPayload): string {
  if (p.kind === "experiment_result") {
    const stats = [p.p_value !== undefined ? `p=${p.p_value}` : null, p.sample_size !== undefined ? `n=${p.sample_size}` : null].filter(Boolean);
    return [
      `Experiment '${p.experiment}' (variant ${p.variant} vs ${p.control}): ${p.metric} ${pct(p.relative_change)}${stats.length ? ` (${stats.join(", ")})` : ""}.`,
      p.url ? `url: ${p.url}` : null,
      p.notes ?? null,
    ]
      .filter(Boolean)
      .join("\n");
  }
  const share = p.sessions_affected !== undefined ? ` in ${p.sessions_affected}${p.sessions_sampled ? ` of ${p.sessions_sampled}` : ""} sessions` : "";
  return [
    `Replay finding (${p.finding.replace(/_/g, " ")})${share} on ${p.url}${p.selector ? ` at ${p.selector}` : ""}: ${p.summary}`,
    ...(p.console_errors ?? []).map((e) => `console: ${e}`),
    `url: ${p.url}`,
  ].join("\n");
}

/** source_product / source_type defaults for a payload kind */
export const PAYLOAD_SOURCES: Record<TypedPayload["kind"], { source_product: string; source_type: string }> = {
  experiment_result: { source_product: "experiments", source_type: "result" },
  replay_finding: { source_product: "session_replay", source_type: "finding" },
};
