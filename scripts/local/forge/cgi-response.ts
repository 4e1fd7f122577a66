/**
 * Splits a CGI program's output (here `git http-backend`) into its header
 * block and body. Headers end at the first empty line (`\r\n\r\n` or
 * `\n\n`); `Status: 403 Forbidden` sets the status, other lines are response
 * headers. One pass over the bytes, capped at `maxHeaderBytes`.
 *
 * Contract: feed chunks to `push(chunk)`; it returns `null` while the header
 * block is incomplete, then once `{status, headers, body}` where `body` is the
 * bytes after the header block in that chunk; later chunks are pure body and
 * the caller writes them through. Throws when the header block is too long.
 */
export interface CgiHead {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

export class CgiResponseParser {
  private buf: Buffer = Buffer.alloc(0);
  private scanned = 0;
  constructor(private readonly maxHeaderBytes = 65536) {}

  push(chunk: Buffer): CgiHead | null {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    // resume the scan one byte early so a "\n" split across chunks is still seen
    for (let i = Math.max(0, this.scanned - 1); i < this.buf.length; i++) {
      if (this.buf[i] !== 0x0a) continue;
      let end = -1;
      if (this.buf[i + 1] === 0x0a) end = i + 2;
      else if (this.buf[i + 1] === 0x0d && this.buf[i + 2] === 0x0a) end = i + 3;
      if (end >= 0) return parseHead(this.buf.subarray(0, i).toString("latin1"), this.buf.subarray(end));
    }
    this.scanned = this.buf.length;
    if (this.buf.length > this.maxHeaderBytes) throw new Error("CGI header block too long");
    return null;
  }
}

function parseHead(text: string, body: Buffer): CgiHead {
  let status = 200;
  const headers: [string, string][] = [];
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") {
      const code = Number.parseInt(value, 10);
      if (code >= 100 && code <= 599) status = code;
    } else headers.push([name, value]);
  }
  return { status, headers, body };
}
