/**
 * The diff guard (issue 9, item 2): before any push, the fix loop hands the
 * changed files (paths, statuses, modes, line counts — `parseNameStatus` and
 * `parseNumstat` read them from `git diff --raw -z` / `--name-status -z` /
 * `--numstat -z`) and the report's research to `guardDiff`, which answers
 * allow or refuse with machine-readable reasons per path. A refusal means:
 * do not push; the reasons go to the inbox.
 *
 * Protected paths — CI configuration, CODEOWNERS, dependency manifests and
 * lockfiles, secrets and credential files, `.gitmodules`, mode changes — are
 * refused UNLESS the report is about that very file (one of the research
 * findings' locations is that path). Never exempted: unsafe paths (absolute,
 * `..`, `.`, empty segments, backslashes, control characters, over-long),
 * anything under `.git/`, submodule (gitlink) entries, symlinks pointing
 * outside the repository or with an unknown target, binary files, and the
 * size caps (files changed, lines changed; a change without line counts
 * refuses, because the cap cannot be checked).
 *
 * Matching is ASCII case-insensitive (`.GitHub/Workflows/ci.yml` is refused):
 * checkouts on case-insensitive file systems (macOS, Windows) merge such
 * names, and a refusal of a rare legitimate name costs less than a missed
 * workflow. Trailing dots and spaces of a segment are ignored for matching
 * (Windows drops them). Every check is a split and per-segment string
 * comparisons: linear in the path length, no regular expressions over paths.
 */
import type { ResearchOutput } from "../research/output";

export type FileStatus = "added" | "modified" | "deleted" | "renamed" | "copied" | "type_changed" | "unknown";

/** One changed path as the fix loop sees it. */
export interface ChangedFile {
  path: string;
  status?: FileStatus;
  /** the source path of a rename or copy */
  oldPath?: string | null;
  /** git modes as octal strings ("100644", "100755", "120000", "160000"); null/absent = unknown or none */
  oldMode?: string | null;
  newMode?: string | null;
  /** lines added / deleted (numstat); null = unknown */
  added?: number | null;
  deleted?: number | null;
  binary?: boolean;
  /** for a symlink (mode 120000): the link target as stored in the blob */
  symlinkTarget?: string | null;
}

export type PathReason =
  | "unsafe_path"
  | "git_internal"
  | "submodule"
  | "ci_config"
  | "codeowners"
  | "dependency_manifest"
  | "lockfile"
  | "secret_file"
  | "mode_change"
  | "symlink_outside"
  | "symlink_unknown_target"
  | "binary";

export type DiffReason = "too_many_files" | "too_many_lines" | "line_counts_unknown" | "no_changes";

/** Reasons the "report is about this file" rule can lift. */
const EXEMPTABLE: ReadonlySet<PathReason> = new Set<PathReason>([
  "ci_config",
  "codeowners",
  "dependency_manifest",
  "lockfile",
  "secret_file",
  "mode_change",
]);

export interface PathVerdict {
  path: string;
  allowed: boolean;
  /** why this path is refused (empty when allowed) */
  reasons: PathReason[];
  /** protected-path reasons lifted because a finding names the path */
  exempted: PathReason[];
}

export interface GuardLimits {
  maxFiles: number;
  /** added + deleted lines over all files */
  maxLines: number;
  maxPathLength: number;
}

export const DEFAULT_LIMITS: GuardLimits = { maxFiles: 20, maxLines: 1000, maxPathLength: 1024 };

export interface GuardDecision {
  allow: boolean;
  files: PathVerdict[];
  /** reasons about the diff as a whole */
  reasons: DiffReason[];
  totals: { files: number; lines: number | null };
}

type Research = Pick<ResearchOutput, "findings">;

