import { describe, expect, it } from "vitest";
import { HeuristicTriageClassifier } from "../../workers/triage/heuristic";
import type { TriageInput, TriageReason } from "../../workers/triage/triage";

// Cases written for these tests; none is in evals/data/triage-mixed.jsonl.
const c = new HeuristicTriageClassifier();
const s = (content: string, source_product = "zendesk", source_type = "ticket", metadata?: Record<string, unknown>): TriageInput => ({
  source_product,
  source_type,
  content,
  metadata,
});

const noise: [TriageReason, TriageInput][] = [
  ["auto_reply", s("Subject: Auto-Reply: invoice question\nBody: I'm currently out of the office and will respond to your message upon my return on Monday.", "email", "message")],
  ["auto_reply", s("Subject: Mail delivery failed: returning message to sender\nBody: This message was created automatically by mail delivery software.", "email", "message")],
  ["thank_you", s("Perfect, thank you for the quick answer!", "intercom", "conversation")],
  ["resolved", s("Update: false alarm, our proxy was blocking the websocket. Sorry for the noise.", "github", "issue_comment")],
  ["resolved", s("Subject: Re: sync\nBody: Nvm, figured it out.\n\n> On Tue, Anna wrote:\n> Sync fails with error 500 on every attempt", "email", "message")],
  ["duplicate", s("+1 same for me", "github", "issue_comment")],
  ["duplicate", s("bump", "github", "issue_comment")],
  ["duplicate", s("Duplicate of acme/web#881", "github", "issue_comment")],
  ["duplicate", s("same as https://github.com/acme/web/issues/77 ?", "github", "issue")],
  ["bot_tracking", s("Title: Release v3.2.0\nBody: - [ ] bump version\n- [ ] changelog\n- [ ] tag and publish\n- [ ] announce in #general", "github", "issue")],
  ["bot_tracking", s("Title: Q3 release checklist\nBody: - [x] freeze main\n- [ ] smoke test staging\n- [ ] cut the branch", "github", "issue")],
  ["bot_tracking", s("Title: chore(deps): update dependency typescript to v5.9.3\nBody: This PR contains the following updates.", "github", "issue")],
  ["bot_tracking", s("Title: Nightly build report\nBody: All 412 checks green.", "github", "issue", { author: "ci-reporter[bot]" })],
  ["spam", s("Dear website owner, we offer SEO and guest posts on high authority blogs. WhatsApp +1 555 0100.", "feedback", "form")],
  ["internal_test", s("Testing 1 2 3", "slack", "message")],
  ["internal_test", s("Subject: test from staging\nBody: Please ignore, checking that the Intercom webhook reaches nightshift.", "intercom", "conversation")],
  ["billing_request", s("Subject: Discount for nonprofits?\nBody: We're a registered charity, is there a discount on the Team plan?")],
  ["billing_request", s("Can I switch my payment method from card to bank transfer?", "intercom", "conversation")],
  ["manual_request", s("Subject: Ownership\nBody: Our admin left the company, please transfer ownership of the workspace to me.")],
  ["manual_request", s("Could you extend our trial by two weeks? We need more time to evaluate.", "intercom", "conversation")],
  ["abuse", s("You're all a bunch of incompetent clowns.", "social", "mention")],
  ["vague_dissatisfaction", s("Honestly pretty disappointed with the latest version.", "app_store", "review")],
  ["vague_dissatisfaction", s("useless", "play_store", "review")],
  ["self_contradictory", s("Uploads always fail. Although to be fair, they've never actually failed for me.", "feedback", "form")],
];

const signal: [string, TriageInput][] = [
  ["a billing-worded bug that names code", s("Title: Tax shown in cart differs from the invoice\nBody: The cart computes VAT per line in web/cart/vat.ts, the invoice on the total in billing/invoice.py; the charge is a cent off.", "github", "issue")],
  ["stack trace from a test helper", s("Error: test\n    at sendTestEvent (src/debug/test-event.ts:3:9)", "sentry", "exception")],
  ["python traceback", s('Traceback (most recent call last):\n  File "app/jobs/export.py", line 41, in run\nKeyError: \'owner\'', "errors", "exception")],
  ["error log line", s('level=error msg="refund job failed" order=55812 err="card_declined"', "logs", "log")],
  ["thanks plus a bug", s("Thanks for adding SSO! Sadly the Okta login button spins forever on Safari.", "intercom", "conversation")],
  ["refund because of a bug", s("Subject: refund please\nBody: Your app deleted all my notes after the sync, I want a refund.")],
  ["billing page that errors", s("Subject: can't update card\nBody: The payment method form says 'Invalid request' for every card I enter.")],
  ["account deletion that fails", s("Please delete my account, the self-service deletion page shows a spinner and never finishes.", "email", "message")],
  ["+1 with a new platform", s("+1, also happens on Android 15 with the tablet layout", "github", "issue_comment")],
  ["a reference with a new detail", s("See #412 — still fails on 3.2.0 when the file name has a space", "github", "issue_comment")],
  ["duplicate charges", s("Duplicate charges on my card after checkout, order 8812", "zendesk", "ticket")],
  ["a release that broke something", s("Title: Release 3.2.0 broke login\nBody: After upgrading, SSO users land on a blank page.", "github", "issue")],
  ["angry but concrete", s("This is ridiculous, the checkout charged me but the order page says 'payment pending' for 3 days.", "social", "mention")],
  ["vague words, named feature", s("The new editor is terrible to use.", "app_store", "review")],
  ["out-of-office feature request", s("Could you add an out of office status to user profiles?", "feedback", "form")],
  ["a test-related bug", s("Title: Flaky test in billing\nBody: test_proration fails one run in ten on CI with an off-by-one in the period end.", "github", "issue")],
  ["bot-related bug", s("Title: Dependabot PRs can't be merged\nBody: The required check 'license-scan' never starts on Dependabot PRs.", "github", "issue")],
  ["retraction then a new problem", s("Never mind the login thing, it was my VPN. But the export still times out after 30 seconds.", "intercom", "conversation")],
  ["works on one browser, not another", s("The upload dialog fails on Firefox but works fine on Chrome.", "zendesk", "ticket")],
  ["a question", s("Is there a way to schedule reports weekly instead of daily?", "intercom", "conversation")],
  ["feature request", s("It would be great if the API supported cursor pagination.", "github", "issue")],
  ["experiment result", s("Experiment 'pricing-page-v2': sign-ups -3.1% (p=0.04) on desktop.", "experiments", "result")],
];

