import { describe, expect, it } from "vitest";
import { unit } from "./unit-vector";
import { assignSignal } from "../../workers/grouping/assign";
import { GroupingConfigError, queryTiersFromEnv } from "../../workers/grouping/from-env";
import { LlmQueryWriter } from "../../workers/grouping/llm-query-writer";
import { MemoryFingerprintStore } from "../../workers/grouping/memory-fingerprints";
import { MemoryVectorIndex } from "../../workers/grouping/memory-index";
import { OfflineQueryWriter } from "../../workers/grouping/offline-query-writer";
import type { GroupingDeps, GroupingSignal, QueryWriter } from "../../workers/grouping/types";

// what each query means, as vectors: the offline words of two tickets differ, the model's do not
const VEC: Record<string, number[]> = {
  "payment page blank": unit(1, 0, 0),
  "pay for my order white screen": unit(0, 1, 0),
  "checkout crashes rendering totals": unit(0, 0, 1),
  "checkout crash on payment step": unit(0, 0.1, 1),
};
const MODEL: Record<string, string[]> = { t1: ["checkout crashes rendering totals"], t2: ["checkout crash on payment step"] };

function deps(index = new MemoryVectorIndex()) {
  const asked: string[] = [];
  const model: QueryWriter = { name: "model", usesLlm: true, write: async (s) => (asked.push(s.id), MODEL[s.id] ?? []) };
  const d: GroupingDeps = {
    queryWriter: { name: "offline", usesLlm: false, write: async (s) => [s.content] },
    escalation: model,
    embedder: { model: "fixed", dimensions: 3, defaultThreshold: 0.5, embed: async (t) => t.map((x) => VEC[x]) },
    index,
    fingerprints: new MemoryFingerprintStore(),
    fingerprinter: { fingerprints: async (l) => l.map(() => null) },
  };
  return { d, asked, index };
}
const sig = (id: string, content: string): GroupingSignal => ({ id, project: "p", content, source_product: "support", source_type: "ticket", weight: 1 });
let n = 0;
const opts = { threshold: 0.6, newReportId: () => `r${++n}` };

describe("query tiers", () => {
  it("asks the model only for what offline queries cannot place, and indexes both tiers' vectors", async () => {
    const { d, asked, index } = deps();
    const first = await assignSignal(sig("t1", "payment page blank"), d, opts);
    expect(first.isNewReport).toBe(true);
    expect(first.queries).toEqual(["payment page blank", "checkout crashes rendering totals"]);
    // the second ticket shares no offline words with the first: the model's queries find it
    const second = await assignSignal(sig("t2", "pay for my order white screen"), d, opts);
    expect([second.reportId, second.method, second.query]).toEqual([first.reportId, "vector", "checkout crash on payment step"]);
    expect(asked).toEqual(["t1", "t2"]);
    // a repeat of the first in offline words is placed without the model
    const third = await assignSignal(sig("t3", "payment page blank"), d, opts);
    expect(third.reportId).toBe(first.reportId);
    expect(asked).toEqual(["t1", "t2"]);
    // t2's model query is a near-duplicate (cosine ≥ 0.99) of t1's and adds nothing; its offline one is new
    expect((await index.query("p", VEC["checkout crash on payment step"], 10)).map((m) => m.id).sort()).toEqual(["t1:0", "t1:1", "t2:0"]);
  });

  it("does not ask the model when all it found close failed another way, and asks when a close one was about something else", async () => {
    const { d, asked } = deps();
    // the offline writer here sends the content as its query; the failure classes come from the content
    VEC["search times out"] = unit(1, 0.2, 0);
    VEC["search returns 502 bad gateway"] = unit(1, 0.25, 0);
    VEC["invoices page times out"] = unit(1, 0.3, 0);
    await assignSignal(sig("f1", "search times out"), d, opts);
    // close to the report of the timeout, but a 502 is another failure: other words would find the same report
    const other = await assignSignal(sig("f2", "search returns 502 bad gateway"), d, opts);
    expect(other.isNewReport).toBe(true);
    expect(asked).toEqual(["f1"]);
    // close to it and failing the same way, but about invoices, not search: the model's words may place it
    const elsewhere = await assignSignal(sig("f3", "invoices page times out"), d, opts);
    expect(elsewhere.isNewReport).toBe(true);
    expect(asked).toEqual(["f1", "f3"]);
  });

  it("does not ask the model about a stack or log line with a new fingerprint unless told to (escalate_all)", async () => {
    const withFingerprint = (escalateFingerprinted: boolean) => {
      const t = deps();
      t.d.fingerprinter = { fingerprints: async (l) => l.map((s) => `stack:TypeError:render@${s.id}`) };
      t.d.escalateFingerprinted = escalateFingerprinted;
      return t;
    };
    const quiet = withFingerprint(false);
    const a = await assignSignal(sig("t1", "payment page blank"), quiet.d, opts);
    expect([a.isNewReport, a.queries, quiet.asked]).toEqual([true, ["payment page blank"], []]);
    const all = withFingerprint(true);
    const b = await assignSignal(sig("t1", "payment page blank"), all.d, opts);
    expect([b.queries, all.asked]).toEqual([["payment page blank", "checkout crashes rendering totals"], ["t1"]]);
  });

  it("escalates (free text) by default once an LLM writer is configured; `escalate_all` any signal; `always` asks it for every signal", () => {
    expect(queryTiersFromEnv({}, null)).toEqual({ queryWriter: expect.any(OfflineQueryWriter), escalation: null, escalateFingerprinted: false });
    const escalate = queryTiersFromEnv({ ANTHROPIC_API_KEY: "sk-ant-x" }, null);
    expect(escalate.queryWriter).toBeInstanceOf(OfflineQueryWriter);
    expect(escalate.escalation).toBeInstanceOf(LlmQueryWriter);
    expect(escalate.escalateFingerprinted).toBe(false);
    expect(queryTiersFromEnv({ ANTHROPIC_API_KEY: "sk-ant-x", GROUPING_QUERY_TIERS: "escalate_all" }, null).escalateFingerprinted).toBe(true);
    const always = queryTiersFromEnv({ ANTHROPIC_API_KEY: "sk-ant-x", GROUPING_QUERY_TIERS: "always" }, null);
    expect([always.queryWriter instanceof LlmQueryWriter, always.escalation]).toEqual([true, null]);
    expect(() => queryTiersFromEnv({ ANTHROPIC_API_KEY: "sk-ant-x", GROUPING_QUERY_TIERS: "sometimes" }, null)).toThrow(GroupingConfigError);
  });
});