/** Decide whether a set of changes may be pushed for this report. */
export function guardDiff(
  changes: readonly ChangedFile[],
  research: Research | null,
  limits: Partial<GuardLimits> = {},
): GuardDecision {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const about = new Set<string>();
  for (const f of research?.findings ?? []) {
    for (const loc of f.locations) {
      const k = matchKey(loc.path, lim.maxPathLength);
      if (k !== null) about.add(k.join("/"));
    }
  }

  const files: PathVerdict[] = [];
  let lines = 0;
  let linesKnown = true;
  for (const c of changes) {
    const reasons = new Set<PathReason>();
    const exempted = new Set<PathReason>();
    const paths = c.oldPath != null && c.oldPath !== c.path ? [c.path, c.oldPath] : [c.path];
    for (const p of paths) {
      const key = matchKey(p, lim.maxPathLength);
      if (key === null) {
        reasons.add("unsafe_path");
        continue;
      }
      const isAbout = about.has(key.join("/"));
      for (const r of classify(key)) (isAbout && EXEMPTABLE.has(r) ? exempted : reasons).add(r);
    }
    for (const r of modeReasons(c, lim.maxPathLength)) {
      const key = matchKey(c.path, lim.maxPathLength);
      const isAbout = key !== null && about.has(key.join("/"));
      (isAbout && EXEMPTABLE.has(r) ? exempted : reasons).add(r);
    }
    // a symlink is judged as the file it points at too: `docs/x -> ../.env` is a change to .env's reach
    if (c.newMode === "120000" && c.status !== "deleted" && c.symlinkTarget != null) {
      const resolved = symlinkResolved(c.path, c.symlinkTarget, lim.maxPathLength);
      const key = resolved ? matchKey(resolved, lim.maxPathLength) : null;
      // a target in .git/ is already refused as leaving the repository (symlink_outside)
      if (key !== null && !key.includes(".git")) {
        const isAbout = about.has(key.join("/"));
        for (const r of classify(key)) (isAbout && EXEMPTABLE.has(r) ? exempted : reasons).add(r);
      }
    }
    if (c.binary) reasons.add("binary");
    if (c.added == null || c.deleted == null) {
      if (!c.binary) linesKnown = false;
    } else {
      lines += c.added + c.deleted;
    }
    const list = [...reasons];
    files.push({ path: c.path, allowed: list.length === 0, reasons: list, exempted: [...exempted] });
  }

  const reasons: DiffReason[] = [];
  if (changes.length === 0) reasons.push("no_changes");
  if (changes.length > lim.maxFiles) reasons.push("too_many_files");
  if (!linesKnown) reasons.push("line_counts_unknown");
  else if (lines > lim.maxLines) reasons.push("too_many_lines");
  return {
    allow: reasons.length === 0 && files.every((f) => f.allowed),
    files,
    reasons,
    totals: { files: changes.length, lines: linesKnown ? lines : null },
  };
}

/**
 * The path's segments folded for matching (ASCII lower case, trailing dots
 * and spaces dropped), or null when the path is unsafe.
 */
export function matchKey(path: string, maxLength = DEFAULT_LIMITS.maxPathLength): string[] | null {
  if (path.length === 0 || path.length > maxLength) return null;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c /* \ */) return null;
  }
  if (path.charCodeAt(0) === 0x2f /* / */) return null;
  if (path.length >= 2 && path.charCodeAt(1) === 0x3a /* C: */) return null;
  const segs = path.split("/");
  const out: string[] = [];
  for (const s of segs) {
    let end = s.length;
    while (end > 0 && (s[end - 1] === "." || s[end - 1] === " ")) end--;
    const folded = asciiLower(s.slice(0, end));
    if (s === "" || s === "." || s === ".." || folded === "") return null;
    out.push(folded);
  }
  return out;
}

