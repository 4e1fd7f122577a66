/**
 * workers/fix/diff-guard.ts: protected paths refused and their near misses
 * allowed, the "report is about this file" exemption, unsafe and adversarial
 * paths, modes and symlinks, size caps, and git's -z output read by
 * parseNameStatus / parseNumstat (also against a real `git diff` in a
 * temporary repository).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ChangedFile,
  guardDiff,
  parseNameStatus,
  parseNumstat,
  symlinkStaysInside,
  withNumstat,
} from "../../workers/fix/diff-guard";
import type { ResearchOutput } from "../../workers/research/output";

function research(...paths: string[]): Pick<ResearchOutput, "findings"> {
  return {
    findings: [
      {
        signal_ids: ["s1"],
        what: "the thing",
        locations: paths.map((path) => ({ path, line: 1, snippet: null })),
        commits: [],
      },
    ],
  };
}

const mod = (path: string, extra: Partial<ChangedFile> = {}): ChangedFile => ({
  path,
  status: "modified",
  oldMode: "100644",
  newMode: "100644",
  added: 1,
  deleted: 1,
  ...extra,
});

function reasonsFor(path: string, r: Pick<ResearchOutput, "findings"> | null = null, extra: Partial<ChangedFile> = {}) {
  const d = guardDiff([mod(path, extra)], r);
  return d.files[0]!.reasons;
}

describe("protected paths", () => {
  it.each([
    [".github/workflows/ci.yml", "ci_config"],
    [".github/workflows/nested/deploy.yaml", "ci_config"],
    [".github/actions/setup/action.yml", "ci_config"],
    [".GitHub/Workflows/ci.yml", "ci_config"],
    [".gitlab-ci.yml", "ci_config"],
    ["ci/templates/build.gitlab-ci.yml", "ci_config"],
    [".circleci/config.yml", "ci_config"],
    ["azure-pipelines.yml", "ci_config"],
    ["Jenkinsfile", "ci_config"],
    ["services/api/Jenkinsfile.release", "ci_config"],
    [".buildkite/pipeline.yml", "ci_config"],
    [".travis.yml", "ci_config"],
    ["bitbucket-pipelines.yml", "ci_config"],
    [".github/dependabot.yml", "ci_config"],
    ["CODEOWNERS", "codeowners"],
    [".github/CODEOWNERS", "codeowners"],
    ["docs/CODEOWNERS", "codeowners"],
    [".github/codeowners", "codeowners"],
    ["package.json", "dependency_manifest"],
    ["packages/web/package.json", "dependency_manifest"],
    ["package-lock.json", "lockfile"],
    ["yarn.lock", "lockfile"],
    ["pnpm-lock.yaml", "lockfile"],
    ["bun.lockb", "lockfile"],
    ["requirements.txt", "dependency_manifest"],
    ["requirements-dev.txt", "dependency_manifest"],
    ["requirements/prod.txt", "dependency_manifest"],
    ["Pipfile", "dependency_manifest"],
    ["Pipfile.lock", "lockfile"],
    ["poetry.lock", "lockfile"],
    ["pyproject.toml", "dependency_manifest"],
    ["go.mod", "dependency_manifest"],
    ["go.sum", "lockfile"],
    ["Gemfile", "dependency_manifest"],
    ["Gemfile.lock", "lockfile"],
    ["Cargo.toml", "dependency_manifest"],
    ["Cargo.lock", "lockfile"],
    ["composer.json", "dependency_manifest"],
    ["composer.lock", "lockfile"],
    ["src/App/App.csproj", "dependency_manifest"],
    ["mylib.gemspec", "dependency_manifest"],
    [".env", "secret_file"],
    [".env.local", "secret_file"],
    [".env.example", "secret_file"],
    ["config/.env.production", "secret_file"],
    [".envrc", "secret_file"],
    ["deploy/prod.env", "secret_file"],
    ["certs/server.pem", "secret_file"],
    ["certs/server.key", "secret_file"],
    ["id_rsa", "secret_file"],
    ["home/.ssh/id_ed25519.pub", "secret_file"],
    [".npmrc", "secret_file"],
    [".pypirc", "secret_file"],
    [".aws/credentials", "secret_file"],
    ["config/credentials.json", "secret_file"],
    ["config/credentials.yml.enc", "secret_file"],
    ["secrets.yaml", "secret_file"],
    ["infra/prod.tfvars", "secret_file"],
    [".gitmodules", "git_internal"],
    [".git/hooks/pre-commit", "git_internal"],
    ["vendor/lib/.git/config", "git_internal"],
    [".git./config", "git_internal"],
    ["CODEOWNERS.", "codeowners"],
  ])("%s is refused (%s)", (path, reason) => {
    const d = guardDiff([mod(path)], null);
    expect(d.allow).toBe(false);
    expect(d.files[0]!.reasons).toContain(reason);
  });

  it.each([
    ".github/workflow.md",
    ".github/ISSUE_TEMPLATE/bug.md",
    ".github/pull_request_template.md",
    "docs/workflows/ci.md",
    "src/.github/workflows-notes.ts",
    "docs/package.json.md",
    "src/package-json.ts",
    "src/env.ts",
    "src/environment.ts",
    "lib/dotenv.js",
    "src/keyboard.ts",
    "src/monkey.keys.ts",
    "src/auth/credentials.ts",
    "src/secrets.ts",
    "docs/secrets-management.md",
    "src/CODEOWNERS.ts",
    "src/owners/CODEOWNERS",
    "src/gitmodules.ts",
    "src/.gitignore",
    ".gitignore",
    "test/fixtures/lockfile.test.ts",
    "src/yarn.ts",
    "src/Jenkins.ts",
    "src/go.ts",
    "README.md",
  ])("%s is allowed", (path) => {
    const d = guardDiff([mod(path)], null);
    expect(d.files[0]!.reasons).toEqual([]);
    expect(d.allow).toBe(true);
  });
});

describe("the report is about the file", () => {
  it("a finding naming the very path lifts the protection", () => {
    const d = guardDiff([mod("package.json")], research("package.json"));
    expect(d.allow).toBe(true);
    expect(d.files[0]!.exempted).toEqual(["dependency_manifest"]);
  });

  it("the same file under another directory does not", () => {
    const d = guardDiff([mod("packages/web/package.json")], research("package.json"));
    expect(d.allow).toBe(false);
    expect(d.files[0]!.reasons).toEqual(["dependency_manifest"]);
  });

  it("naming the workflow allows the workflow but not the lockfile beside it", () => {
    const d = guardDiff([mod(".github/workflows/ci.yml"), mod("package-lock.json")], research(".github/workflows/ci.yml"));
    expect(d.allow).toBe(false);
    expect(d.files.map((f) => f.allowed)).toEqual([true, false]);
  });

  it("case of the finding's path does not matter (both are folded)", () => {
    expect(guardDiff([mod(".github/CODEOWNERS")], research(".GITHUB/codeowners")).allow).toBe(true);
  });

  it("never lifts git internals, unsafe paths, binaries or escaping symlinks", () => {
    expect(reasonsFor(".git/config", research(".git/config"))).toEqual(["git_internal"]);
    expect(reasonsFor("../outside", research("../outside"))).toEqual(["unsafe_path"]);
    expect(reasonsFor("logo.png", research("logo.png"), { binary: true, added: null, deleted: null })).toEqual(["binary"]);
    expect(
      reasonsFor("link", research("link"), { newMode: "120000", oldMode: null, status: "added", symlinkTarget: "/etc/passwd" }),
    ).toEqual(["symlink_outside"]);
  });

  it("a rename checks both paths: moving a workflow away is refused", () => {
    const d = guardDiff([mod("docs/old-ci.yml", { status: "renamed", oldPath: ".github/workflows/ci.yml" })], null);
    expect(d.files[0]!.reasons).toEqual(["ci_config"]);
  });

  it("no research at all: nothing is exempt", () => {
    expect(guardDiff([mod("go.mod")], null).allow).toBe(false);
  });
});

describe("unsafe and adversarial paths", () => {
  it.each([
    "",
    "/etc/passwd",
    "../secrets",
    "src/../../x",
    "src/./x",
    "src//x",
    "src/",
    "C:/Windows/x",
    "src\\..\\x",
    "src/a\u0000b",
    "src/a\nb",
    "...",
    "src/ /x",
  ])("%j is refused as unsafe_path", (path) => {
    expect(reasonsFor(path)).toEqual(["unsafe_path"]);
  });

  it("an over-long path is refused; the limit is configurable", () => {
    const long = "a/".repeat(600) + "x.ts";
    expect(reasonsFor(long)).toEqual(["unsafe_path"]);
    expect(guardDiff([mod(long)], null, { maxPathLength: 2000 }).allow).toBe(true);
  });

  it("stays linear on huge adversarial paths", () => {
    const evil = [
      ".github/".repeat(200_000) + "workflows/x",
      "a".repeat(1_000_000),
      "./".repeat(300_000),
      ".env".repeat(250_000),
    ];
    // a backtracking matcher would not return; the limits make these quick refusals
    for (const p of evil) expect(guardDiff([mod(p)], research(p)).allow).toBe(false);
    const d = guardDiff([mod(evil[0]!)], null, { maxPathLength: 10_000_000 });
    expect(d.files[0]!.reasons).toEqual([]); // .github/.github/… is not the root workflows dir
  });
});

describe("modes and symlinks", () => {
  it("turning the executable bit on or off is refused unless the report names the file", () => {
    expect(reasonsFor("scripts/run.sh", null, { newMode: "100755" })).toEqual(["mode_change"]);
    expect(reasonsFor("scripts/run.sh", null, { oldMode: "100755" })).toEqual(["mode_change"]);
    expect(reasonsFor("scripts/new.sh", null, { status: "added", oldMode: "000000", newMode: "100755" })).toEqual([
      "mode_change",
    ]);
    expect(guardDiff([mod("scripts/run.sh", { newMode: "100755" })], research("scripts/run.sh")).allow).toBe(true);
    expect(reasonsFor("scripts/run.sh", null, { oldMode: "100755", newMode: "100755" })).toEqual([]);
  });

  it("symlinks must resolve inside the repository and outside .git", () => {
    const link = (target: string | null) =>
      reasonsFor("src/link", null, { status: "added", oldMode: "000000", newMode: "120000", symlinkTarget: target });
    expect(link("../README.md")).toEqual([]);
    expect(link("sub/../other.ts")).toEqual([]);
    expect(link("../../etc/passwd")).toEqual(["symlink_outside"]);
    expect(link("/etc/passwd")).toEqual(["symlink_outside"]);
    expect(link("../.git/config")).toEqual(["symlink_outside"]);
    expect(link("../.GIT/hooks")).toEqual(["symlink_outside"]);
    expect(link(null)).toEqual(["symlink_unknown_target"]);
    expect(symlinkStaysInside("a/b/c", "../../..")).toBe(false);
    expect(symlinkStaysInside("a/b/c", "../..")).toBe(true);
  });

  it("a symlink inside the repository is judged as the file it points at", () => {
    const link = (path: string, target: string, r: Pick<ResearchOutput, "findings"> | null = null) =>
      reasonsFor(path, r, { status: "added", oldMode: "000000", newMode: "120000", symlinkTarget: target });
    expect(link("docs/x", "../.env")).toEqual(["secret_file"]);
    expect(link("src/ci.yml", "../.github/workflows/ci.yml")).toEqual(["ci_config"]);
    expect(link("src/lock", "../package-lock.json")).toEqual(["lockfile"]);
    expect(link("src/readme", "../README.md")).toEqual([]);
    // the report is about the target: the same exemption as editing it
    expect(link("docs/x", "../.env", research(".env"))).toEqual([]);
  });

  it("submodule (gitlink) entries are refused", () => {
    expect(reasonsFor("vendor/lib", null, { oldMode: "160000", newMode: "160000" })).toEqual(["submodule"]);
  });
});

describe("size caps", () => {
  const files = (n: number, lines = 1) => Array.from({ length: n }, (_, i) => mod(`src/f${i}.ts`, { added: lines, deleted: 0 }));

  it("files changed: 20 by default, configurable", () => {
    expect(guardDiff(files(20), null).allow).toBe(true);
    const d = guardDiff(files(21), null);
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual(["too_many_files"]);
    expect(guardDiff(files(21), null, { maxFiles: 30 }).allow).toBe(true);
  });

  it("lines changed: added + deleted, 1000 by default, configurable", () => {
    expect(guardDiff(files(10, 100), null).allow).toBe(true);
    const d = guardDiff([...files(10, 100), mod("src/x.ts", { added: 0, deleted: 1 })], null);
    expect(d.reasons).toEqual(["too_many_lines"]);
    expect(d.totals).toEqual({ files: 11, lines: 1001 });
    expect(guardDiff(files(10, 100), null, { maxLines: 999 }).allow).toBe(false);
  });

  it("unknown line counts refuse (the cap cannot be checked); empty diffs refuse", () => {
    const d = guardDiff([{ path: "src/x.ts", status: "modified" }], null);
    expect(d.reasons).toEqual(["line_counts_unknown"]);
    expect(d.totals.lines).toBeNull();
    expect(guardDiff([], null).reasons).toEqual(["no_changes"]);
  });
});

describe("parseNameStatus / parseNumstat", () => {
  it("reads --name-status -z with renames and odd paths", () => {
    const text = "M\0src/a.ts\0R087\0old name.ts\0new\tname.ts\0A\0.env\0D\0gone.ts\0";
    expect(parseNameStatus(text)).toEqual([
      { path: "src/a.ts", status: "modified", oldMode: null, newMode: null },
      { path: "new\tname.ts", oldPath: "old name.ts", status: "renamed", oldMode: null, newMode: null },
      { path: ".env", status: "added", oldMode: null, newMode: null },
      { path: "gone.ts", status: "deleted", oldMode: null, newMode: null },
    ]);
  });

  it("reads --raw -z with modes", () => {
    const text = ":100644 100755 abc1234 def5678 M\0run.sh\0:000000 120000 0000000 1234567 A\0link\0";
    expect(parseNameStatus(text)).toEqual([
      { path: "run.sh", status: "modified", oldMode: "100644", newMode: "100755" },
      { path: "link", status: "added", oldMode: "000000", newMode: "120000" },
    ]);
  });

  it("reads --numstat -z with renames and binaries", () => {
    const text = "3\t1\tsrc/a.ts\0" + "0\t0\t\0old.ts\0new.ts\0" + "-\t-\tlogo.png\0";
    expect(parseNumstat(text)).toEqual([
      { path: "src/a.ts", oldPath: null, added: 3, deleted: 1, binary: false },
      { path: "new.ts", oldPath: "old.ts", added: 0, deleted: 0, binary: false },
      { path: "logo.png", oldPath: null, added: null, deleted: null, binary: true },
    ]);
  });

  it("a real git diff, read with -z, fed to the guard", () => {
    const dir = mkdtempSync(join(tmpdir(), "guard-"));
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.quotePath=true", ...args], {
        cwd: dir,
        encoding: "utf8",
      });
    try {
      git("init", "-q");
      mkdirSync(join(dir, "src"));
      writeFileSync(join(dir, "src/app.ts"), "a\n");
      writeFileSync(join(dir, "run.sh"), "echo\n");
      writeFileSync(join(dir, "package.json"), "{}\n");
      git("add", "-A");
      git("commit", "-qm", "base");
      writeFileSync(join(dir, "src/app.ts"), "a\nb\nc\n");
      writeFileSync(join(dir, "src/we\"ird name.ts"), "x\n");
      chmodSync(join(dir, "run.sh"), 0o755);
      writeFileSync(join(dir, "package.json"), '{"x":1}\n');
      writeFileSync(join(dir, "logo.bin"), Buffer.from([0, 1, 2, 0, 255]));
      symlinkSync("../../etc/passwd", join(dir, "src/link"));
      git("add", "-A");
      const files = withNumstat(
        parseNameStatus(git("diff", "--cached", "--raw", "-z", "-M")),
        parseNumstat(git("diff", "--cached", "--numstat", "-z", "-M")),
      ).map((f) => (f.newMode === "120000" ? { ...f, symlinkTarget: git("cat-file", "-p", `:${f.path}`) } : f));
      const d = guardDiff(files, research("src/app.ts"));
      const byPath = Object.fromEntries(d.files.map((f) => [f.path, f.reasons]));
      expect(byPath).toEqual({
        "logo.bin": ["binary"],
        "package.json": ["dependency_manifest"],
        "run.sh": ["mode_change"],
        "src/app.ts": [],
        "src/link": ["symlink_outside"],
        'src/we"ird name.ts': [],
      });
      expect(d.totals.lines).toBe(2 + 1 + 1 + 1 + 1 + 0);
      expect(d.allow).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
