/** A LIKE pattern matching `text` anywhere, its wildcards escaped with `\` (use `ESCAPE '\'`). */
export function containsPattern(text: string): string {
  let out = "%";
  for (const ch of text) out += ch === "%" || ch === "_" || ch === "\\" ? `\\${ch}` : ch;
  return `${out}%`;
}
