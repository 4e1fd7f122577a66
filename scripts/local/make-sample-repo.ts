/**
 * Builds the sample app (`examples/sample-app/app/`) as a git repository with
 * a deterministic history: 14 commits by four people and dependabot, each
 * with a fixed author, e-mail and date, so commit ids are the same on every
 * machine. The last six human commits each bring one of the bugs the demo's
 * signal stream describes (see `SAMPLE_BUGS`), and break one test each; the
 * same commit marks that test as a known failure (node:test's `todo` option,
 * see `knownBug`), so the app's test command passes on main while each bug
 * stays documented by a `not ok … # TODO` line. Before its bug's commit each
 * of these tests passed without the marker (variant B's test arrives with
 * its bug).
 *
 *   npx tsx scripts/local/make-sample-repo.ts            # into a new temp dir
 *   npx tsx scripts/local/make-sample-repo.ts /tmp/shop  # into an empty or new dir
 *
 * Prints the repository's path. Needs only `git` on PATH; reads no git config
 * of the machine (global and system config and GIT_* variables are ignored).
 *
 * The files in `examples/sample-app/app/` are the final tree. Earlier states
 * are derived from them by `REVISIONS`: each names a text in a final file and
 * what stood there before the commit that changed it. A revision whose text
 * is no longer found fails the build loudly, so the app and its history
 * cannot drift apart.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../examples/sample-app/app");

interface Person {
  name: string;
  email: string;
}

export const AUTHORS = {
  maya: { name: "Maya Chen", email: "maya.chen@shop.example" },
  tomas: { name: "Tomás Ruiz", email: "tomas.ruiz@shop.example" },
  priya: { name: "Priya Natarajan", email: "priya.natarajan@shop.example" },
  ben: { name: "Ben Okafor", email: "ben.okafor@shop.example" },
  dependabot: { name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com" },
} satisfies Record<string, Person>;

type AuthorKey = keyof typeof AUTHORS;

interface Commit {
  author: AuthorKey;
  /** ISO 8601 with offset */
  date: string;
  message: string;
  /** app-relative paths this commit writes (their state as of this commit) */
  files: string[];
}

/** The history, oldest first. Every file of the app is written by at least one commit. */
export const COMMITS: Commit[] = [
  {
    author: "maya",
    date: "2026-11-02T09:14:00+00:00",
    message: "Initial shop-web: cart, totals and the payment step",
    files: [".gitignore", "README.md", "package.json", "scripts/lint.js", "src/checkout/cart.js", "src/checkout/coupons.js", "src/checkout/totals.js", "src/checkout/payment-step.js", "test/checkout.test.js"],
  },
  {
    author: "tomas",
    date: "2026-11-03T14:02:00+00:00",
    message: "auth: PBKDF2 password hashes and sign-in",
    files: ["src/auth/password.js", "src/auth/client.js", "test/auth.test.js"],
  },
  {
    author: "priya",
    date: "2026-11-05T10:41:00+00:00",
    message: "onboarding: create the workspace on step 2",
    files: ["src/onboarding/api.js", "test/onboarding.test.js"],
  },
  {
    author: "ben",
    date: "2026-11-06T16:27:00+00:00",
    message: "search: product index with plural stemming",
    files: ["src/search/index.js", "test/search.test.js"],
  },
  {
    author: "ben",
    date: "2026-11-09T11:05:00+00:00",
    message: "reports: export orders as CSV",
    files: ["src/reports/export.js", "test/reports.test.js"],
  },
  {
    author: "priya",
    date: "2026-11-10T13:30:00+00:00",
    message: "pricing: trial button on the pricing page, with click tracking",
    files: ["src/pricing/analytics.js", "src/pricing/variant-a.js", "test/pricing.test.js"],
  },
  {
    author: "maya",
    date: "2026-11-12T08:50:00+00:00",
    message: "Add CODEOWNERS",
    files: [".github/CODEOWNERS"],
  },
  {
    author: "dependabot",
    date: "2026-11-16T04:12:00+00:00",
    message: "Bump prettier from 3.3.2 to 3.3.3",
    files: ["package.json"],
  },
  {
    author: "ben",
    date: "2026-11-18T15:44:00+00:00",
    message: "reports: write the CSV export without a BOM, as the accounting importer expects",
    files: ["src/reports/export.js", "test/reports.test.js"],
  },
  {
    author: "priya",
    date: "2026-11-20T10:18:00+00:00",
    message: "onboarding: keep the workspace name exactly as the user typed it",
    files: ["src/onboarding/api.js", "test/onboarding.test.js"],
  },
  {
    author: "ben",
    date: "2026-11-23T17:36:00+00:00",
    message: "search: match queries on the exact words typed",
    files: ["src/search/index.js", "test/search.test.js"],
  },
  {
    author: "priya",
    date: "2026-11-25T12:09:00+00:00",
    message: "pricing: variant B for the pricing-page-v2 experiment",
    files: ["src/pricing/variant-b.js", "test/pricing.test.js"],
  },
  {
    author: "tomas",
    date: "2026-11-30T18:22:00+00:00",
    message: "auth: raise PBKDF2 to 600k iterations and upgrade older hashes at sign-in",
    files: ["src/auth/password.js", "src/auth/client.js", "test/auth.test.js"],
  },
  {
    author: "maya",
    date: "2026-12-01T07:55:00+00:00",
    message: "checkout: hydrate the cart straight from the session store",
    files: ["src/checkout/cart.js", "test/checkout.test.js"],
  },
];

