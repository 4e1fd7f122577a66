/** A string as one single-quoted sh word: any text, including quotes and newlines, arrives as it is. */
export function shellQuote(s: string): string {
  return `'${s.split("'").join(`'\\''`)}'`;
}
