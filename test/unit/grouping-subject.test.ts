import { describe, expect, it } from "vitest";
import { assignSignal } from "../../workers/grouping/assign";
import { HashedNgramEmbedder } from "../../workers/grouping/hashed-embedder";
import { MinedFingerprinter } from "../../workers/grouping/fingerprinter";
import { MemoryLogTemplateStore } from "../../workers/grouping/memory-log-templates";
import { MemoryFingerprintStore } from "../../workers/grouping/memory-fingerprints";
import { MemoryVectorIndex } from "../../workers/grouping/memory-index";
import { OfflineQueryWriter } from "../../workers/grouping/offline-query-writer";
import { sharesSubject, subjectWords } from "../../workers/grouping/subject";
import { withoutFailurePhrases } from "../../workers/grouping/failure-classes";
import type { GroupingDeps, GroupingSignal } from "../../workers/grouping/types";

describe("a free-text signal's subject", () => {
  it("is what failed, without how it failed, the complaint around it, people's names and where they looked", () => {
    const s = subjectWords("#cs-escalations — Ravi: a customer says: the search results keep saying too many requests, I only tried twice. Using Chrome on a Mac.");
    expect([...s].sort()).toEqual(["result", "search"]);
    expect([...subjectWords("Subject: Help with reset emails\nBody: Hi support, the forgot-password flow shows garbled characters instead of my name. — Fatima")]).toEqual(
      expect.arrayContaining(["reset", "email", "forgot", "password", "flow"]),
    );
    expect(subjectWords("Hi, it spins forever and then times out. Please help, this is urgent. — Dana").size).toBe(0);
  });
  it("blanks every phrase that names a failure class", () => {
    expect(withoutFailurePhrases("Checkout shows a 502 Bad Gateway, then times out").replace(/\s+/g, " ").trim()).toBe("checkout shows a , then");
  });
  it("is shared only through a subject word, not through the complaint", () => {
    const invoices = subjectWords("The invoices page keeps saying too many requests, I only tried twice");
    expect(sharesSubject(invoices, ["search results keep saying too many requests tried twice"])).toBe(false);
    expect(sharesSubject(invoices, ["billing invoices render invoice pdf", "rate limited"])).toBe(true);
    // nothing to compare with (a report's vectors that carry no query text): no evidence against
    expect(sharesSubject(invoices, [])).toBe(true);
  });
});

describe("grouping free text by subject", () => {
  const deps = (): GroupingDeps => ({
    queryWriter: new OfflineQueryWriter(),
    embedder: new HashedNgramEmbedder(),
    index: new MemoryVectorIndex(),
    fingerprints: new MemoryFingerprintStore(),
    fingerprinter: new MinedFingerprinter(new MemoryLogTemplateStore()),
  });
  const ticket = (id: string, content: string): GroupingSignal => ({ id, project: "p", source_product: "support", source_type: "ticket", content, weight: 1 });
  let n = 0;
  const opts = { threshold: 0.35, newReportId: () => `r${++n}` };

  it("keeps two parts of a product apart though the customers complain in the same words", async () => {
    const d = deps();
    const search = await assignSignal(ticket("a", "Subject: Search results not working\nBody: Hi, search results keep saying too many requests, I only tried twice. Thanks!"), d, opts);
    const invoices = await assignSignal(ticket("b", "Subject: Invoices not working\nBody: Hi, the invoice PDFs keep saying too many requests, I only tried twice. Thanks!"), d, opts);
    const searchAgain = await assignSignal(ticket("c", "Subject: Problem with search\nBody: Hello, the search results keep saying too many requests, I only tried twice."), d, opts);
    expect(invoices.reportId).not.toBe(search.reportId);
    expect(searchAgain.reportId).toBe(search.reportId);
  });

  it("joins a customer's message to the report of the exception it describes: the same place, the same failure", async () => {
    const d = deps();
    const sig = (id: string, content: string): GroupingSignal => ({ ...ticket(id, content), source_product: "errors", source_type: "exception" });
    const exception = await assignSignal(sig("e1", "Error: Request failed with status code 429 from ranker (retry-after 12)\n    at runQuery (src/search/runQuery.ts:88:12)\n    at SearchPage.handle (src/search/SearchPage.tsx:40:9)"), d, opts);
    const other = await assignSignal(sig("e2", "Error: Request failed with status code 429 from pdf-renderer (retry-after 3)\n    at renderInvoicePdf (src/invoices/renderInvoicePdf.ts:12:3)"), d, opts);
    const message = await assignSignal(ticket("t1", "Subject: Search broken?\nBody: Search keeps saying too many requests, I only tried twice."), d, opts);
    expect(other.reportId).not.toBe(exception.reportId);
    expect(message.reportId).toBe(exception.reportId);
  });
});
