import { describe, expect, it } from "vitest";
import { cleanTitle, escapeControl, hasVisibleText, stripControl } from "../../workers/ingest/control-chars";

/** A small seeded PRNG so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe("stripControl", () => {
  it("removes NUL, CR, BEL, DEL and C1, keeps tab, newline and ordinary text", () => {
    expect(stripControl("a\u0000b\rc\u0007d\u007fe\u0085f\u009fg\th\ni")).toBe("abcdefg\th\ni");
    expect(stripControl("TypeError: x é 🎉")).toBe("TypeError: x é 🎉");
    expect(stripControl("")).toBe("");
    expect(stripControl("\u0000\u0001")).toBe("");
  });

  it("removes whole ANSI escape sequences, not only the ESC", () => {
    expect(stripControl("\u001b[31mred\u001b[0m plain")).toBe("red plain");
    expect(stripControl("\u001b[1;32;48;5;208mX\u001b[K")).toBe("X");
    expect(stripControl("a\u009b2Jb")).toBe("ab"); // 8-bit CSI
    expect(stripControl("\u001b]0;pwned title\u0007after")).toBe("after"); // OSC window title, BEL
    expect(stripControl("\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\")).toBe("link"); // OSC 8 hyperlink, ST
    expect(stripControl("\u001bPqdata\u009cafter")).toBe("after"); // DCS … ST (C1)
    expect(stripControl("\u001bcreset")).toBe("reset");
    expect(stripControl("end\u001b")).toBe("end");
  });

  it("keeps the text after an unterminated string sequence readable", () => {
    expect(stripControl("\u001b]0;no terminator")).toBe("0;no terminator");
    expect(stripControl("\u001b]a\u001b]b")).toBe("ab");
  });

  it("leaves no control character in any output, and is idempotent", () => {
    const r = rng(7);
    const alphabet = ["a", " ", "\t", "\n", "\r", "\u0000", "\u001b", "[", "]", "\\", "3", "1", "m", ";", "\u0007", "\u009b", "\u009c", "\u0085", "\u007f", "P", "é", "\u202e"];
    for (let k = 0; k < 3000; k++) {
      const s = Array.from({ length: Math.floor(r() * 40) }, () => alphabet[Math.floor(r() * alphabet.length)]).join("");
      const out = stripControl(s);
      expect(FORBIDDEN.test(out), JSON.stringify(s)).toBe(false);
      expect(stripControl(out)).toBe(out);
      const title = cleanTitle(s);
      expect(FORBIDDEN.test(title) || /[\n\t\u202e]/.test(title) || title !== title.trim() || title.includes("  ")).toBe(false);
    }
  });

  it("is linear on hostile input", () => {
    // many unterminated OSC introducers would be quadratic with a naive look-ahead
    const hostile = "\u001b]x".repeat(200_000) + "\u001b[".repeat(200_000) + "\u0000".repeat(200_000);
    // linear: well under a second; a quadratic pass over 1.2M characters would not finish within the timeout
    expect(stripControl(hostile)).toBe("x".repeat(200_000));
    expect(cleanTitle(hostile)).toBe("x".repeat(200_000));
    expect(hasVisibleText(hostile)).toBe(true);
    expect(hasVisibleText("\u001b]".repeat(300_000))).toBe(false);
  }, 60_000);
});

describe("cleanTitle", () => {
  it("makes one clean line", () => {
    expect(cleanTitle("  TypeError:\tcannot read\r\n  'x'  \u001b[31m(red)\u001b[0m ")).toBe("TypeError: cannot read 'x' (red)");
    expect(cleanTitle("price \u202eeulav\u202c ok")).toBe("price eulav ok");
    expect(cleanTitle("\u0000 \n\u001b[2J")).toBe("");
  });
});

describe("hasVisibleText", () => {
  it("is false for whitespace, controls, escapes and invisible characters only", () => {
    for (const s of ["", " ", "\t\n\r ", "\u00a0\u3000", "\u0000\u001b[31m\u001b[0m", "\u200b\ufeff\u2060", "\u001b]0;t\u0007"]) {
      expect(hasVisibleText(s), JSON.stringify(s)).toBe(false);
    }
    for (const s of ["x", "  x  ", "\u001b[31mx", "é", "🎉", "0"]) expect(hasVisibleText(s), JSON.stringify(s)).toBe(true);
  });
});

describe("escapeControl", () => {
  it("shows controls as escapes and keeps everything else", () => {
    expect(escapeControl("a\u001b[31mb\u0000c\u009b\u202e\td\ne")).toBe("a\\x1b[31mb\\x00c\\x9b\\u202e\td\ne");
    expect(escapeControl("plain")).toBe("plain");
  });
});
