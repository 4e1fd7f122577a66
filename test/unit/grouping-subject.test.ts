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
    expect(subjectWords("Good morning, hey there, it spins forever").size).toBe(0);
    expect(subjectWords("It fails for our big account, small ones work").size).toBe(0);
    expect(subjectWords("It dies on large files; I should be able to, it says the input is invalid").size).toBe(0);
    expect(subjectWords("Oops, something broke as soon as it loads").size).toBe(0);
    // the writer's own name is no name field of the product
    expect([...subjectWords("Checkout shows garbled characters instead of my name")]).toEqual(["checkout"]);
    expect([...subjectWords("I can't pick a workspace name with a space")]).toContain("name");
    expect([...subjectWords("Invoices say permission denied even though I am the account owner and an admin")]).toEqual(["invoice"]);
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

  it("does not join two messages through who wrote them or how they greet", async () => {
    const d = deps();
    const setup = await assignSignal(ticket("g1", "Subject: Can't finish the setup steps\nBody: Good morning, Server error on the setup wizard, tried on two browsers. — Ravi"), d, opts);
    const checkout = await assignSignal(ticket("g2", "Subject: URGENT - the payment page\nBody: Good morning, the payment page shows a server error. — Ravi"), d, opts);
    const chat = await assignSignal(ticket("g3", "#support — Ravi: good morning, the invite link shows a server error"), d, opts);
    expect(new Set([setup.reportId, checkout.reportId, chat.reportId]).size).toBe(3);
    const setupAgain = await assignSignal(ticket("g4", "Subject: Setup wizard broken\nBody: Hey there, the setup wizard steps show a server error. — Mei"), d, opts);
    expect(setupAgain.reportId).toBe(setup.reportId);
  });

  it("prefers, among reports about as close, one that failed the way the signal did to one that named no failure", async () => {
    const d = deps();
    const exception = await assignSignal(
      { ...ticket("f1", "ForbiddenError: user lacks permission billing:write (role=member)\n    at formatCurrency (src/invoices/formatCurrency.ts:302:19)\n    at RenderInvoicePdf.handle (src/invoices/RenderInvoicePdf.tsx:322:31)"), source_product: "errors", source_type: "exception" },
      d,
      opts,
    );
    const waited = await assignSignal(ticket("f2", "#feedback — Lucía: a customer says: I waited five minutes trying to download my invoice and gave up. Started around 5pm."), d, opts);
    expect(waited.reportId).not.toBe(exception.reportId);
    const denied = await assignSignal(ticket("f3", "Subject: Invoices not working\nBody: After the last update I'm not allowed to download my invoice anymore. On the iOS app too."), d, opts);
    expect(denied.reportId).toBe(exception.reportId);
  });

  it("looks again at a fingerprint that opened its report alone, and leads it to the report it clearly belongs with", async () => {
    const run = async (recheckEvery: number) => {
      const d = deps();
      const o = { ...opts, recheckEvery };
      const stack = (id: string, n: number) => ({
        ...ticket(id, `error: forbidden: role member lacks calendar:write\n\ngoroutine ${n} [running]:\ngithub.com/acme/app/calendar.resolveAttendees(0xc00078bc61)\n\t/src/calendar/resolve_attendees.go:${300 + n} +0xa2\ngithub.com/acme/app/calendar.(*Handler).RefreshOAuthToken(0xc00027804f, {0x9cea6d, 0xc0007c61d2})\n\t/src/calendar/handler.go:345 +0x233`),
        source_product: "errors",
        source_type: "exception",
      });
      const log = (id: string, user: string) => ({
        ...ticket(id, `{"ts":"2026-06-09T05:57:27.684Z","level":"warn","service":"calendar","msg":"denied: missing scope calendar:write","route":"/api/calendar/sync","user_id":"${user}","role":"member","host":"calendar-8"}`),
        source_product: "logs",
        source_type: "log",
      });
      // the customers' messages first, then the exception, which opens a report of its own (nothing it could join yet)
      const tickets = await assignSignal(ticket("k1", "#support — Tomás: Meeting sync says permission denied even though I'm the account owner."), d, o);
      await assignSignal(ticket("k2", "Subject: Bug: calendar sync\nBody: Hello, Access denied on the Google Calendar integration, nothing changed on our side. — Sven"), d, o);
      const first = await assignSignal(stack("x1", 1), d, o);
      expect(first.reportId).not.toBe(tickets.reportId);
      // the calendar service's log lines about the same refusal join the customers' report
      for (const [i, u] of ["usr_sgur7wv9", "usr_ncmtp3vj"].entries()) expect((await assignSignal(log(`l${i}`, u), d, o)).reportId).toBe(tickets.reportId);
      const again = [];
      // one repeat looked at again (or none); the ones after it follow the fingerprint wherever it leads now
      for (let i = 2; i < 6; i++) again.push((await assignSignal(stack(`x${i}`, i), d, { ...o, recheckEvery: i === 2 ? recheckEvery : 0 })).reportId);
      return { first: first.reportId, tickets: tickets.reportId, again };
    };
    const never = await run(0);
    expect(never.again).toEqual([never.first, never.first, never.first, never.first]);
    const always = await run(1);
    expect(always.again).toEqual([always.tickets, always.tickets, always.tickets, always.tickets]);
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

  it("keeps a log line out of a report it shares only a failure with: the shipping service's 502 is not a 502 at checkout", async () => {
    const d = deps();
    const log = (id: string, content: string): GroupingSignal => ({ ...ticket(id, content), source_product: "logs", source_type: "log" });
    const checkout = await assignSignal(ticket("t1", "#feedback — Olu: i get a 502 error when I check out. Started around 5pm today."), d, opts);
    const exception = await assignSignal(
      { ...log("e1", 'Traceback (most recent call last):\n  File "/srv/app/checkout/views.py", line 99, in compute_totals\n    result = load_cart(request, order_id="ord_ewvacanxw3")\n  File "/srv/app/checkout/service.py", line 141, in load_cart\n    return self.line_items\nrequests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: https://tax-service.internal/v2/call'), source_product: "errors", source_type: "exception" },
      d,
      opts,
    );
    expect(exception.reportId).toBe(checkout.reportId);
    // the shipping service's log line first: what it shares with the checkout report is the failure class
    const shipping = await assignSignal(log("l2", "2026-06-19T20:04:47.375Z ERROR [fulfillment] upstream address-validator responded 502 route=/api/shipping/rates duration_ms=227 request_id=req_zbh4w2a"), d, opts);
    expect(shipping.reportId).not.toBe(checkout.reportId);
    expect(shipping.isNewReport).toBe(true);
    const checkoutLog = await assignSignal(log("l1", "2026-06-10T11:33:21.000Z ERROR [checkout] upstream tax-service responded 502 route=/checkout/payment duration_ms=381 request_id=req_6k6qr9p7"), d, opts);
    expect(checkoutLog.reportId).toBe(checkout.reportId);
  });
});
