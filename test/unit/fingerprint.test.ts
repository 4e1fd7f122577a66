import { describe, expect, it } from "vitest";
import { MinedFingerprinter } from "../../workers/grouping/fingerprinter";
import { logTokens } from "../../workers/grouping/log-tokens";
import { MemoryLogTemplateStore } from "../../workers/grouping/memory-log-templates";
import type { GroupingSignal } from "../../workers/grouping/types";

const sig = (content: string, source_type = "exception", source_product = "errors", project = "p"): GroupingSignal => ({
  id: "x",
  project,
  source_product,
  source_type,
  content,
  weight: 1,
});
const log = (content: string, project = "p") => sig(content, "log", "logs", project);

/** one project's fingerprinter; `of` takes signals in arrival order */
function project(store = new MemoryLogTemplateStore()) {
  const f = new MinedFingerprinter(store);
  return { store, of: async (...signals: GroupingSignal[]) => f.fingerprints(signals) };
}

describe("stack fingerprints", () => {
  const trace = (line: number, fn = "computeTotals") =>
    `TypeError: Cannot read properties of null (reading 'items')\n    at ${fn} (src/checkout/totals.ts:${line}:18)\n    at renderWithHooks (node_modules/react-dom/cjs/react-dom.development.js:14985:18)`;

  it("ignore line numbers and dependency frames", async () => {
    const [a, b] = await project().of(sig(trace(42)), sig(trace(57)));
    expect(a).toBe(b);
    expect(a).toBe("stack:TypeError:computeTotals@src/checkout/totals.ts");
  });

  it("separate the same error type in different functions", async () => {
    const [a, b] = await project().of(sig(trace(42)), sig(trace(42, "uploadAvatar")));
    expect(a).not.toBe(b);
  });

  it("read Python tracebacks", async () => {
    const py = 'Traceback (most recent call last):\n  File "app/billing.py", line 12, in charge\n    total = cart.total\nAttributeError: NoneType has no attribute total';
    // the error line comes last in Python; frames alone are enough with a type
    expect(await project().of(sig(py))).toEqual(["stack:AttributeError:charge@app/billing.py"]);
  });

  it("read Java, Go, Ruby and dotted Python types, in-app frames only, line numbers ignored", async () => {
    const java = (line: number) =>
      `org.springframework.web.client.HttpClientErrorException$TooManyRequests: 429 from provisioner\n\tat com.acme.onboarding.WorkspaceService.createWorkspace(WorkspaceService.java:${line})\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)`;
    const go = (line: number) =>
      `panic: runtime error: invalid memory address or nil pointer dereference\n\ngoroutine 7 [running]:\ngithub.com/acme/app/login.(*Handler).CheckMfa(0xc0006c289e, {0x592e71})\n\t/src/login/handler.go:${line} +0x99f\nruntime.goexit()\n\t/usr/local/go/src/runtime/asm_amd64.s:1650 +0x1`;
    const ruby = (line: number) =>
      `ActiveRecord::RecordInvalid: Validation failed: Email is invalid\n  app/services/password_reset/send_reset_email.rb:${line}:in \`send_reset_email'\n  actionpack (7.1.3) lib/action_controller/metal/basic_implicit_render.rb:6:in \`send_action'`;
    const python = (line: number) =>
      `Traceback (most recent call last):\n  File "/srv/app/notifications/views.py", line ${line}, in resolve_recipients\n    x = y\nPermissionDenied: role 'editor' may not perform notifier.write`;
    const p = project();
    const fps = await p.of(sig(java(340)), sig(java(12)), sig(go(328)), sig(go(1)), sig(ruby(385)), sig(ruby(2)), sig(python(122)), sig(python(9)));
    expect(fps).toEqual([
      "stack:org.springframework.web.client.HttpClientErrorException$TooManyRequests:WorkspaceService.createWorkspace@com/acme/onboarding/WorkspaceService.java",
      "stack:org.springframework.web.client.HttpClientErrorException$TooManyRequests:WorkspaceService.createWorkspace@com/acme/onboarding/WorkspaceService.java",
      "stack:panic:Handler.CheckMfa@/src/login/handler.go",
      "stack:panic:Handler.CheckMfa@/src/login/handler.go",
      "stack:ActiveRecord::RecordInvalid:send_reset_email@app/services/password_reset/send_reset_email.rb",
      "stack:ActiveRecord::RecordInvalid:send_reset_email@app/services/password_reset/send_reset_email.rb",
      "stack:PermissionDenied:resolve_recipients@/srv/app/notifications/views.py",
      "stack:PermissionDenied:resolve_recipients@/srv/app/notifications/views.py",
    ]);
  });

  it("give one error the same fingerprint in Chrome, Firefox and Safari", async () => {
    const chrome = "TypeError: cart is undefined\n    at computeTotals (https://shop.example.com/static/app.js?v=3:120:18)\n    at https://shop.example.com/static/vendor.js:1:200";
    const firefox = "TypeError: cart is undefined\ncomputeTotals@https://shop.example.com/static/app.js?v=3:120:18\n@https://shop.example.com/static/vendor.js:1:200";
    const safari = "TypeError: cart is undefined\ncomputeTotals@https://shop.example.com/static/app.js?v=3:121:4\n@https://shop.example.com/static/vendor.js:1:200";
    const [a, b, c] = await project().of(sig(chrome), sig(firefox), sig(safari));
    expect(a).toBe("stack:TypeError:computeTotals@static/app.js");
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it("are none for free text", async () => {
    expect(await project().of(sig("checkout is broken for two customers", "message", "slack"))).toEqual([null]);
  });
});

describe("log tokens", () => {
  it("mask numbers, ids, addresses, hosts, durations, paths and quoted values", () => {
    expect(logTokens("user 8f2c0a1e-1111-2222-3333-444455556666 took 41ms from 10.0.0.7")).toEqual(["user", "<*>", "took", "<*>", "from", "<*>"]);
    expect(logTokens("Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010")).toEqual([
      "Receiving", "block", "<*>", "src:", "<*>", "dest:", "<*>",
    ]);
    expect(logTokens("Nov 30 12:00:01 ip-10-0-3-17 sshd[4121]: Failed password for root from 203.0.113.9 port 52144 ssh2")).toEqual([
      "Nov", "<*>", "<*>", "<*>", "sshd[<*>]:", "Failed", "password", "for", "root", "from", "<*>", "port", "<*>", "<*>",
    ]);
    expect(logTokens('open path="/var/lib/app/data.db" failed key="a b c" retry=3 after 1.5s')).toEqual(["open", "path=<*>", "failed", "key=<*>", "retry=<*>", "after", "<*>"]);
    // a quoted message that stands alone keeps its words
    expect(logTokens('I0311 08:00:36.703929 2349 kubelet.go:2434] "SyncLoop DELETE" source="api"')).toEqual(["<*>", "<*>", "<*>", "kubelet.go:<*>]", '"SyncLoop', 'DELETE"', "source=<*>"]);
    expect(logTokens("GET https://api.example.com/v1/users?id=7 deadbeefcafe")).toEqual(["GET", "<*>", "<*>"]);
    // IPv6 addresses whole (groups without a digit too, a port after them), never `::` inside a word
    expect(logTokens("client: 2001:db8:cb::715b, from fe80::1:8443 [2001:db8:0:0:1:0:0:1]:443")).toEqual(["client:", "<*>,", "from", "<*>", "[<*>]:<*>"]);
    expect(logTokens("at std::vector Foo::Bar::baz")).toEqual(["at", "std::vector", "Foo::Bar::baz"]);
  });
});

describe("log templates", () => {
  it("put JSON lines that differ in numbers together", async () => {
    const a = log('{"level":"warn","service":"auth","msg":"request exceeded 5000ms","duration_ms":7421}');
    const b = log('{"level":"warn","service":"auth","msg":"request exceeded 6000ms","duration_ms":6012}');
    const c = log('{"level":"warn","service":"billing","msg":"request exceeded 6000ms"}');
    const [fa, fb, fc] = await project().of(a, b, c);
    expect(fa).toMatch(/^log:[0-9a-f]{16}$/);
    expect(fb).toBe(fa);
    expect(fc).not.toBe(fa);
  });

  it("learn a word that varies (a user name) and keep the template's id while it generalizes", async () => {
    const p = project();
    const [a, b, c] = await p.of(
      log("2026-11-30 12:00:01 INFO auth: session opened for user alice via password"),
      log("2026-11-30 12:00:02 INFO auth: session opened for user bob via password"),
      log("2026-11-30 12:00:09 INFO auth: session opened for user carol via password"),
    );
    expect(b).toBe(a);
    expect(c).toBe(a);
    const [t] = await p.store.load("p", ["11|INFO"]);
    expect(t.tokens).toEqual(["<*>", "<*>", "INFO", "auth:", "session", "opened", "for", "user", "<*>", "via", "password"]);
    expect(`log:${t.id}`).toBe(a);
  });

  it("keep near misses apart: one event word differs", async () => {
    const [accepted, failed, opened, closed] = await project().of(
      log("Nov 30 12:00:01 web sshd[4121]: Accepted password for alice from 203.0.113.9 port 52144 ssh2"),
      log("Nov 30 12:00:02 web sshd[4122]: Failed password for alice from 203.0.113.9 port 52145 ssh2"),
      log("2026-11-30T12:00:03Z pool connection opened to primary database cluster"),
      log("2026-11-30T12:00:04Z pool connection closed to primary database cluster"),
    );
    expect(failed).not.toBe(accepted);
    expect(closed).not.toBe(opened);
    // two places in the code, one wording: two templates (5 of 7 words agree, above the similarity threshold)
    const [reset, session, resetAgain] = await project().of(
      log('{"level":"error","service":"auth","msg":"issueResetToken failed: resetToken is null","user_id":"u_1"}'),
      log('{"level":"error","service":"auth","msg":"createSession failed: passwordHash is null","user_id":"u_2"}'),
      log('{"level":"error","service":"auth","msg":"issueResetToken failed: resetToken is null","user_id":"u_3"}'),
    );
    expect(session).not.toBe(reset);
    expect(resetAgain).toBe(reset);
  });

  it("keep the same words from two services apart ([service], service=, JSON service)", async () => {
    const [checkout, fulfillment, checkoutAgain] = await project().of(
      log("2026-06-10T11:33:21.000Z ERROR [checkout] upstream tax-service responded 500 route=/checkout/payment duration_ms=381"),
      log("2026-06-19T20:04:47.375Z ERROR [fulfillment] upstream address-validator responded 502 route=/api/shipping/rates duration_ms=227"),
      log("2026-06-11T09:00:00.000Z ERROR [checkout] upstream tax-service responded 503 route=/checkout/payment duration_ms=90"),
    );
    expect(fulfillment).not.toBe(checkout);
    expect(checkoutAgain).toBe(checkout);
    const [a, b] = await project().of(
      log('ts=2026-06-10T11:33:21Z level=warn service=search msg="request to ranker exceeded deadline" duration_ms=9000'),
      log('ts=2026-06-10T11:33:22Z level=warn service=exports msg="request to ranker exceeded deadline" duration_ms=9100'),
    );
    expect(b).not.toBe(a);
    const [j1, j2] = await project().of(
      log('{"level":"error","service":"billing","msg":"could not encode taxId: invalid byte sequence"}'),
      log('{"level":"error","service":"accounts","msg":"could not encode taxId: invalid byte sequence"}'),
    );
    expect(j2).not.toBe(j1);
  });

  it("join lines whose headers differ where the event does not: pid and role, month, quoted object, HTTP method", async () => {
    const [m, s, other] = await project().of(
      log("2871:M 11 Mar 2025 08:53:58.631 * Background saving started by pid 1718828"),
      log("1913:S 12 Apr 2025 11:46:35.264 * Background saving started by pid 477954"),
      log("1913:S 12 Apr 2025 11:46:36.663 * Background saving terminated with success"),
    );
    expect(s).toBe(m);
    expect(other).not.toBe(m);
    const kubelet = (ns: string) =>
      log(`W0311 08:10:54.214506 1052 reflector.go:561] object-"${ns}"/"${ns}-tls": failed to list *v1.Secret: secrets "${ns}-tls" is forbidden: User "system:node:ip-10-0-3-17" cannot list resource "secrets" in the namespace "${ns}"`);
    const [k1, k2] = await project().of(kubelet("observability"), kubelet("payments"));
    expect(k2).toBe(k1);
    const haproxy = (method: string) =>
      log(`Mar 11 08:00:30 lb-2 haproxy[2304]: 198.51.100.1:35621 [11/Mar/2025:08:00:30.301] fe_https~ be_api/api-2 0/0/1/366/366 200 9781 - - ---- 285/443/25/6/0 0/0 "${method} /api/v1/products?sort=asc HTTP/1.1"`);
    const [get, post] = await project().of(haproxy("GET"), haproxy("POST"));
    expect(post).toBe(get);
  });

  it("keep lines of different shapes apart", async () => {
    const fps = await project().of(
      log("12:00:01 worker-7 ERROR queue consumer crashed while handling batch 812"),
      log("12:00:02 worker-3 ERROR queue consumer lagging behind by 9120 messages"),
      log("12:00:03 worker-7 ERROR queue consumer crashed while handling batch 813"),
    );
    expect(fps[2]).toBe(fps[0]);
    expect(fps[1]).not.toBe(fps[0]);
  });

  it("are per project and survive a restart (a new fingerprinter on the same store)", async () => {
    const store = new MemoryLogTemplateStore();
    const line = (user: string, proj: string) => log(`2026-11-30 12:00:01 INFO auth: session opened for user ${user} via password`, proj);
    const [first] = await project(store).of(line("alice", "p"));
    const [afterRestart] = await project(store).of(line("bob", "p"));
    const [otherProject] = await project(store).of(line("bob", "q"));
    expect(afterRestart).toBe(first);
    expect(otherProject).not.toBe(first);
  });

  it("need enough text outside the variables", async () => {
    expect(await project().of(log("12:00:01 ok 200"))).toEqual([null]);
  });
});
