/**
 * Text helpers that see whole request bodies run in linear time, and give
 * exactly what the regular expressions they replace gave (those backtracked
 * quadratically: seconds of CPU for 40 KB of `A.A.A.…` or spaces).
 */
import { describe, expect, it } from "vitest";
import { levelFromText, looksLikeError } from "../../workers/ingest/sources/logs/levels";
import { eachNonBlankLine, clip as logsClip } from "../../workers/ingest/sources/logs/text";
import { clip as posthogClip } from "../../workers/ingest/sources/posthog/text";
import { oneLine } from "../../workers/ingest/sources/sentry/text";

const ERRORISH = /\b[A-Z][A-Za-z0-9_.]*(?:Error|Exception)\b|Traceback \(most recent call last\)|^panic:|\n\s+at \S/m;
const oldClip = (text: string, max: number) => {
  const one = text.replace(/\s*\r?\n\s*/g, " ").trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
};
const oldFlat = (value: string) =>
  // eslint-disable-next-line no-control-regex
  value.replace(/\s*[\r\n\u2028\u2029]+\s*/g, " ").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").trim();

function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

function randomText(r: () => number, pieces: string[], maxPieces = 30): string {
  return Array.from({ length: Math.floor(r() * maxPieces) }, () => pieces[Math.floor(r() * pieces.length)]).join("");
}

describe("looksLikeError", () => {
  it("agrees with the regular expression it replaces", () => {
    const r = rng(11);
    const pieces = ["A", "a", "Type", "Error", "Exception", "rror", ".", "_", "1", " ", "\n", "\r", "\t", "\u2028", "at ", "at", "x", "panic:", "Traceback (most recent call last)", "-", "é", "E", "Err"];
    let positives = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = randomText(r, pieces);
      const expected = ERRORISH.test(text);
      expect(looksLikeError(text), JSON.stringify(text)).toBe(expected);
      if (expected) positives++;
    }
    expect(positives).toBeGreaterThan(2000);
  });

  it("knows the usual shapes", () => {
    for (const t of ["TypeError: x", "at x java.lang.IllegalStateException", "boom\n    at f (a.ts:1:1)", "panic: runtime error", "x\npanic: y", "Traceback (most recent call last):"]) {
      expect(looksLikeError(t), t).toBe(true);
    }
    for (const t of ["Error", "an error happened", "errors.Error", "TypeErrors", "x\nat f", "\nat  "]) expect(looksLikeError(t), t).toBe(ERRORISH.test(t));
  });

  it("is linear on the inputs that made the regular expression quadratic", () => {
    // each would take minutes with the old expression
    expect(levelFromText("A.".repeat(500_000))).toBeNull();
    expect(looksLikeError("\n ".repeat(500_000))).toBe(false);
    expect(looksLikeError(`${"A.".repeat(500_000)}TypeError`)).toBe(true);
  }, 60_000);
});

describe("one-line clipping", () => {
  it("agrees with the regular expressions it replaces", () => {
    const r = rng(5);
    const pieces = ["a", "b c", " ", "  ", "\n", "\r\n", "\r", "\t", "\u2028", "\u2029", "\u00a0", "\u0001", "x\ny", "é"];
    for (let i = 0; i < 20_000; i++) {
      const text = randomText(r, pieces);
      // the one-pass clip stops once it has `max` characters: every cut point, short and long
      const max = [1, 2, 5, 20, 20, 200][i % 6];
      expect(logsClip(text, max), JSON.stringify([text, max])).toBe(oldClip(text, max));
      expect(posthogClip(text, 20), JSON.stringify(text)).toBe(oldClip(text, 20));
      const flat = oldFlat(text);
      expect(oneLine(text, 20), JSON.stringify(text)).toBe(flat.length <= 20 ? flat : oneLine(flat, 20));
    }
  });

  it("is linear on long runs of white space", () => {
    const spaces = `${" ".repeat(2_000_000)}x`;
    expect(logsClip(spaces, 10)).toBe("x");
    expect(posthogClip(spaces, 10)).toBe("x");
    expect(oneLine(spaces, 10)).toBe("x");
  }, 60_000);
});

describe("eachNonBlankLine", () => {
  it("gives the lines (and their numbers) that split(/\\r?\\n/) gives, blank ones left out", () => {
    const r = rng(23);
    const pieces = ["a", "b c", " ", "\n", "\r\n", "\r", "\t", "\u2028", "\u00a0", "x\ny", "\n\n\n", "é"];
    for (let i = 0; i < 20_000; i++) {
      const text = randomText(r, pieces);
      const expected = text
        .split(/\r?\n/)
        .map((line, index) => ({ line, index }))
        .filter((l) => l.line.trim());
      const got: { line: string; index: number }[] = [];
      eachNonBlankLine(text, (line, index) => void got.push({ line, index }));
      expect(got, JSON.stringify(text)).toEqual(expected);
    }
  });

  it("stops when the visitor says so", () => {
    const seen: string[] = [];
    eachNonBlankLine("a\n\nb\nc\nd", (line) => (seen.push(line), seen.length < 2));
    expect(seen).toEqual(["a", "b"]);
  });
});
