/**
 * What a model's tokens cost (list price, USD per million tokens), for the
 * run record's `cost_usd`. A model not in the table costs 0 and `known` is
 * false, so a record never shows a made-up price; cache reads and writes are
 * not counted (the loop does not ask for caching).
 */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Exact model ids and their dated aliases' stems. */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  "claude-opus-4-6": { inputPerMTok: 5, outputPerMTok: 25 },
  "claude-opus-4-5": { inputPerMTok: 5, outputPerMTok: 25 },
  "claude-opus-4-1": { inputPerMTok: 15, outputPerMTok: 75 },
  "claude-opus-4-0": { inputPerMTok: 15, outputPerMTok: 75 },
  "claude-sonnet-4-6": { inputPerMTok: 3, outputPerMTok: 15 },
  "claude-sonnet-4-5": { inputPerMTok: 3, outputPerMTok: 15 },
  "claude-sonnet-4-0": { inputPerMTok: 3, outputPerMTok: 15 },
  "claude-haiku-4-5": { inputPerMTok: 1, outputPerMTok: 5 },
  "claude-3-5-haiku": { inputPerMTok: 0.8, outputPerMTok: 4 },
};

/** A dated id (`claude-haiku-4-5-20251001`) is priced as its stem. */
export function priceOf(model: string): ModelPrice | null {
  if (Object.hasOwn(MODEL_PRICES, model)) return MODEL_PRICES[model];
  const n = model.length;
  if (n > 9 && model[n - 9] === "-" && /^\d{8}$/.test(model.slice(n - 8))) {
    const stem = model.slice(0, n - 9);
    if (Object.hasOwn(MODEL_PRICES, stem)) return MODEL_PRICES[stem];
  }
  return null;
}

export function costUsd(model: string, inputTokens: number, outputTokens: number): { usd: number; known: boolean } {
  const p = priceOf(model);
  if (!p) return { usd: 0, known: false };
  const usd = (inputTokens * p.inputPerMTok + outputTokens * p.outputPerMTok) / 1_000_000;
  return { usd: Math.round(usd * 1e6) / 1e6, known: true };
}
