/**
 * workers/research/codeowners.ts against the examples of GitHub's CODEOWNERS
 * documentation (each rule's comment there says what it owns), the sample
 * app's own CODEOWNERS, lines GitHub skips, and adversarial patterns that
 * would make a backtracking matcher explode.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isValidOwner, parseCodeowners } from "../../workers/research/codeowners";

/** The example file of GitHub's "About code owners" page, rule by rule. */
const GITHUB_EXAMPLE = `# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer.
*.go docs@example.com

# Teams can be specified as code owners as well.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The \`docs/*\` pattern will match files like
# \`docs/getting-started.md\` but not further nested files like
# \`docs/build-app/troubleshooting.md\`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the \`/docs\`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the \`/scripts\` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a \`/logs\` directory such as
# \`/build/logs\`, \`/scripts/logs\`, and \`/deeply/nested/logs\`. Any changes
# in a \`/logs\` directory will require approval from @octocat.
**/logs @octocat

# In this example, @octocat owns any file in the \`/apps\`
# directory in the root of your repository except for the \`/apps/github\`
# subdirectory, as its owners are left empty.
/apps/ @octocat
/apps/github
`;

describe("codeowners: GitHub's documented example", () => {
  const co = parseCodeowners(GITHUB_EXAMPLE);
  const owners = (path: string) => co.ownersOf(path).owners;

  it("parses every rule, with inline comments dropped and no errors", () => {
    expect(co.errors).toEqual([]);
    expect(co.rules.map((r) => r.pattern)).toEqual(["*", "*.js", "*.go", "*.txt", "/build/logs/", "docs/*", "apps/", "/docs/", "/scripts/", "**/logs", "/apps/", "/apps/github"]);
    expect(co.rules[1]).toEqual({ line: 12, pattern: "*.js", owners: ["@js-owner"] });
  });

  it("the default owners own what no later rule matches", () => {
    expect(owners("README")).toEqual(["@global-owner1", "@global-owner2"]);
    expect(owners("src/lib/thing.rb")).toEqual(["@global-owner1", "@global-owner2"]);
  });

  it("extension rules match at any depth; the last match wins", () => {
    expect(owners("index.js")).toEqual(["@js-owner"]);
    expect(owners("src/deep/er/index.js")).toEqual(["@js-owner"]);
    expect(owners("cmd/main.go")).toEqual(["docs@example.com"]);
    expect(owners("notes/todo.txt")).toEqual(["@octo-org/octocats"]);
  });

  it("/build/logs/ owns the directory and its subdirectories, at the root only", () => {
    // in the full file the later **/logs rule takes every logs directory
    expect(owners("build/logs/today.log")).toEqual(["@octocat"]);
    const alone = parseCodeowners("/build/logs/ @doctocat\n");
    expect(alone.ownersOf("build/logs/today.log").owners).toEqual(["@doctocat"]);
    expect(alone.ownersOf("build/logs/2026/12/today.log").owners).toEqual(["@doctocat"]);
    expect(alone.ownersOf("x/build/logs/a.log").rule).toBeNull();
    expect(alone.ownersOf("build/logs").rule).toBeNull();
  });

  it("docs/* owns files directly in docs, not nested ones (/docs/ takes those)", () => {
    expect(co.ownersOf("docs/getting-started.md").rule?.pattern).toBe("/docs/");
    const onlyStar = parseCodeowners("docs/* docs@example.com\n");
    expect(onlyStar.ownersOf("docs/getting-started.md").owners).toEqual(["docs@example.com"]);
    expect(onlyStar.ownersOf("docs/build-app/troubleshooting.md").rule).toBeNull();
    // a slash in the middle anchors the pattern at the root
    expect(onlyStar.ownersOf("src/docs/a.md").rule).toBeNull();
  });

  it("apps/ owns an apps directory anywhere", () => {
    expect(owners("web/apps/main.rb")).toEqual(["@octocat"]);
    expect(owners("a/b/apps/c/d.rb")).toEqual(["@octocat"]);
    // a file named apps is not a directory
    expect(co.ownersOf("web/apps").rule?.pattern).toBe("*");
  });

  it("/scripts/ owns everything inside, nested too", () => {
    expect(owners("scripts/deploy.sh")).toEqual(["@doctocat", "@octocat"]);
    expect(owners("scripts/ci/run.sh")).toEqual(["@doctocat", "@octocat"]);
  });

  it("**/logs owns logs directories at any depth", () => {
    for (const p of ["build/logs/a", "scripts/logs/b.txt", "deeply/nested/logs/c", "logs/d"]) {
      expect(co.ownersOf(p).rule?.pattern, p).toBe("**/logs");
    }
  });

  it("/apps/github with no owners leaves that subdirectory unowned", () => {
    expect(owners("apps/web/index.html")).toEqual(["@octocat"]);
    expect(co.ownersOf("apps/github/index.html")).toEqual({ owners: [], rule: { line: 52, pattern: "/apps/github", owners: [] } });
  });

  it("paths are case-sensitive and may start with / or ./", () => {
    expect(owners("/scripts/x.sh")).toEqual(["@doctocat", "@octocat"]);
    expect(owners("./scripts/x.sh")).toEqual(["@doctocat", "@octocat"]);
    expect(owners("Scripts/x.sh")).toEqual(["@global-owner1", "@global-owner2"]);
  });
});

