/**
 * The agent's workspace tools (workers/agent/workspace-tools.ts) on a real
 * checkout of the sample app (scripts/local/make-sample-repo.ts, cloned into
 * a disk Workspace): git grep with the query passed as one shell word (no
 * injection through quotes, $() or backticks), numbered reads with ranges,
 * git blame through bash, exact-once edits, deadlines, and paths kept inside
 * the checkout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutPath, workspaceTools } from "../../workers/agent/workspace-tools";
import { shellQuote } from "../../workers/workspace/shell-quote";
import type { AgentTool } from "../../workers/agent/tool";
import { makeSampleRepo, removeSampleRepo, SAMPLE_BUGS, AUTHORS } from "../../scripts/local/make-sample-repo";
import { DiskWorkspace } from "../../evals/host-workspace";

let repo: string;
let ws: DiskWorkspace;
let tools: Record<string, AgentTool>;
const DIR = "/workspace/shop";

beforeAll(async () => {
  repo = makeSampleRepo();
  ws = new DiskWorkspace();
  await ws.gitCheckout(repo, undefined, DIR);
  tools = Object.fromEntries(workspaceTools(ws, DIR, { bashTimeoutMs: 20_000 }).map((t) => [t.name, t]));
});

afterAll(() => {
  ws?.dispose();
  if (repo) removeSampleRepo(repo);
});

const cart = SAMPLE_BUGS.find((b) => b.id === "checkout-null-cart")!;

describe("workspace tools", () => {
  it("are bash, read_file, edit_file, search_code, all untrusted; research's set leaves edit out", () => {
    expect(Object.keys(tools)).toEqual(["bash", "read_file", "edit_file", "search_code"]);
    expect(Object.values(tools).every((t) => t.untrusted)).toBe(true);
    expect(workspaceTools(ws, DIR, { write: false }).map((t) => t.name)).toEqual(["bash", "read_file", "search_code"]);
  });

  it("search_code finds a fixed string (parentheses, ! and ; taken literally) with file and line", async () => {
    const out = await tools.search_code.run({ query: cart.line.trim() });
    expect(out.isError).toBeUndefined();
    const lines = out.text.split("\n");
    expect(lines[0]).toBe("1 matching line");
    expect(lines[1]).toMatch(new RegExp(`^${cart.file.replace(/[.]/g, "\\.")}:\\d+:  if \\(!session\\.cartId\\) return null;$`));
  });

  it("search_code limits to a path, takes a regex when asked, and says when nothing matches", async () => {
    const inAuth = await tools.search_code.run({ query: "ITERATIONS", path: "src/auth" });
    expect(inAuth.text.split("\n").slice(1).every((l) => l.startsWith("src/auth/"))).toBe(true);
    expect(inAuth.text).toMatch(/^\d+ matching lines?\n/);
    const re = await tools.search_code.run({ query: "ITERATIONS = [0-9_]+;", regex: true });
    expect(re.text).toContain("src/auth/password.js:");
    expect((await tools.search_code.run({ query: "no such text anywhere 42" })).text).toBe("no matches");
  });

  it("search_code passes the query as one word: quotes, $() and backticks run nothing", async () => {
    for (const query of ["'; touch pwned1; echo '", "$(touch pwned2)", "`touch pwned3`", "x\" ; touch pwned4 ; \"", "-e; touch pwned5"]) {
      const out = await tools.search_code.run({ query });
      expect(out.text, query).toBe("no matches");
    }
    const ls = await ws.exec("ls", { cwd: DIR });
    expect(ls.stdout).not.toMatch(/pwned/);
    expect(await ws.exists("shop/pwned1")).toBe(false);
    expect(await ws.exists("pwned2")).toBe(false);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect((await tools.search_code.run({ query: "a\nb" })).isError).toBe(true);
  });

  it("read_file numbers lines and reads a range", async () => {
    const grep = await tools.search_code.run({ query: cart.line.trim(), path: cart.file });
    const line = Number(grep.text.split("\n")[1].split(":")[1]);
    const out = await tools.read_file.run({ path: cart.file, start_line: line, end_line: line + 1 });
    const [head, first] = out.text.split("\n");
    expect(head).toMatch(new RegExp(`^src/checkout/cart\\.js \\(lines ${line}-${line + 1} of \\d+\\)$`));
    expect(first).toBe(`${line}\t${cart.line}`);
    expect(out.text.split("\n")).toHaveLength(3 + (out.text.includes("not shown") ? 1 : 0));
    const whole = await tools.read_file.run({ path: "./src//checkout/cart.js" });
    expect(whole.text.split("\n")[1]).toMatch(/^ ?1\t/);
    expect((await tools.read_file.run({ path: "src/nope.js" })).isError).toBe(true);
    expect((await tools.read_file.run({ path: cart.file, start_line: 10_000 })).text).toMatch(/past its end/);
  });

  it("bash runs git blame in the checkout: the bug's line is the bug's author's", async () => {
    const grep = await tools.search_code.run({ query: cart.line.trim(), path: cart.file });
    const line = Number(grep.text.split("\n")[1].split(":")[1]);
    const out = await tools.bash.run({ command: `git blame --porcelain -L ${line},${line} -- ${cart.file}` });
    expect(out.isError).toBe(false);
    expect(out.text.startsWith("exit code: 0\nstdout:\n")).toBe(true);
    expect(out.text).toContain(`\nauthor ${AUTHORS.maya.name}\n`);
    expect(out.text).toContain(`\nauthor-mail <${AUTHORS.maya.email}>\n`);
    const pwd = await tools.bash.run({ command: "pwd" });
    expect(pwd.text).toBe(`exit code: 0\nstdout:\n${ws.host(DIR)}\n`);
  });

  it("bash kills a command at its deadline and says so", async () => {
    const out = await tools.bash.run({ command: "sleep 30", timeout_seconds: 1 });
    expect(out.isError).toBe(true);
    expect(out.text).toMatch(/^exit code: 124 \(killed after 1 s\)/);
  });

  it("edit_file replaces text that occurs exactly once, and nothing else", async () => {
    const before = await ws.readFile(`${DIR}/${cart.file}`);
    const twice = await tools.edit_file.run({ path: cart.file, old_string: "session", new_string: "s" });
    expect(twice.isError).toBe(true);
    expect(twice.text).toMatch(/^old_string occurs \d+ times in src\/checkout\/cart\.js/);
    expect(await ws.readFile(`${DIR}/${cart.file}`)).toBe(before);
    const ok = await tools.edit_file.run({ path: cart.file, old_string: cart.line, new_string: "  if (!session.cartId) return emptyCart();" });
    expect(ok.text).toMatch(/^edited src\/checkout\/cart\.js at line \d+$/);
    const diff = await tools.bash.run({ command: "git diff --stat" });
    expect(diff.text).toContain("src/checkout/cart.js | 2 +-");
    await ws.exec("git checkout -- .", { cwd: DIR });
  });

  it("refuses paths that leave the checkout, before asking the workspace", async () => {
    for (const path of ["../outside.txt", "/etc/passwd", "src/../../x", "a/b/../../../c", ".", ""]) {
      for (const name of ["read_file", "edit_file"] as const) {
        const out = await tools[name].run({ path, old_string: "a", new_string: "b" });
        expect(out.isError, `${name} ${path}`).toBe(true);
        expect(out.text, `${name} ${path}`).toMatch(/^Invalid input: path /);
      }
      expect((await tools.search_code.run({ query: "x", path })).text).toMatch(/^Invalid input: path /);
    }
    expect(checkoutPath("/workspace/shop/", "./a//b.js")).toBe("/workspace/shop/a/b.js");
  });
});
