/**
 * A fast path for the common `POST /v1/signals` body: plain signals with
 * text content and no typed payload or ISO timestamp. zod cannot compile its
 * validators in workerd (no eval), and on the ingest hot path that cost shows
 * in the ingest benchmark. This check accepts only inputs that `SignalBatch`
 * accepts, and returns exactly what `SignalBatch` would (unknown keys
 * stripped, names trimmed); anything else returns null and goes to zod, which
 * stays the source of truth and of every error message
 * (test/unit/fast-validate.test.ts checks the equivalence on generated inputs).
 */
import { hasVisibleText } from "./control-chars";
import { MAX_BATCH, type SignalInput } from "./schema";

const ID = /^[A-Za-z0-9._:@-]+$/;

function name(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t.length >= 1 && t.length <= 64 ? t : null;
}

function plainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function signal(v: unknown): SignalInput | null {
  if (!plainObject(v) || v.payload !== undefined) return null;
  const source_product = name(v.source_product);
  const source_type = name(v.source_type);
  const { id, content, weight, timestamp, metadata } = v;
  if (source_product === null || source_type === null) return null;
  if (typeof content !== "string" || !hasVisibleText(content)) return null;
  const out: SignalInput = { source_product, source_type, content };
  if (id !== undefined) {
    if (typeof id !== "string" || id.length < 1 || id.length > 128 || !ID.test(id)) return null;
    out.id = id;
  }
  if (weight !== undefined) {
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight <= 0 || weight > 1000) return null;
    out.weight = weight;
  }
  if (timestamp !== undefined) {
    if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp < 0) return null;
    out.timestamp = timestamp;
  }
  if (metadata !== undefined) {
    if (!plainObject(metadata) || Object.getPrototypeOf(metadata) === null) return null;
    out.metadata = metadata;
  }
  return out;
}

export function fastSignalBatch(json: unknown): { signals: SignalInput[] } | null {
  if (!plainObject(json) || !Array.isArray(json.signals)) return null;
  const n = json.signals.length;
  if (n < 1 || n > MAX_BATCH) return null;
  const signals: SignalInput[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = signal(json.signals[i]);
    if (s === null) return null;
    signals[i] = s;
  }
  return { signals };
}
