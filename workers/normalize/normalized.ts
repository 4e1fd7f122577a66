/** The one shape every signal takes after normalization. */
import type { SignalMessage } from "./message";

export interface NormalizedSignal {
  id: string;
  project: string;
  source_product: string;
  source_type: string;
  content: string;
  weight: number;
  /** what the signal is about, embedded; null until grouped */
  embedding: number[] | null;
  received_at: number;
  timestamp: number | null;
  metadata: Record<string, unknown> | null;
}

/** Default weight by source product when the sender gives none. */
export const DEFAULT_WEIGHTS: Record<string, number> = {
  errors: 1,
  sentry: 1,
  logs: 0.5,
  slack: 1,
  support: 1.5,
  github: 1.5,
  session_replay: 1,
  experiments: 2,
};

export function normalize(msg: SignalMessage): NormalizedSignal {
  const s = msg.signal;
  const ts = s.timestamp === undefined ? null : typeof s.timestamp === "number" ? s.timestamp : Date.parse(s.timestamp);
  const product = s.source_product.trim().toLowerCase();
  return {
    id: s.id,
    project: msg.project,
    source_product: product,
    source_type: s.source_type.trim().toLowerCase(),
    content: s.content.replace(/\r\n/g, "\n").trim(),
    weight: s.weight ?? DEFAULT_WEIGHTS[product] ?? 1,
    embedding: null,
    received_at: msg.received_at,
    timestamp: ts,
    metadata: s.metadata ?? null,
  };
}