describe("codeowners: globs", () => {
  const one = (pattern: string, path: string) => parseCodeowners(`${pattern} @o\n`).ownersOf(path).rule !== null;

  it("* and ? stay inside one name", () => {
    expect(one("/src/*.ts", "src/a.ts")).toBe(true);
    expect(one("/src/*.ts", "src/x/a.ts")).toBe(false);
    expect(one("/src/?.ts", "src/a.ts")).toBe(true);
    expect(one("/src/?.ts", "src/ab.ts")).toBe(false);
    expect(one("*.test.*", "x/y/z.test.js")).toBe(true);
    expect(one("a*b*c", "aXbYc")).toBe(true);
    expect(one("a*b*c", "aXbY")).toBe(false);
  });

  it("/**/ is zero or more directories; trailing /** everything inside", () => {
    expect(one("/a/**/b", "a/b")).toBe(true);
    expect(one("/a/**/b", "a/x/y/b")).toBe(true);
    expect(one("/a/**/b", "a/x/y/c")).toBe(false);
    expect(one("/a/**", "a/x/y")).toBe(true);
    expect(one("/a/**", "a")).toBe(false);
    expect(one("**", "anything/at/all")).toBe(true);
  });

  it("a plain last name also owns a directory of that name; a wildcard one does not", () => {
    expect(one("/apps/github", "apps/github")).toBe(true);
    expect(one("/apps/github", "apps/github/x/y")).toBe(true);
    expect(one("/apps/github", "apps/githubx")).toBe(false);
    expect(one("/*", "top.md")).toBe(true);
    expect(one("/*", "dir/nested.md")).toBe(false);
  });

  it("backslash escapes a space or a wildcard", () => {
    expect(one("/my\\ docs/", "my docs/a.md")).toBe(true);
    expect(one("/lit\\*.md", "lit*.md")).toBe(true);
    expect(one("/lit\\*.md", "litX.md")).toBe(false);
  });
});

describe("codeowners: lines GitHub skips", () => {
  it("reports each with a reason and keeps the valid rules", () => {
    const co = parseCodeowners(["!secret.txt @a", "[ab].txt @a", "\\#hash @a", "*.md @bad owner!", "*.md @docs", "/x/ not-an-email"].join("\n"));
    expect(co.errors.map((e) => [e.line, e.reason])).toEqual([
      [1, "unsupported_negation"],
      [2, "unsupported_character_range"],
      [3, "unsupported_escaped_comment"],
      [4, "invalid_owner"],
      [6, "invalid_owner"],
    ]);
    expect(co.rules).toEqual([{ line: 5, pattern: "*.md", owners: ["@docs"] }]);
  });

  it("owner forms", () => {
    for (const ok of ["@octocat", "@octo-org/octocats", "@org/team_name.v2", "docs@example.com", "a.b+c@mail.example.org"]) expect(isValidOwner(ok), ok).toBe(true);
    for (const bad of ["octocat", "@", "@-x", "@org/", "a@b", "@a@b", "x@.com", "x@com.", `@${"a".repeat(400)}`]) expect(isValidOwner(bad), bad).toBe(false);
  });

  it("refuses empty and overlong paths with a reason", () => {
    const co = parseCodeowners("* @o\n");
    expect(() => co.ownersOf("/")).toThrow(/empty_path/);
    expect(() => co.ownersOf("a/".repeat(3000))).toThrow(/path_too_long/);
  });

  it("a file over 3 MB is ignored as a whole", () => {
    const co = parseCodeowners(`* @o\n${"#".repeat(3 * 1024 * 1024)}`);
    expect(co.rules).toEqual([]);
    expect(co.errors.map((e) => e.reason)).toEqual(["file_too_large"]);
  });
});

describe("codeowners: the sample app's file", () => {
  const co = parseCodeowners(readFileSync(join(__dirname, "../../examples/sample-app/app/.github/CODEOWNERS"), "utf8"));

  it("names the owner of each bug's file, the last rule winning", () => {
    expect(co.errors).toEqual([]);
    expect(co.ownersOf("src/checkout/cart.js").owners).toEqual(["@maya-chen", "@shop/payments"]);
    expect(co.ownersOf("src/auth/password.js").owners).toEqual(["@tomas-ruiz", "@shop/identity"]);
    expect(co.ownersOf("src/reports/export.js").owners).toEqual(["@ben-okafor", "reports@shop.example"]);
    expect(co.ownersOf("test/search.test.js").owners).toEqual(["@ben-okafor"]);
    expect(co.ownersOf("test/helpers.js").owners).toEqual(["@shop/web-platform"]);
    expect(co.ownersOf("README.md").owners).toEqual(["@shop/docs"]);
    expect(co.ownersOf("package.json").owners).toEqual(["@shop/web-platform", "@maya-chen"]);
  });
});

describe("codeowners: adversarial input stays fast", () => {
  it("many stars against a long near-miss name, many ** against a deep path", () => {
    const stars = `/${"a*".repeat(1000)}b @o`;
    const deep = `${"**/".repeat(500)}z @o`;
    const co = parseCodeowners(`${stars}\n${deep}\n`);
    expect(co.errors).toEqual([]);
    const name = "a".repeat(4000);
    const path = Array.from({ length: 2000 }, () => "d").join("/");
    // a backtracking matcher needs ~C(4000,1000) steps here; this one is bounded by |pattern|×|name|
    expect(co.ownersOf(name).rule).toBeNull();
    expect(co.ownersOf(path).rule).toBeNull();
    expect(co.ownersOf(`${"a".repeat(3000)}b`).rule?.line).toBe(1);
  });
});
