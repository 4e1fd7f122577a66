/**
 * CODEOWNERS, as GitHub reads it: who owns a path of the repository.
 *
 * File: one rule a line, `pattern owner…`; blank lines and `#` comments are
 * skipped, and `#` after whitespace starts an inline comment. Owners are
 * `@user`, `@org/team` or an e-mail address; a rule with no owners makes
 * the paths it matches unowned. The last matching rule wins. A line GitHub
 * would reject (negation `!`, character ranges `[ ]`, an escaped leading
 * `\#`, a malformed owner, a pattern over 4096 characters) is skipped and
 * reported in `errors` with a machine-readable reason, as GitHub skips it.
 *
 * Patterns (gitignore rules, minus the parts above; case-sensitive):
 * - a `/` at the start or in the middle anchors the pattern at the root;
 *   otherwise it matches at any depth (`*.js`, `apps/`);
 * - a trailing `/` matches a directory, so everything inside it;
 * - `*` is any run of characters except `/`, `?` one character except `/`;
 * - `**` as a whole segment: leading `**`/ any leading directories, `/**`/
 *   zero or more directories, trailing `/**` everything inside;
 * - a pattern whose last segment is a plain name also matches everything
 *   inside a directory of that name (`/apps/github`, `**` `/logs`); one whose last
 *   segment has a wildcard matches names at that level only (`docs/*` owns
 *   `docs/a.md`, not `docs/build-app/b.md`, as GitHub documents).
 *
 * Matching builds no regular expression: a pattern is a list of segments,
 * matched against the path's segments by a set-of-positions walk
 * (O(pattern segments × path segments)); one segment against one name by
 * the two-pointer wildcard match, at most O(|segment| × |name|) with no
 * backtracking beyond the last `*`. Patterns and paths are capped at 4096
 * characters, so one lookup is bounded whatever the file says.
 */

/** Where GitHub looks for the file, in order; the first that exists is used. */
export const CODEOWNERS_LOCATIONS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

/** GitHub ignores a CODEOWNERS file over 3 MB. */
export const MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024;
export const MAX_PATTERN_LENGTH = 4096;
export const MAX_PATH_LENGTH = 4096;

export interface CodeownersRule {
  /** 1-based line number in the file */
  line: number;
  pattern: string;
  owners: string[];
}

export type CodeownersErrorReason =
  | "file_too_large"
  | "unsupported_negation"
  | "unsupported_character_range"
  | "unsupported_escaped_comment"
  | "pattern_too_long"
  | "invalid_owner";

export interface CodeownersError {
  line: number;
  reason: CodeownersErrorReason;
  message: string;
}

export interface OwnersResult {
  owners: string[];
  /** the rule that decided, or null when no rule matches */
  rule: CodeownersRule | null;
}

export interface Codeowners {
  rules: readonly CodeownersRule[];
  errors: readonly CodeownersError[];
  /** Owners of a repository path (`src/a.ts`, `/src/a.ts` and `./src/a.ts` are the same path). */
  ownersOf(path: string): OwnersResult;
}

/** One character of a pattern segment: a literal, `*` or `?`. */
type Token = string | typeof STAR | typeof ONE;
const STAR = 0;
const ONE = 1;

/** A pattern segment: `**` (any number of directories) or a list of tokens. */
type Segment = { kind: "globstar" } | { kind: "name"; tokens: Token[]; wild: boolean };

interface CompiledRule {
  rule: CodeownersRule;
  segments: Segment[];
  /** the path may continue below what the segments matched */
  inside: "no" | "may" | "must";
}

const USER = /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TEAM = /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9_.-]+$/;

/** `local@domain.tld`, checked without a backtracking expression. */
function isEmail(owner: string): boolean {
  const at = owner.indexOf("@");
  if (at <= 0 || owner.indexOf("@", at + 1) >= 0) return false;
  const domain = owner.slice(at + 1);
  const dot = domain.lastIndexOf(".");
  return dot > 0 && dot < domain.length - 1 && !domain.startsWith(".") && !domain.includes("..");
}

export function isValidOwner(owner: string): boolean {
  if (owner.length > 320) return false;
  if (owner.startsWith("@")) return USER.test(owner) || TEAM.test(owner);
  return isEmail(owner);
}

/** Splits a line into whitespace-separated words; `\x` keeps x (even a space) in the word. */
function words(line: string): { text: string; raw: string }[] {
  const out: { text: string; raw: string }[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && (line[i] === " " || line[i] === "\t")) i++;
    if (i >= line.length) break;
    const start = i;
    let text = "";
    while (i < line.length && line[i] !== " " && line[i] !== "\t") {
      if (line[i] === "\\" && i + 1 < line.length) {
        text += line.slice(i, i + 2);
        i += 2;
      } else {
        text += line[i++];
      }
    }
    out.push({ text, raw: line.slice(start, i) });
  }
  return out;
}