/**
 * A change made by commit `commit` (index into COMMITS) to `file`, undone to
 * get the file's earlier state:
 * - `after`/`before`: the final text `after` stood as `before` until then;
 * - `added: [start, end]`: the region from `start` through the first `end`
 *   after it was added by that commit;
 * - `created`: the file did not exist before that commit.
 */
type Revision = { commit: number; file: string } & (
  | { after: string; before: string }
  | { added: [start: string, end: string] }
  | { created: true }
);

/**
 * The revision by which commit `commit` marks the test `name` in `file` as a
 * known failure: `test(name, { todo: reason }, …)` was `test(name, …)` before.
 */
function knownBug(commit: number, file: string, name: string, reason: string): Revision {
  const opening = `test(${JSON.stringify(name)}, `;
  return { commit, file, after: `${opening}{ todo: ${JSON.stringify(reason)} }, `, before: opening };
}

export const REVISIONS: Revision[] = [
  { commit: 7, file: "package.json", after: '"prettier": "3.3.3"', before: '"prettier": "3.3.2"' },
  {
    commit: 8,
    file: "src/reports/export.js",
    after: 'Buffer.from(ordersCsv(orders), "latin1")',
    before: 'Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ordersCsv(orders), "utf8")])',
  },
  knownBug(8, "test/reports.test.js", "the CSV export is UTF-8 with a BOM, so accented names survive", "known bug: accented names are garbled in the CSV export"),
  { commit: 9, file: "src/onboarding/api.js", after: "{ name: displayName.trim(), display_name", before: "{ name: workspaceSlug(displayName), display_name" },
  knownBug(9, "test/onboarding.test.js", "a workspace named 'Acme Corp' is created as acme-corp", "known bug: a name with spaces gets a 422"),
  { commit: 10, file: "src/search/index.js", after: "const wanted = tokenize(query);", before: "const wanted = terms(query);" },
  knownBug(10, "test/search.test.js", "a plural query finds products named in the singular", "known bug: plural queries find nothing"),
  { commit: 11, file: "src/pricing/variant-b.js", created: true },
  { commit: 11, file: "test/pricing.test.js", added: ['import * as variantB from "../src/pricing/variant-b.js";', "\n"] },
  { commit: 11, file: "test/pricing.test.js", added: ["\ntest(\"variant B's trial button", "\n});\n"] },
  { commit: 12, file: "src/auth/password.js", after: "export const ITERATIONS = 600_000;", before: "export const ITERATIONS = 210_000;" },
  { commit: 12, file: "src/auth/password.js", added: ["\n/**\n * Whether a stored hash was made with a different work factor", "\n}\n"] },
  {
    commit: 12,
    file: "src/auth/client.js",
    after: 'import { hashPassword, needsRehash, verifyPassword } from "./password.js";',
    before: 'import { verifyPassword } from "./password.js";',
  },
  { commit: 12, file: "src/auth/client.js", added: ["  if (needsRehash(user.passwordHash)) {", "\n  }\n"] },
  { commit: 12, file: "test/auth.test.js", added: ['test("a hash made with an older work factor is upgraded at sign-in"', "\n});\n\n"] },
  knownBug(
    12,
    "test/auth.test.js",
    "signing in with an up-to-date hash derives the key once and keeps the hash",
    "known bug: sign-in derives the key twice and rewrites current hashes",
  ),
  {
    commit: 13,
    file: "src/checkout/cart.js",
    after: " * The session's cart, read from the cart store.\n",
    before: " * The session's cart, read from the cart store; an empty cart when the\n * visitor has not started one yet.\n",
  },
  { commit: 13, file: "src/checkout/cart.js", after: " * @returns {Cart | null}", before: " * @returns {Cart}" },
  knownBug(13, "test/checkout.test.js", "the payment page opens for a session that has no cart", "known bug: the payment page fails when the session has no cart"),
  {
    commit: 13,
    file: "src/checkout/cart.js",
    after: "  if (!session.cartId) return null;\n  return store.get(session.cartId) ?? null;",
    before: '  const cart = session.cartId ? store.get(session.cartId) : undefined;\n  return cart ?? { id: "", items: [] };',
  },
];

