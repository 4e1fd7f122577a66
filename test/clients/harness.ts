/** Helpers for client tests: the local Worker's URL and a fresh project. */
import { inject } from "vitest";
import { waitFor } from "../../scripts/local-worker";

export const workerUrl = () => inject("workerUrl");

export async function newProject(prefix: string, settings: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const id = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  const res = await fetch(`${workerUrl()}/v1/admin/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${inject("adminToken")}`, "content-type": "application/json" },
    body: JSON.stringify({ id, name: id }),
  });
  if (res.status !== 201) throw new Error(`create project: ${res.status} ${await res.text()}`);
  const key = ((await res.json()) as { api_key: string }).api_key;
  if (Object.keys(settings).length) {
    const patch = await fetch(`${workerUrl()}/v1/project`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(settings),
    });
    if (patch.status !== 200) throw new Error(`patch project: ${patch.status} ${await patch.text()}`);
  }
  return { id, key };
}

export async function getJson<T>(key: string, path: string): Promise<T> {
  const res = await fetch(`${workerUrl()}${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface StoredReport {
  id: string;
  signals: { id: string; source_product: string; source_type: string; content: string }[];
}

/** Waits until the project's reports hold `n` signals, and returns every signal grouped. */
export async function waitForSignals(key: string, n: number, timeoutMs = 80_000) {
  return waitFor(
    `${n} grouped signal(s)`,
    async () => {
      const { reports } = await getJson<{ reports: { id: string; signal_count: number }[] }>(key, "/v1/reports");
      if (reports.reduce((a, r) => a + r.signal_count, 0) < n) return undefined;
      const full = await Promise.all(reports.map((r) => getJson<StoredReport>(key, `/v1/reports/${r.id}`)));
      return full.flatMap((r) => r.signals);
    },
    timeoutMs,
  );
}
