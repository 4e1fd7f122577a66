/** `text.split(/\r?\n/, 1)[0]`, without trying the regex at every char of a long line. */
export function firstLine(text: string): string {
  const nl = text.indexOf("\n");
  if (nl < 0) return text;
  return text.slice(0, nl > 0 && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
}