/** One bug of the sample app, the demo problem it explains, and how it shows. */
export interface SampleBug {
  id: string;
  /** the demo's signals (scripts/demo/sample-stream.jsonl ids) this bug explains */
  signals: string[];
  /** the commit (index into COMMITS) that brought it */
  commit: number;
  author: AuthorKey;
  /** the app test that fails because of it */
  failingTest: string;
  file: string;
  /** a line of `file` that `git blame` attributes to the bug's commit */
  line: string;
}

export const SAMPLE_BUGS: SampleBug[] = [
  {
    id: "checkout-null-cart",
    signals: ["s01", "s02", "s03", "s04", "s05", "s32"],
    commit: 13,
    author: "maya",
    failingTest: "the payment page opens for a session that has no cart",
    file: "src/checkout/cart.js",
    line: "  if (!session.cartId) return null;",
  },
  {
    id: "login-double-hash",
    signals: ["s10", "s11", "s12", "s13", "s33"],
    commit: 12,
    author: "tomas",
    failingTest: "signing in with an up-to-date hash derives the key once and keeps the hash",
    file: "src/auth/password.js",
    line: "  return parsed === null || parsed.iterations !== iterations;",
  },
  {
    id: "workspace-name-422",
    signals: ["s06", "s07", "s08", "s09"],
    commit: 9,
    author: "priya",
    failingTest: "a workspace named 'Acme Corp' is created as acme-corp",
    file: "src/onboarding/api.js",
    line: '  const res = await api.post("/workspaces", { name: displayName.trim(), display_name: displayName.trim() });',
  },
  {
    id: "pricing-variant-b-reference-error",
    signals: ["s14", "s15", "s16"],
    commit: 11,
    author: "priya",
    failingTest: "variant B's trial button records the click and opens signup",
    file: "src/pricing/variant-b.js",
    line: '  trackTrialClick(ctx.events, "b");',
  },
  {
    id: "search-plural-zero-results",
    signals: ["s22", "s23", "s24"],
    commit: 10,
    author: "ben",
    failingTest: "a plural query finds products named in the singular",
    file: "src/search/index.js",
    line: "  const wanted = tokenize(query);",
  },
  {
    id: "csv-export-latin1",
    signals: ["s17", "s18"],
    commit: 8,
    author: "ben",
    failingTest: "the CSV export is UTF-8 with a BOM, so accented names survive",
    file: "src/reports/export.js",
    line: '  return Buffer.from(ordersCsv(orders), "latin1");',
  },
];