function asciiLower(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

// ---- what a path is ------------------------------------------------------

const CI_ROOT_DIRS: readonly (readonly string[])[] = [
  [".github", "workflows"],
  [".github", "actions"],
  [".circleci"],
  [".buildkite"],
  [".azure-pipelines"],
  [".woodpecker"],
  [".gitlab", "ci"],
  [".teamcity"],
  [".semaphore"],
];
const CI_ROOT_FILES = new Set([
  ".gitlab-ci.yml",
  ".gitlab-ci.yaml",
  "azure-pipelines.yml",
  "azure-pipelines.yaml",
  ".travis.yml",
  "appveyor.yml",
  ".appveyor.yml",
  "bitbucket-pipelines.yml",
  ".drone.yml",
  ".woodpecker.yml",
  ".woodpecker.yaml",
  "cloudbuild.yaml",
  "cloudbuild.yml",
  "codemagic.yaml",
  "buildspec.yml",
]);
const CI_GITHUB_FILES = new Set(["dependabot.yml", "dependabot.yaml"]);

const CODEOWNERS_DIRS = new Set(["", ".github", "docs", ".gitlab"]);

const MANIFESTS = new Set([
  "package.json",
  "pnpm-workspace.yaml",
  ".yarnrc",
  ".yarnrc.yml",
  "pipfile",
  "pyproject.toml",
  "setup.py",
  "setup.cfg",
  "go.mod",
  "go.work",
  "gemfile",
  "cargo.toml",
  "composer.json",
  "packages.config",
  "directory.packages.props",
  "directory.build.props",
  "nuget.config",
  "pom.xml",
  "build.gradle",
  "build.gradle.kts",
  "settings.gradle",
  "settings.gradle.kts",
  "libs.versions.toml",
  "gradle-wrapper.properties",
  "mix.exs",
  "package.swift",
  "podfile",
  "cartfile",
  "pubspec.yaml",
  "deno.json",
  "deno.jsonc",
  "flake.nix",
  "stack.yaml",
  "cabal.project",
  "rebar.config",
  "build.sbt",
  "project.clj",
  "deps.edn",
  "environment.yml",
]);
const MANIFEST_EXTS = [".csproj", ".fsproj", ".vbproj", ".gemspec", ".cabal", ".nuspec"];
const LOCKFILES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lockb",
  "bun.lock",
  "pipfile.lock",
  "poetry.lock",
  "uv.lock",
  "pdm.lock",
  "go.sum",
  "go.work.sum",
  "gemfile.lock",
  "cargo.lock",
  "composer.lock",
  "packages.lock.json",
  "gradle.lockfile",
  "mix.lock",
  "package.resolved",
  "podfile.lock",
  "cartfile.resolved",
  "pubspec.lock",
  "deno.lock",
  "flake.lock",
  "stack.yaml.lock",
  "cabal.project.freeze",
  "rebar.lock",
]);

