import { describe, expect, it } from "vitest";
import { newProject, waitForSignals, workerUrl } from "./harness";

describe("local Worker over loopback", () => {
  it("takes a signal over HTTP and groups it through the real queue", async () => {
    const p = await newProject("generic");
    const res = await fetch(`${workerUrl()}/v1/signals`, {
      method: "POST",
      headers: { authorization: `Bearer ${p.key}`, "content-type": "application/json" },
      body: JSON.stringify({ signals: [{ id: "c1", source_product: "errors", source_type: "exception", content: "TypeError: x\n    at f (src/a.ts:1:1)" }] }),
    });
    expect(res.status).toBe(202);
    const signals = await waitForSignals(p.key, 1);
    expect(signals.map((s) => s.id)).toEqual(["c1"]);
  });
});