/** Every file under `dir`, as `/`-separated paths relative to it, sorted. */
function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else if (entry.isFile()) out.push(relative(base, full).split(sep).join("/"));
  }
  return out.sort();
}

/** Replaces the one occurrence of `from` in `text`; throws when there is not exactly one. */
function replaceOnce(text: string, from: string, to: string, where: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) {
    throw new Error(`make-sample-repo: ${where}: expected exactly one occurrence of ${JSON.stringify(from.slice(0, 80))}`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/**
 * A file's content as of commit `index`: the final content with every later
 * revision undone (latest first). `null` when the file does not exist yet.
 */
export function contentAt(file: string, index: number, final: string): string | null {
  let text = final;
  const later = REVISIONS.map((r, i) => ({ r, i })).filter(({ r }) => r.file === file && r.commit > index);
  for (const { r, i } of later.reverse()) {
    const where = `revision ${i} (${file})`;
    if ("created" in r) return null;
    if ("added" in r) {
      const [start, end] = r.added;
      const at = text.indexOf(start);
      if (at < 0 || text.indexOf(start, at + 1) >= 0) throw new Error(`make-sample-repo: ${where}: expected exactly one ${JSON.stringify(start)}`);
      const stop = text.indexOf(end, at + start.length);
      if (stop < 0) throw new Error(`make-sample-repo: ${where}: no ${JSON.stringify(end)} after ${JSON.stringify(start)}`);
      text = text.slice(0, at) + text.slice(stop + end.length);
    } else {
      text = replaceOnce(text, r.after, r.before, where);
    }
  }
  return text;
}

/** The process environment without GIT_* variables (a hook's GIT_DIR would point git elsewhere). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GIT_")));
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...cleanEnv(),
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      TZ: "UTC",
      ...env,
    },
  });
}

/**
 * Builds the repository in `target` (created if missing; must be empty) or in
 * a new directory under the system temp dir. Returns its absolute path.
 */
export function makeSampleRepo(target?: string): string {
  const dir = target ? resolve(target) : mkdtempSync(join(tmpdir(), "nightshift-sample-app-"));
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`make-sample-repo: ${dir} is not empty`);
  mkdirSync(dir, { recursive: true });

  const files = listFiles(APP_DIR);
  const finals = new Map(files.map((f) => [f, readFileSync(join(APP_DIR, f), "utf8")]));
  const written = new Set(COMMITS.flatMap((c) => c.files));
  const unwritten = files.filter((f) => !written.has(f));
  if (unwritten.length) throw new Error(`make-sample-repo: no commit writes ${unwritten.join(", ")}`);
  for (const r of REVISIONS) {
    if (!finals.has(r.file)) throw new Error(`make-sample-repo: revision of missing file ${r.file}`);
    if (!COMMITS[r.commit]?.files.includes(r.file)) throw new Error(`make-sample-repo: commit ${r.commit} does not write ${r.file}`);
  }

  git(dir, ["init", "--quiet", "--initial-branch=main"]);
  COMMITS.forEach((commit, index) => {
    for (const file of commit.files) {
      const final = finals.get(file);
      if (final === undefined) throw new Error(`make-sample-repo: commit ${index} writes ${file}, which the app does not have`);
      const text = contentAt(file, index, final);
      if (text === null) throw new Error(`make-sample-repo: commit ${index} writes ${file} before it exists`);
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    git(dir, ["add", "--", ...commit.files]);
    const who = AUTHORS[commit.author];
    git(dir, ["-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m", commit.message], {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_AUTHOR_DATE: commit.date,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
      GIT_COMMITTER_DATE: commit.date,
    });
  });

  // the final tree must be the app, byte for byte
  for (const [file, final] of finals) {
    if (readFileSync(join(dir, file), "utf8") !== final) throw new Error(`make-sample-repo: ${file} differs from the app after the last commit`);
  }
  const status = git(dir, ["status", "--porcelain"]);
  if (status.trim()) throw new Error(`make-sample-repo: uncommitted changes left:\n${status}`);
  return dir;
}

/** Removes a repository made by makeSampleRepo (for tests). */
export function removeSampleRepo(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  try {
    console.log(makeSampleRepo(target));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
