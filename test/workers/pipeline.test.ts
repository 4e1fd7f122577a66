import { dueReports } from "../../workers/sweep/cron";
import { decodeEmbedding } from "../../workers/normalize/embedding-codec";
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import { recheck } from "../../workers/grouping/assign";
import type { ReportView } from "../../durable-objects/report";
import { api, createProject, deliver, message, postSignals, settle } from "./helpers";

const CHECKOUT_ERROR =
  "TypeError: Cannot read properties of null (reading 'items')\n    at computeTotals (src/checkout/totals.ts:42:18)\n    at PaymentStep.render (src/checkout/PaymentStep.tsx:88:20)\nurl: https://shop.example.com/checkout/payment";
const CHECKOUT_ISSUE =
  "Title: Checkout payment step crashes computing totals\nBody: computeTotals in src/checkout/totals.ts throws when the cart is null on the payment step.";
const DARK_MODE = "#feedback — would love a dark mode for the dashboard, staring at white screens all night is rough :)";

async function signalRow(project: string, id: string) {
  return env.DB.prepare("SELECT * FROM signals WHERE project_id = ? AND id = ?").bind(project, id).first<Record<string, unknown>>();
}

async function report(id: string): Promise<ReportView> {
  const view = await env.REPORTS.get(env.REPORTS.idFromName(id)).snapshot();
  if (!view) throw new Error(`no report ${id}`);
  return view;
}