describe("HeuristicTriageClassifier", () => {
  for (const [reason, input] of noise) {
    it(`noise (${reason}): ${input.content.slice(0, 50).replace(/\n/g, " ")}`, async () => {
      const v = await c.classify(input);
      expect(v).toMatchObject({ verdict: "noise", reason });
      expect(v.matched).toContain(reason);
    });
  }
  for (const [name, input] of signal) {
    it(`signal: ${name}`, async () => {
      const v = await c.classify(input);
      expect(v).toMatchObject({ verdict: "signal", reason: null });
    });
  }

  it("says why a soft class gave way", () => {
    const v = c.classifySync(s("Thanks! By the way the invoice PDF is missing the company address.", "intercom", "conversation"));
    expect(v.verdict).toBe("signal");
    expect(v.matched).toEqual(expect.arrayContaining(["thank_you", "problem_words"]));
    // billing words that report what an invoice does are no billing request: nobody asked for anything
    expect(v.matched).not.toContain("billing_request");
  });

  it("keeps a billing request apart from a report about invoices, receipts or charges", () => {
    expect(c.classifySync(s("Hi, I need a copy of the March invoice for our accountant, please.", "zendesk", "ticket"))).toMatchObject({ verdict: "noise", reason: "billing_request" });
    expect(c.classifySync(s("Solicitud de factura: necesito la factura del mes de mayo a nombre de la empresa.", "zendesk", "ticket"))).toMatchObject({ verdict: "noise", reason: "billing_request" });
    expect(c.classifySync(s("After the update our one-page invoices print over two pages, the footer spills onto page 2.", "zendesk", "ticket")).verdict).toBe("signal");
    // a billing-flavoured wish is a feature request
    expect(c.classifySync(s("Can you add an option to send invoice reminders 3 days before the due date?", "forum", "post")).verdict).toBe("signal");
  });

  it("hears a feature request inside thanks, and a test that says it is one whatever it describes", () => {
    expect(c.classifySync(s("Love the app!! but please let me reorder exercises inside a workout by dragging.", "app_store", "review")).verdict).toBe("signal");
    expect(c.classifySync(s("Love the app, thanks for all the work!", "app_store", "review"))).toMatchObject({ verdict: "noise", reason: "thank_you" });
    expect(c.classifySync(s("TEST - crash on checkout - DO NOT ACTION\nSample ticket from the support team, not a real customer.", "zendesk", "ticket"))).toMatchObject({ verdict: "noise", reason: "internal_test" });
  });

  it("knows monitor and lock-bot notices, bare duplicates in other languages, and spam by its vocabulary", () => {
    expect(c.classifySync(s("[UP] api.example.com is back up\nMonitor: API\nWas down for: 2 minutes\nReason: Connection timeout", "email", "message"))).toMatchObject({ verdict: "noise", reason: "bot_tracking" });
    expect(c.classifySync(s("This issue has been automatically locked since there has not been any recent activity after it was closed.", "github", "issue_comment"))).toMatchObject({ verdict: "noise", reason: "bot_tracking" });
    expect(c.classifySync(s("Gleiches Problem hier. Gibt es schon Neuigkeiten?", "forum", "post"))).toMatchObject({ verdict: "noise", reason: "duplicate" });
    expect(c.classifySync(s("@acme DM me for 10k real followers, cheap price", "twitter", "mention"))).toMatchObject({ verdict: "noise", reason: "spam" });
    // a "+1" that adds a symptom is a report
    expect(c.classifySync(s("Gleiches Problem hier, und auf dem iPad ist die ganze Seite leer und der Export stürzt ab.", "forum", "post")).verdict).toBe("signal");
  });

  it("knows auto-replies in other languages and read receipts", () => {
    for (const text of [
      "Automatische Antwort: Ihre Anfrage\nIch bin bis zum 3. März nicht im Büro.",
      "Réponse automatique : Re: Paiement refusé\nBonjour, je suis absente jusqu'au 2 septembre.",
      "Read: Export fails with 500 error\nYour message was read on 14/03/2026 09:40.",
    ])
      expect(c.classifySync(s(text, "email", "message")), text).toMatchObject({ verdict: "noise", reason: "auto_reply" });
  });

  it("reads only what the sender wrote, not the quoted original", () => {
    const v = c.classifySync(s("Thanks, all sorted!\n\nOn Mon, 3 Mar 2026, Support <help@acme.example> wrote:\n> The export fails with error 500, we are looking into it.", "email", "message"));
    expect(v.verdict).toBe("noise");
  });

  it("marks error-shaped signals as signal whatever their words", () => {
    const v = c.classifySync(s("TypeError: thanks is not a function\n    at sayThanks (src/ui/thanks.ts:4:3)", "sentry", "exception"));
    expect(v).toEqual({ verdict: "signal", reason: null, matched: ["error_shaped"] });
  });
});
