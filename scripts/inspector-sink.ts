/**
 * A DevTools client that keeps `wrangler dev` from growing without bound.
 *
 * wrangler 4.86's inspector proxy (templates/startDevWorker/InspectorProxyWorker.ts)
 * enables the runtime's `Network` domain and pushes every inspector event into
 * `runtimeMessageBuffer` until a DevTools client attaches — which, for a
 * Worker driven by scripts, never happens. Every D1 query, queue send and
 * Durable Object call is a subrequest with its own events, so a 10,000-signal
 * stream left ~160 MB of them in the proxy's workerd process (and a debug-log
 * POST to wrangler per event).
 *
 * The sink attaches as that client over the Chrome DevTools Protocol (the
 * proxy then drains its buffer to us), turns the `Network` domain off, and
 * discards what still arrives. The proxy accepts one client at a time, so
 * `npm run dev -- --inspect` skips the sink and leaves the port to a real
 * DevTools.
 */
import WebSocket from "ws";

export interface InspectorSink {
  /** events received and dropped so far */
  readonly received: number;
  /** one DevTools command to the Worker's isolate, e.g. `Runtime.getHeapUsage` (the benchmarks report it) */
  call<T = unknown>(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  close(): void;
}

export async function attachInspectorSink(port: number, timeoutMs = 30_000): Promise<InspectorSink> {
  let received = 0;
  let nextId = 1_000_000;
  // Node's ws sends no User-Agent and no Origin, which the proxy accepts as an IDE debugger.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  const send = (method: string) => ws.send(JSON.stringify({ id: nextId++, method }));
  const waiting = new Map<number, (result: unknown) => void>();
  let lastDisable = 0;
  ws.on("message", (data) => {
    received++;
    if (waiting.size && String(data).startsWith('{"id":')) {
      const msg = JSON.parse(String(data)) as { id: number; result?: unknown };
      waiting.get(msg.id)?.(msg.result);
      waiting.delete(msg.id);
      return;
    }
    // After a reload the proxy reconnects to the runtime and enables Network again.
    const head = String(data).slice(0, 120);
    if (head.includes('"method":"Network.') || head.includes('"method":"Runtime.executionContextCreated"')) {
      const now = Date.now();
      if (now - lastDisable > 1000) {
        lastDisable = now;
        send("Network.disable");
      }
    }
  });
  ws.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`inspector sink: no connection to port ${port} in ${timeoutMs} ms`)), timeoutMs);
    ws.once("open", () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once("close", (code, reason) => {
      clearTimeout(timer);
      reject(new Error(`inspector sink: closed ${code} ${String(reason)}`));
    });
  });
  send("Network.disable");
  return {
    get received() {
      return received;
    },
    call<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => (waiting.delete(id), reject(new Error(`inspector: no answer to ${method}`))), timeoutMs);
        waiting.set(id, (r) => (clearTimeout(timer), resolve(r as T)));
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => ws.close(),
  };
}