describe("queue consumer", () => {
  it("stores each signal normalized, with its embedding and the link that grouped it", async () => {
    await createProject("norm");
    const result = await deliver([
      message("norm", { id: "n1", source_product: " Errors ", source_type: "Exception", content: `${CHECKOUT_ERROR}\r\n` }),
    ]);
    expect(result.explicitAcks).toEqual(["m0-n1"]);
    const row = await signalRow("norm", "n1");
    expect(row).toMatchObject({ source_product: "errors", source_type: "exception", weight: 1, link_method: "new" });
    expect(row!.content).toBe(CHECKOUT_ERROR);
    const embedding = decodeEmbedding(row!.embedding as string);
    expect(embedding).toHaveLength(768);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
    expect(row!.report_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("puts two related signals in one report and an unrelated one in another", async () => {
    await createProject("grp");
    await deliver([
      message("grp", { id: "g1", content: CHECKOUT_ERROR }),
      message("grp", { id: "g2", source_product: "github", source_type: "issue", content: CHECKOUT_ISSUE }),
      message("grp", { id: "g3", source_product: "slack", source_type: "message", content: DARK_MODE }),
    ]);
    const [g1, g2, g3] = await Promise.all(["g1", "g2", "g3"].map((id) => signalRow("grp", id)));
    expect(g2!.report_id).toBe(g1!.report_id);
    expect(g2!.link_method).toBe("vector");
    expect(g2!.link_score).toBeGreaterThanOrEqual(Number(env.GROUPING_THRESHOLD));
    expect(g2!.link_query).toEqual(expect.any(String));
    expect(g3!.report_id).not.toBe(g1!.report_id);
    const r = await report(g1!.report_id as string);
    expect(r.signals.map((s) => s.id)).toEqual(["g1", "g2"]);
    // a clear match: no judge was asked
    expect(r.signals[1].link_judge).toBeNull();
  });

  it("leads a fingerprint that opened its report alone to the report it clearly belongs with, once looked at again", async () => {
    await createProject("fpmove");
    const stack = (id: string, n: number) =>
      message("fpmove", {
        id,
        source_product: "errors",
        source_type: "exception",
        content: `error: forbidden: role member lacks calendar:write\n\ngoroutine ${n} [running]:\ngithub.com/acme/app/calendar.resolveAttendees(0xc00078bc61)\n\t/src/calendar/resolve_attendees.go:${300 + n} +0xa2\ngithub.com/acme/app/calendar.(*Handler).RefreshOAuthToken(0xc00027804f, {0x9cea6d, 0xc0007c61d2})\n\t/src/calendar/handler.go:345 +0x233`,
      });
    const log = (id: string, user: string) =>
      message("fpmove", {
        id,
        source_product: "logs",
        source_type: "log",
        content: `{"ts":"2026-06-09T05:57:27.684Z","level":"warn","service":"calendar","msg":"denied: missing scope calendar:write","route":"/api/calendar/sync","user_id":"${user}","role":"member","host":"calendar-8"}`,
      });
    // ids a hash says are (or are not) looked at again
    const ids = (want: boolean, n: number) => {
      const out: string[] = [];
      for (let i = 0; out.length < n; i++) if (recheck(`x${i}`, {}) === want) out.push(`x${i}`);
      return out;
    };
    const [plain1, plain2, plain3, plain4] = ids(false, 4);
    const [looked] = ids(true, 1);
    await deliver([
      message("fpmove", { id: "k1", source_product: "slack", source_type: "message", content: "#support — Tomás: Meeting sync says permission denied even though I'm the account owner." }),
      message("fpmove", { id: "k2", source_product: "support", source_type: "ticket", content: "Subject: Bug: calendar sync\nBody: Hello, Access denied on the Google Calendar integration, nothing changed on our side. — Sven" }),
    ]);
    await deliver([stack(plain1, 1)]);
    await deliver([log("l1", "usr_sgur7wv9"), log("l2", "usr_ncmtp3vj"), stack(plain2, 2)]);
    const before = await Promise.all(["k1", plain1, "l1", plain2].map((id) => signalRow("fpmove", id)));
    expect(before[0]!.report_id).not.toBe(before[1]!.report_id);
    expect(before[2]!.report_id).toBe(before[0]!.report_id);
    expect(before[3]!.report_id).toBe(before[1]!.report_id);
    // looked at again in a batch, with a repeat after it in the same batch and another in the next
    await deliver([stack(looked, 3), stack(plain3, 4)]);
    await deliver([stack(plain4, 5)]);
    const after = await Promise.all([looked, plain3, plain4].map((id) => signalRow("fpmove", id)));
    for (const row of after) expect(row!.report_id).toBe(before[0]!.report_id);
    expect(after[0]!.link_method).toBe("vector");
    expect(after[2]!.link_method).toBe("fingerprint");
    // the earlier repeats stay where they were
    expect((await signalRow("fpmove", plain1))!.report_id).toBe(before[1]!.report_id);
  });

  it("joins a customer's message to the exception it describes, and keeps the same complaint about another part apart", async () => {
    await createProject("subj");
    const SEARCH_429 =
      "Error: Request failed with status code 429 from ranker (retry-after 12)\n    at runQuery (src/search/runQuery.ts:88:12)\n    at SearchPage.handle (src/search/SearchPage.tsx:40:9)";
    await deliver([
      message("subj", { id: "e1", content: SEARCH_429 }),
      message("subj", { id: "t1", source_product: "support", source_type: "ticket", content: "Subject: Search broken?\nBody: Search keeps saying too many requests, I only tried twice." }),
      message("subj", { id: "t2", source_product: "support", source_type: "ticket", content: "Subject: Invoices broken?\nBody: The invoice PDFs keep saying too many requests, I only tried twice." }),
    ]);
    const [e1, t1, t2] = await Promise.all(["e1", "t1", "t2"].map((id) => signalRow("subj", id)));
    expect(t1!.report_id).toBe(e1!.report_id);
    expect(t1!.link_method).toBe("vector");
    expect(t2!.report_id).not.toBe(e1!.report_id);
  });

  it("keeps the match judge's verdict on a link, shown with the report", async () => {
    const key = await createProject("verdict");
    const verdict = { same: true, reason: "one_fix", detail: "both are the null cart in computeTotals", judge: "llm-match:claude-haiku-4-5" };
    const stub = env.REPORTS.get(env.REPORTS.idFromName("rep-verdict"));
    const items = [
      { signal: { id: "v1", source_product: "errors", source_type: "exception", content: CHECKOUT_ERROR, weight: 1, received_at: 1 }, link: { method: "new" as const, query: "q", score: null } },
      { signal: { id: "v2", source_product: "github", source_type: "issue", content: CHECKOUT_ISSUE, weight: 1, received_at: 2 }, link: { method: "vector" as const, query: "q", score: 0.41, judge: verdict } },
    ];
    const listing = await stub.addSignals({ reportId: "rep-verdict", project: "verdict", threshold: 100, items });
    await env.DB.prepare("INSERT INTO reports (id, project_id, state, title, weight, signal_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(listing.id, "verdict", listing.state, listing.title, listing.weight, listing.signal_count, listing.created_at, listing.updated_at)
      .run();
    const view = (await (await api(key, "/v1/reports/rep-verdict")).json()) as ReportView;
    expect(view.signals.map((s) => s.link_judge)).toEqual([null, verdict]);
  });

  it("joins a repeat by its fingerprint without writing queries", async () => {
    await createProject("fp");
    await deliver([
      message("fp", { id: "f1", content: CHECKOUT_ERROR }),
      message("fp", { id: "f2", content: CHECKOUT_ERROR.replace(":42:18", ":47:3") }),
    ]);
    const f2 = await signalRow("fp", "f2");
    expect(f2).toMatchObject({ link_method: "fingerprint", link_score: 1 });
    expect(f2!.report_id).toBe((await signalRow("fp", "f1"))!.report_id);
  });

  it("delivering the same signal twice stores and counts it once", async () => {
    await createProject("dup");
    await deliver([message("dup", { id: "d1", content: CHECKOUT_ERROR })]);
    await deliver([message("dup", { id: "d1", content: CHECKOUT_ERROR })]);
    const rows = await env.DB.prepare("SELECT report_id FROM signals WHERE project_id = 'dup'").all<{ report_id: string }>();
    expect(rows.results).toHaveLength(1);
    const r = await report(rows.results[0].report_id);
    expect([r.signal_count, r.weight]).toEqual([1, 1]);
  });

  it("dead-letters a message it cannot read, with the reason, instead of retrying it", async () => {
    const result = await deliver([{ v: 1, kind: "signal", project: "x" } as never]);
    expect(result.explicitAcks).toEqual(["m0-invalid"]);
    expect(result.retryMessages).toEqual([]);
  });
});

describe("report lifecycle", () => {
  it("promotes when the weight crosses the threshold, researches, and lands in the inbox", async () => {
    const key = await createProject("life", 2);
    await deliver([
      message("life", { id: "l1", content: CHECKOUT_ERROR }),
      message("life", { id: "l2", source_product: "github", source_type: "issue", content: CHECKOUT_ISSUE, weight: 1.5 }),
    ]);
    const reportId = (await signalRow("life", "l1"))!.report_id as string;
    const r = await settle(reportId);
    expect(r.state).toBe("ready");
    expect(r.history.map((h) => h.to)).toEqual(["potential", "candidate", "researching", "ready"]);
    expect(r.decision).toMatchObject({ bucket: "actionable", rule: "in_app_frame" });
    expect(r.evidence!.counts_by_source).toEqual({ errors: 1, github: 1 });
    expect(r.evidence!.top_files[0].value).toBe("src/checkout/totals.ts");

    const inbox = (await (await api(key, "/v1/inbox")).json()) as { ready: { report_id: string; evidence: { summary: string } }[]; needs_input: unknown[] };
    expect(inbox.ready.map((e) => e.report_id)).toEqual([reportId]);
    expect(inbox.ready[0].evidence.summary).toContain("2 signals");
    expect(inbox.needs_input).toEqual([]);

    // a signal joining a ready report updates its inbox entry
    await deliver([message("life", { id: "l3", content: CHECKOUT_ERROR.replace(":42:18", ":43:1") })]);
    const after = (await (await api(key, "/v1/inbox")).json()) as { ready: { signal_count: number; weight: number; signals_since_research: number }[] };
    expect(after.ready[0]).toMatchObject({ signal_count: 3, weight: 3.5, signals_since_research: 1 });

    const viaApi = await api(key, `/v1/reports/${reportId}`);
    expect(viaApi.status).toBe(200);
    expect(((await viaApi.json()) as ReportView).signals.map((x) => x.id)).toEqual(["l1", "l2", "l3"]);
  });

  it("sends a vague report to a human instead of a code change", async () => {
    const key = await createProject("vague", 2);
    const text = "#support — onboarding is broken, customers say onboarding is confusing and they give up";
    await deliver([
      message("vague", { id: "v1", source_product: "slack", source_type: "message", content: text }),
      message("vague", { id: "v2", source_product: "slack", source_type: "message", content: `${text} again today` }),
    ]);
    const reportId = (await signalRow("vague", "v1"))!.report_id as string;
    expect((await signalRow("vague", "v2"))!.report_id).toBe(reportId);
    const r = await settle(reportId);
    expect(r.state).toBe("needs_input");
    expect(r.decision!.rule).toBe("no_concrete_location");
    const inbox = (await (await api(key, "/v1/inbox")).json()) as { needs_input: { report_id: string }[] };
    expect(inbox.needs_input.map((e) => e.report_id)).toEqual([reportId]);
  });

  it("the cron sweep promotes reports that reached a lowered threshold", async () => {
    const key = await createProject("sweep", 10);
    await deliver([
      message("sweep", { id: "w1", content: CHECKOUT_ERROR }),
      message("sweep", { id: "w2", source_product: "github", source_type: "issue", content: CHECKOUT_ISSUE }),
    ]);
    const reportId = (await signalRow("sweep", "w1"))!.report_id as string;
    expect((await report(reportId)).state).toBe("potential");

    const runCron = async () => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env, ctx);
      await waitOnExecutionContext(ctx);
    };
    await runCron();
    expect((await report(reportId)).state).toBe("potential");

    const patched = await api(key, "/v1/project", { method: "PATCH", body: JSON.stringify({ promotion_threshold: 2 }) });
    expect(patched.status).toBe(200);
    await runCron();
    const r = await settle(reportId);
    expect(r.state).toBe("ready");
    const promotion = r.history.find((h) => h.to === "candidate");
    expect(promotion!.note).toContain("cron sweep");
  });

  it("a lone signal is not actionable yet and goes back to the pool with a higher bar", async () => {
    await createProject("lone", 1);
    await deliver([message("lone", { id: "o1", content: CHECKOUT_ERROR })]);
    const reportId = (await signalRow("lone", "o1"))!.report_id as string;
    const r = await settle(reportId);
    expect(r.state).toBe("potential");
    expect(r.history.map((h) => h.to)).toEqual(["potential", "candidate", "researching", "not_actionable", "potential"]);
    expect(r.promote_at).toBe(2);
    // the D1 mirror knows the bar, so the cron sweep does not pick the report up again below it
    const mirrored = await env.DB.prepare("SELECT weight, resume_at FROM reports WHERE id = ?").bind(reportId).first<{ weight: number; resume_at: number }>();
    expect(mirrored).toEqual({ weight: 1, resume_at: 2 });
    expect((await dueReports(env.DB, Date.now())).map((d) => d.id)).not.toContain(reportId);
  });
});

describe("end to end over HTTP and the Queue", () => {
  it("a posted signal reaches D1 and a report through the real queue", async () => {
    const key = await createProject("e2e");
    const res = await postSignals(key, [{ id: "e1", source_product: "errors", source_type: "exception", content: CHECKOUT_ERROR }]);
    expect(res.status).toBe(202);
    // the consumer links the D1 row first, then the report Durable Object mirrors itself: wait for both
    let list: { reports: { id: string; signal_count: number }[] } = { reports: [] };
    for (let i = 0; i < 300 && list.reports.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      list = (await (await api(key, "/v1/reports")).json()) as typeof list;
    }
    const row = await signalRow("e2e", "e1");
    expect(row?.report_id).toEqual(expect.any(String));
    expect(list.reports).toEqual([expect.objectContaining({ id: row!.report_id, signal_count: 1 })]);
  });
});
