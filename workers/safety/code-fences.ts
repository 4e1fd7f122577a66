/**
 * The text outside fenced code blocks: what a person wrote, as opposed to
 * what they pasted (a chat template, a request body with `"role": "system"`,
 * a transcript of their own bot). A block is a fence line (``` or ~~~, at
 * most three spaces in, as in CommonMark) up to the next fence line of the
 * same character at least as long. The lines inside a closed block become
 * empty lines; an unclosed fence is not a block (text after a stray ``` is
 * still read as prose), so a signal cannot hide its own words by opening a
 * fence it never closes. One pass over the lines: linear time.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function outsideFencedCode(text: string): string {
  if (!text.includes("```") && !text.includes("~~~")) return text;
  const pieces: string[] = [];
  let kept = 0; // text[0, kept) is in pieces
  let open: { char: string; length: number; bodyStart: number } | null = null;
  for (let start = 0; start < text.length; ) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    // a fence line is short at its start: read at most its first 3 spaces and the fence itself
    const m = FENCE.exec(text.slice(start, Math.min(end, start + 3 + 256)));
    if (m) {
      const fence = m[1];
      if (!open) {
        open = { char: fence[0], length: fence.length, bodyStart: nl < 0 ? text.length : nl + 1 };
      } else if (fence[0] === open.char && fence.length >= open.length) {
        // the body [bodyStart, start) becomes its line breaks only
        pieces.push(text.slice(kept, open.bodyStart), lineBreaks(text, open.bodyStart, start));
        kept = start;
        open = null;
      }
    }
    start = nl < 0 ? text.length : nl + 1;
  }
  pieces.push(text.slice(kept));
  return pieces.join("");
}

function lineBreaks(text: string, from: number, to: number): string {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return "\n".repeat(n);
}