/** Pattern text (escapes still in) → segments and anchoring. */
function compilePattern(pattern: string): Pick<CompiledRule, "segments" | "inside"> {
  // split on unescaped slashes, resolving escapes into literal tokens
  const parts: Token[][] = [[]];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const cur = parts[parts.length - 1];
    if (c === "\\" && i + 1 < pattern.length) cur.push(pattern[++i]);
    else if (c === "/") parts.push([]);
    else if (c === "*") cur.push(STAR);
    else if (c === "?") cur.push(ONE);
    else cur.push(c);
  }
  const leadingSlash = parts.length > 1 && parts[0].length === 0;
  if (leadingSlash) parts.shift();
  const trailingSlash = parts.length > 1 && parts[parts.length - 1].length === 0;
  if (trailingSlash) parts.pop();
  // a slash at the start or in the middle anchors; otherwise any depth
  const anchored = leadingSlash || parts.length > 1;
  const segments: Segment[] = [];
  for (const tokens of parts) {
    if (tokens.length === 0) continue; // "a//b" is "a/b"
    if (tokens.length === 2 && tokens[0] === STAR && tokens[1] === STAR) {
      if (segments[segments.length - 1]?.kind !== "globstar") segments.push({ kind: "globstar" });
      continue;
    }
    // collapse runs of * (a `**` inside a name is a `*`)
    const collapsed: Token[] = [];
    for (const t of tokens) if (!(t === STAR && collapsed[collapsed.length - 1] === STAR)) collapsed.push(t);
    segments.push({ kind: "name", tokens: collapsed, wild: collapsed.some((t) => t === STAR || t === ONE) });
  }
  if (!anchored && segments[0]?.kind !== "globstar") segments.unshift({ kind: "globstar" });
  const last = segments[segments.length - 1];
  if (last?.kind === "globstar") {
    // trailing `**`: everything inside (a lone `**` is everything)
    if (segments.length === 1) return { segments, inside: "may" };
    segments.pop();
    return { segments, inside: "must" };
  }
  if (trailingSlash) return { segments, inside: "must" };
  return { segments, inside: last && last.kind === "name" && !last.wild ? "may" : "no" };
}

/** One pattern segment against one path name: two-pointer wildcard match. */
function matchName(tokens: Token[], name: string): boolean {
  let p = 0;
  let n = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    const t = tokens[p];
    if (p < tokens.length && (t === ONE || t === name[n])) {
      p++;
      n++;
    } else if (p < tokens.length && t === STAR) {
      starP = p++;
      starN = n;
    } else if (starP >= 0) {
      p = starP + 1;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (p < tokens.length && tokens[p] === STAR) p++;
  return p === tokens.length;
}

/** Whether a compiled rule matches the path's names. */
function matches(rule: CompiledRule, names: string[]): boolean {
  const s = names.length;
  // reach[j]: the segments so far can match names[0..j)
  let reach = new Uint8Array(s + 1);
  reach[0] = 1;
  for (const seg of rule.segments) {
    const next = new Uint8Array(s + 1);
    let any = false;
    if (seg.kind === "globstar") {
      let seen = false;
      for (let j = 0; j <= s; j++) {
        seen = seen || reach[j] === 1;
        if (seen) next[j] = 1;
      }
      any = seen;
    } else {
      for (let j = 0; j < s; j++) {
        if (reach[j] && matchName(seg.tokens, names[j])) {
          next[j + 1] = 1;
          any = true;
        }
      }
    }
    if (!any) return false;
    reach = next;
  }
  if (rule.inside !== "must" && reach[s]) return true;
  if (rule.inside === "no") return false;
  for (let j = 1; j < s; j++) if (reach[j]) return true;
  return false;
}

/** `/src/a.ts`, `./src/a.ts`, `src//a.ts` → ["src", "a.ts"]. */
function pathNames(path: string): string[] {
  if (path.length > MAX_PATH_LENGTH) throw new RangeError(`codeowners: path_too_long: over ${MAX_PATH_LENGTH} characters`);
  const names = path.split("/").filter((n) => n !== "" && n !== ".");
  if (names.length === 0) throw new RangeError("codeowners: empty_path");
  return names;
}

/** Parses a CODEOWNERS file. Never throws: what GitHub would skip lands in `errors`. */
export function parseCodeowners(text: string): Codeowners {
  const rules: CodeownersRule[] = [];
  const compiled: CompiledRule[] = [];
  const errors: CodeownersError[] = [];
  if (new TextEncoder().encode(text).length > MAX_CODEOWNERS_BYTES) {
    errors.push({ line: 0, reason: "file_too_large", message: `CODEOWNERS is over ${MAX_CODEOWNERS_BYTES} bytes; GitHub ignores it` });
  } else {
    const lines = text.split(/\r?\n/);
    lines.forEach((raw, index) => {
      const line = index + 1;
      const trimmed = raw.trim();
      if (trimmed === "" || trimmed.startsWith("#")) return;
      const all = words(trimmed);
      const end = all.findIndex((w, i) => i > 0 && w.raw.startsWith("#"));
      const [first, ...rest] = end < 0 ? all : all.slice(0, end);
      const pattern = first.text;
      const fail = (reason: CodeownersErrorReason, message: string) => errors.push({ line, reason, message });
      if (pattern.length > MAX_PATTERN_LENGTH) return fail("pattern_too_long", `pattern over ${MAX_PATTERN_LENGTH} characters`);
      if (pattern.startsWith("!")) return fail("unsupported_negation", "negated patterns (!) are not supported in CODEOWNERS");
      if (pattern.startsWith("\\#")) return fail("unsupported_escaped_comment", "an escaped leading # is not supported in CODEOWNERS");
      if (/(?:^|[^\\])[[\]]/.test(pattern)) return fail("unsupported_character_range", "character ranges ([ ]) are not supported in CODEOWNERS");
      const owners = rest.map((w) => w.text);
      const bad = owners.find((o) => !isValidOwner(o));
      if (bad !== undefined) return fail("invalid_owner", `not a user, team or e-mail address: ${bad.slice(0, 80)}`);
      const rule: CodeownersRule = { line, pattern, owners };
      rules.push(rule);
      compiled.push({ rule, ...compilePattern(pattern) });
    });
  }
  return {
    rules,
    errors,
    ownersOf(path: string): OwnersResult {
      const names = pathNames(path);
      for (let i = compiled.length - 1; i >= 0; i--) {
        if (matches(compiled[i], names)) return { owners: [...compiled[i].rule.owners], rule: compiled[i].rule };
      }
      return { owners: [], rule: null };
    },
  };
}