const SECRET_NAMES = new Set([
  ".npmrc",
  ".pypirc",
  ".netrc",
  "_netrc",
  ".git-credentials",
  ".dockercfg",
  ".htpasswd",
  ".pgpass",
  ".s3cfg",
  ".boto",
]);
const SECRET_EXTS = [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk", ".tfvars", ".tfstate", ".env"];
const SSH_KEY_PREFIXES = ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"];
/** `credentials*` / `secrets.*` refuse only as data files; `src/credentials.ts` is code */
const DATA_EXTS = new Set([
  "",
  "json",
  "yaml",
  "yml",
  "toml",
  "ini",
  "xml",
  "txt",
  "csv",
  "properties",
  "conf",
  "cfg",
  "env",
  "plist",
  "enc",
  "gpg",
  "age",
]);

function hasPrefix(key: readonly string[], prefix: readonly string[]): boolean {
  if (key.length <= prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

function extOf(base: string): string {
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot + 1);
}

/** Protected-path reasons for a folded, safe path. */
export function classify(key: readonly string[]): PathReason[] {
  const out: PathReason[] = [];
  const base = key[key.length - 1]!;
  const dir = key.length === 1 ? "" : key.slice(0, -1).join("/");
  if (key.includes(".git")) out.push("git_internal");
  if (base === ".gitmodules") out.push("git_internal");

  if (key.length === 1 && CI_ROOT_FILES.has(base)) out.push("ci_config");
  else if (CI_ROOT_DIRS.some((p) => hasPrefix(key, p))) out.push("ci_config");
  else if (key.length === 2 && key[0] === ".github" && CI_GITHUB_FILES.has(base)) out.push("ci_config");
  else if (base.startsWith("jenkinsfile") || base.endsWith(".gitlab-ci.yml")) out.push("ci_config");

  if (base === "codeowners" && CODEOWNERS_DIRS.has(dir)) out.push("codeowners");

  if (LOCKFILES.has(base)) out.push("lockfile");
  else if (
    MANIFESTS.has(base) ||
    MANIFEST_EXTS.some((e) => base.endsWith(e)) ||
    isRequirementsTxt(base) ||
    (dir === "requirements" && base.endsWith(".txt"))
  ) {
    out.push("dependency_manifest");
  }

  if (isSecret(base)) out.push("secret_file");
  return out;
}

function isRequirementsTxt(base: string): boolean {
  return (
    (base.startsWith("requirements") || base.startsWith("constraints")) &&
    (base.endsWith(".txt") || base.endsWith(".in"))
  );
}

function isSecret(base: string): boolean {
  if (base === ".env" || base.startsWith(".env")) return true; // .env, .env.local, .env.example, .envrc
  if (SECRET_NAMES.has(base)) return true;
  if (SECRET_EXTS.some((e) => base.endsWith(e) && base.length > e.length)) return true;
  if (SSH_KEY_PREFIXES.some((p) => base.startsWith(p))) return true;
  if (base.startsWith("credentials") && DATA_EXTS.has(extOf(base))) return true;
  if ((base === "secrets" || base.startsWith("secrets.")) && DATA_EXTS.has(extOf(base))) return true;
  return false;
}

// ---- modes and symlinks --------------------------------------------------

function modeReasons(c: ChangedFile, maxPathLength: number): PathReason[] {
  const out: PathReason[] = [];
  const oldM = c.oldMode ?? null;
  const newM = c.newMode ?? null;
  if (oldM === "160000" || newM === "160000") out.push("submodule");
  if (newM === "120000" && c.status !== "deleted") {
    const target = c.symlinkTarget;
    if (target == null) out.push("symlink_unknown_target");
    else if (!symlinkStaysInside(c.path, target, maxPathLength)) out.push("symlink_outside");
  }
  const exec = (m: string | null) => m === "100755";
  const file = (m: string | null) => m === "100644" || m === "100755";
  if (c.status !== "deleted") {
    if (oldM !== null && newM !== null && file(oldM) && file(newM) && exec(oldM) !== exec(newM)) out.push("mode_change");
    else if ((oldM === null || oldM === "000000") && exec(newM)) out.push("mode_change");
    else if (oldM === "120000" && newM !== null && newM !== "120000") out.push("mode_change");
  }
  return out;
}

/**
 * Whether a symlink at `linkPath` with `target` resolves inside the
 * repository and not into `.git/`. Absolute targets never do.
 */
export function symlinkStaysInside(linkPath: string, target: string, maxPathLength = DEFAULT_LIMITS.maxPathLength): boolean {
  const resolved = symlinkResolved(linkPath, target, maxPathLength);
  if (resolved === null) return false;
  if (resolved === "") return true; // the repository root itself
  const key = matchKey(resolved, maxPathLength);
  return key !== null && !key.includes(".git");
}

/**
 * The repository path a symlink at `linkPath` with `target` points at
 * ("" for the root), or null when it leaves the repository (absolute, a
 * drive, backslashes, too many `..`, too long).
 */
export function symlinkResolved(linkPath: string, target: string, maxPathLength = DEFAULT_LIMITS.maxPathLength): string | null {
  if (target.length === 0 || target.length > maxPathLength) return null;
  if (target[0] === "/" || target.includes("\\") || (target.length >= 2 && target[1] === ":")) return null;
  const stack = linkPath.split("/").slice(0, -1);
  for (const seg of target.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (stack.length === 0) return null;
      stack.pop();
    } else {
      stack.push(seg);
    }
  }
  return stack.join("/");
}

// ---- reading git's output ------------------------------------------------

const STATUS: Record<string, FileStatus> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type_changed",
};

