/**
 * Where a report's signals point in the code, before any repository is read:
 * in-app stack frames (file, line, function), source files named in prose,
 * and identifiers an error names ("trackTrialClick is not defined") — and how
 * a path from a signal finds its file in a checkout, which may differ in
 * extension, case or separators (a trace's `src/checkout/PaymentStep.tsx`
 * is the repository's `src/checkout/payment-step.js` after a build or a
 * rename). Pure and linear in the text.
 */
import { head } from "../normalize/reading-window";
import { isInAppFile } from "../normalize/in-app";
import { parseError } from "../normalize/stack";
import type { EvidenceSignal } from "./research";

export interface Pointer {
  signalIds: string[];
  kind: "frame" | "named_file" | "identifier" | "ui_text";
  /** a repo-ish path (frame, named file) or an identifier to search for */
  target: string;
  line: number | null;
  fn: string | null;
  /** the signal's error, `Type: message`, when it has one */
  error: string | null;
}

/** a source file named in text (a ticket's "see src/checkout/totals.ts"); starts only after a delimiter, so linear */
export const SOURCE_FILE = /(?:^|[\s`'"(])((?:[\w.-]+\/)+[\w.-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|go|rb|java|kt|rs|php|cs|swift|vue|svelte))\b/g;
const IDENT = /[\w$]/;
const MAX_IDENT = 80;
const FRAMES_PER_SIGNAL = 3;
const MAX_POINTERS = 40;

/** Pointers of all signals, the same place from several signals merged (signal ids kept), most-cited first. */
export function pointersOf(signals: EvidenceSignal[]): Pointer[] {
  const byKey = new Map<string, Pointer>();
  const add = (p: Omit<Pointer, "signalIds">, signalId: string) => {
    const key = `${p.kind}\0${p.target}\0${p.line ?? ""}`;
    const had = byKey.get(key);
    if (had) {
      if (!had.signalIds.includes(signalId)) had.signalIds.push(signalId);
      had.fn ??= p.fn;
      had.error ??= p.error;
    } else byKey.set(key, { ...p, signalIds: [signalId] });
  };
  for (const s of signals) {
    const text = head(s.content);
    const parsed = parseError(text);
    const error = parsed.type ? (parsed.message ? `${parsed.type}: ${parsed.message.slice(0, 200)}` : parsed.type) : null;
    const files = new Set<string>();
    for (const f of parsed.frames.filter((fr) => fr.inApp).slice(0, FRAMES_PER_SIGNAL)) {
      add({ kind: "frame", target: f.file, line: f.line, fn: f.fn, error }, s.id);
      files.add(f.file);
    }
    for (const m of text.matchAll(SOURCE_FILE)) {
      if (isInAppFile(m[1]) && !files.has(m[1])) add({ kind: "named_file", target: m[1], line: null, fn: null, error }, s.id);
    }
    for (const name of namedIdentifiers(text)) add({ kind: "identifier", target: name, line: null, fn: null, error }, s.id);
    for (const label of quotedLabels(text)) add({ kind: "ui_text", target: label, line: null, fn: null, error }, s.id);
  }
  const order = { frame: 0, identifier: 1, named_file: 2, ui_text: 3 } as const;
  const seen = [...byKey.values()];
  // most-cited first; then frames, identifiers, named files; then as the signals gave them (a trace's top frame first)
  return seen
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p.signalIds.length - a.p.signalIds.length || order[a.p.kind] - order[b.p.kind] || a.i - b.i)
    .map(({ p }) => p)
    .slice(0, MAX_POINTERS);
}

/**
 * Identifiers an error names: "X is not defined" (JS, and Python's "name 'X'
 * is not defined"), "x.X is not a function", "has no attribute 'X'",
 * "undefined method `X'". Found by fixed phrases (indexOf) and read outward
 * a bounded number of characters, so linear on any text.
 */
export function namedIdentifiers(text: string): string[] {
  const found = new Set<string>();
  for (const phrase of [" is not defined", " is not a function"]) {
    for (let at = text.indexOf(phrase), n = 0; at >= 0 && n < 5; at = text.indexOf(phrase, at + 1), n++) {
      let end = at;
      const quoted = text[end - 1] === "'";
      if (quoted) end--;
      let start = end;
      while (start > 0 && end - start < MAX_IDENT && IDENT.test(text[start - 1])) start--;
      const name = text.slice(start, end);
      // code, not prose ("the page is not defined"): quoted, a property, right after the error's type, or shaped like code
      const codeLike = quoted || text[start - 1] === "." || text.slice(Math.max(0, start - 7), start).endsWith("Error: ") || /[A-Z_$\d]/.test(name.slice(1));
      if (name.length >= 3 && codeLike && !/^\d/.test(name)) found.add(name);
    }
  }
  for (const [open, close] of [["has no attribute '", "'"], ["undefined method `", "'"], ["or method `", "'"]] as const) {
    const at = text.indexOf(open);
    if (at < 0) continue;
    const from = at + open.length;
    const end = text.indexOf(close, from);
    const name = end < 0 ? "" : text.slice(from, end);
    if (name.length >= 3 && name.length <= MAX_IDENT && /^[A-Za-z_]\w*[?!]?$/.test(name)) found.add(name);
  }
  return [...found];
}

const QUOTES: Record<string, string> = { "'": "'", '"': '"', "\u2018": "\u2019", "\u201c": "\u201d" };
const MIN_LABEL = 6;
const MAX_LABEL = 60;
const MAX_LABELS = 5;

/**
 * Text a user quotes from the screen ("the 'Start free trial' button does
 * nothing"): a quoted run of 6–60 characters on one line, at least two words,
 * with a letter, not a contraction's apostrophe (the quote must not touch a
 * letter outside). Code holds such labels, so they lead to it. Each quote
 * looks ahead at most 60 characters: linear.
 */
export function quotedLabels(text: string): string[] {
  const found = new Set<string>();
  for (let i = 0; i < text.length && found.size < MAX_LABELS; i++) {
    const close = QUOTES[text[i]];
    if (!close || /[\p{L}\p{N}]/u.test(text[i - 1] ?? "")) continue;
    // the closing quote within MAX_LABEL characters, or none: a bounded look, never to the text's end
    const at = text.slice(i + 1, i + 2 + MAX_LABEL).indexOf(close);
    if (at < 0) continue;
    const end = i + 1 + at;
    const label = text.slice(i + 1, end);
    if (/[\p{L}\p{N}]/u.test(text[end + 1] ?? "") || label.includes("\n")) continue;
    if (label.length >= MIN_LABEL && label.trim() === label && label.includes(" ") && /\p{L}/u.test(label)) found.add(label);
    i = end;
  }
  return [...found];
}

/** `PaymentStep.tsx` and `payment-step.js` → `paymentstep`: the name without extension, case or separators */
function stemKey(name: string): string {
  const dot = name.indexOf(".");
  return (dot > 0 ? name.slice(0, dot) : name).toLowerCase().replace(/[-_]/g, "");
}

function split(path: string): { dir: string; stem: string } {
  const slash = path.lastIndexOf("/");
  return { dir: slash < 0 ? "" : path.slice(0, slash).toLowerCase(), stem: stemKey(path.slice(slash + 1)) };
}

/** An index of a checkout's files for `resolve`. */
export class PathIndex {
  private readonly exact: Set<string>;
  private readonly byDirStem = new Map<string, string[]>();
  private readonly byStem = new Map<string, string[]>();

  constructor(files: string[]) {
    this.exact = new Set(files);
    for (const f of files) {
      const { dir, stem } = split(f);
      push(this.byDirStem, `${dir}/${stem}`, f);
      push(this.byStem, stem, f);
    }
  }

  /**
   * The checkout's file for a path from a signal: the same path; else the same
   * directory (or a directory ending the same way) and name up to extension,
   * case and separators; else the only file anywhere with that name. Null
   * when there is none or it is ambiguous.
   */
  resolve(path: string): string | null {
    const clean = path.replace(/^\.\//, "").replace(/^\/+/, "");
    if (this.exact.has(clean)) return clean;
    // a deploy prefix (/app/, /srv/www/) in front of the repo path: drop leading segments one by one
    const parts = clean.split("/");
    for (let i = 0; i < parts.length; i++) {
      const tail = parts.slice(i).join("/");
      if (i > 0 && this.exact.has(tail)) return tail;
      const { dir, stem } = split(tail);
      const same = this.byDirStem.get(`${dir}/${stem}`);
      if (same?.length === 1) return same[0];
    }
    const { stem } = split(clean);
    const anywhere = this.byStem.get(stem);
    return anywhere?.length === 1 ? anywhere[0] : null;
  }
}

function push(m: Map<string, string[]>, key: string, value: string): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}
