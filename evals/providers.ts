/**
 * Provider selection for the eval CLI (`--provider`). `offline` needs no
 * network and no key; the others are the production faces and need their
 * credentials in the environment.
 */
import { HashedNgramEmbedder } from "../workers/grouping/hashed-embedder";
import { OfflineQueryWriter } from "../workers/grouping/offline-query-writer";
import type { Embedder, QueryWriter } from "../workers/grouping/types";

export type ProviderName = "offline" | "anthropic" | "workers-ai";

export interface Providers {
  name: ProviderName;
  queryWriter: QueryWriter;
  embedder: Embedder;
}

export function makeProviders(name: ProviderName): Providers {
  if (name === "offline") {
    return { name, queryWriter: new OfflineQueryWriter(), embedder: new HashedNgramEmbedder() };
  }
  throw new ProviderUnavailable(
    `provider '${name}' is not wired into the eval CLI yet; use --provider offline`,
  );
}

export class ProviderUnavailable extends Error {}
