/**
 * Benchmark Worker. `/bare/v1/signals` is the baseline: parse the JSON body
 * and enqueue it, nothing else. Every other path is the real nightshift app,
 * so `POST /v1/signals` runs the real ingest path (auth, validation, safety,
 * enqueue) against the same queue in the same isolate.
 */
import { createApp } from "../../workers/app";
import type { Env } from "../../workers/env";

export { ReportObject, InboxObject, LocalVectorIndex } from "../../workers/index";

const app = createApp();

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/bare/v1/signals" && request.method === "POST") {
      const body = (await request.json()) as { signals: unknown[] };
      const received_at = Date.now();
      await env.SIGNALS.sendBatch(
        body.signals.map((signal) => ({ body: { v: 1, kind: "signal", project: "bare", received_at, signal } as never, contentType: "json" as const })),
      );
      return new Response(null, { status: 202 });
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