/**
 * Changed files from `git diff --name-status -z` or `git diff --raw -z`
 * (the raw form also gives modes). Output without NULs is read as
 * tab-and-newline separated (paths with tabs or newlines are then quoted by
 * git and come out as written; use -z).
 */
export function parseNameStatus(text: string): ChangedFile[] {
  const z = text.includes("\0");
  const tokens = z ? text.split("\0") : text.split("\n").flatMap((l) => (l === "" ? [] : l.split("\t")));
  const out: ChangedFile[] = [];
  let i = 0;
  while (i < tokens.length) {
    let tok = tokens[i++]!;
    if (tok === "") continue;
    let oldMode: string | null = null;
    let newMode: string | null = null;
    if (tok[0] === ":") {
      // ":100644 100755 abc123 def456 M" (raw); with -z the path follows as the next token
      const parts = tok.slice(1).split(" ");
      oldMode = parts[0] ?? null;
      newMode = parts[1] ?? null;
      tok = parts[parts.length - 1] ?? "";
      if (!z && tok.includes("\t")) {
        const [s, ...rest] = tok.split("\t");
        tok = s!;
        tokens.splice(i, 0, ...rest);
      }
    }
    const letter = tok[0] ?? "";
    const status = STATUS[letter] ?? "unknown";
    if (status === "renamed" || status === "copied") {
      const oldPath = tokens[i++] ?? "";
      const path = tokens[i++] ?? "";
      out.push({ path, oldPath, status, oldMode, newMode });
    } else {
      const path = tokens[i++] ?? "";
      out.push({ path, status, oldMode, newMode });
    }
  }
  return out;
}

export interface NumstatEntry {
  path: string;
  oldPath: string | null;
  added: number | null;
  deleted: number | null;
  binary: boolean;
}

/** `git diff --numstat -z`: "added\tdeleted\tpath\0", renames "added\tdeleted\t\0old\0new\0"; binary "-\t-". */
export function parseNumstat(text: string): NumstatEntry[] {
  const z = text.includes("\0");
  const tokens = z ? text.split("\0") : text.split("\n");
  const out: NumstatEntry[] = [];
  let i = 0;
  while (i < tokens.length) {
    const tok = tokens[i++]!;
    if (tok === "") continue;
    const t1 = tok.indexOf("\t");
    const t2 = t1 < 0 ? -1 : tok.indexOf("\t", t1 + 1);
    if (t2 < 0) continue;
    const a = tok.slice(0, t1);
    const d = tok.slice(t1 + 1, t2);
    let path = tok.slice(t2 + 1);
    let oldPath: string | null = null;
    if (z && path === "") {
      oldPath = tokens[i++] ?? "";
      path = tokens[i++] ?? "";
    }
    const binary = a === "-" && d === "-";
    out.push({ path, oldPath, added: binary ? null : toCount(a), deleted: binary ? null : toCount(d), binary });
  }
  return out;
}

function toCount(s: string): number | null {
  if (s.length === 0 || s.length > 12) return null;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 48 || s.charCodeAt(i) > 57) return null;
  return Number(s);
}

/** Name-status (or raw) entries with their numstat counts; a path numstat lacks keeps null counts. */
export function withNumstat(files: readonly ChangedFile[], numstat: readonly NumstatEntry[]): ChangedFile[] {
  const byPath = new Map(numstat.map((n) => [n.path, n]));
  return files.map((f) => {
    const n = byPath.get(f.path);
    return n ? { ...f, added: n.added, deleted: n.deleted, binary: n.binary } : { ...f, added: f.added ?? null, deleted: f.deleted ?? null };
  });
}
