/**
 * `\s` of a JavaScript regular expression, on one UTF-16 unit: ECMAScript
 * WhiteSpace and LineTerminator, what `String.prototype.trim` removes. The
 * linear-time scanners test characters with it instead of calling a regex per
 * character (which cost ~10 ms for 64 KiB).
 */
export function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}
