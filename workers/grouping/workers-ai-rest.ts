/**
 * Workers AI over its REST API, behind the same `AiBinding` interface as the
 * Worker's `AI` binding: the eval CLI's `--provider workers-ai` (a user's
 * account id and API token), where no binding exists.
 *
 *   POST {base}/accounts/{account_id}/ai/run/{model}   Authorization: Bearer <token>
 *   → {"success": true, "result": {...}, "errors": [], "messages": []}
 *
 * 429 and 5xx are retried (Retry-After honoured, else 0.5 s, 1 s, ...);
 * anything else, or `success: false`, is an error naming the API's message.
 */
import { z } from "zod";
import type { AiBinding, AiInputs } from "../env";

export const CLOUDFLARE_API_BASE = "https://api.cloudflare.com/client/v4";

const Envelope = z.object({
  success: z.boolean(),
  result: z.unknown().optional(),
  errors: z.array(z.object({ code: z.number().optional(), message: z.string() }).passthrough()).default([]),
});

export interface WorkersAiRestOptions {
  accountId: string;
  apiToken: string;
  baseURL?: string;
  fetch?: typeof fetch;
  /** retries of 429 and 5xx (default 2) */
  maxRetries?: number;
  /** per attempt (default 30 s) */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class WorkersAiRest implements AiBinding {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: WorkersAiRestOptions) {
    if (!/^[0-9a-f]{32}$/i.test(opts.accountId)) throw new Error("Workers AI: the account id is 32 hex characters");
    if (!opts.apiToken.trim()) throw new Error("Workers AI: an API token is needed");
    this.fetch = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  url(model: string): string {
    // model names hold "/" and "@": each path segment of the name kept, encoded
    const path = model.split("/").map(encodeURIComponent).join("/");
    return `${this.opts.baseURL ?? CLOUDFLARE_API_BASE}/accounts/${this.opts.accountId}/ai/run/${path}`;
  }

  async run(model: string, inputs: AiInputs): Promise<unknown> {
    const retries = this.opts.maxRetries ?? 2;
    for (let attempt = 0; ; attempt++) {
      const res = await this.fetch(this.url(model), {
        method: "POST",
        headers: { authorization: `Bearer ${this.opts.apiToken}`, "content-type": "application/json" },
        body: JSON.stringify(inputs),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
      if ((res.status === 429 || res.status >= 500) && attempt < retries) {
        await res.body?.cancel();
        const after = Number(res.headers.get("retry-after"));
        await this.sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 60) * 1000 : 500 * 2 ** attempt);
        continue;
      }
      const text = await res.text();
      let body: z.infer<typeof Envelope> | null = null;
      try {
        const parsed = Envelope.safeParse(JSON.parse(text));
        if (parsed.success) body = parsed.data;
      } catch {
        // not JSON: reported below with the status
      }
      if (!res.ok || !body || !body.success) {
        const why = body?.errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join("; ") || text.slice(0, 200);
        throw new Error(`Workers AI ${model}: HTTP ${res.status}: ${why}`);
      }
      return body.result;
    }
  }
}
