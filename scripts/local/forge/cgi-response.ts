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
  private readonly chunks: Buffer[] = [];
  private total = 0;
  /** 0: in a line; 1: just after "\n"; 2: just after "\n\r" */
  private state = 0;
  constructor(private readonly maxHeaderBytes = 65536) {}

  push(chunk: Buffer): CgiHead | null {
    // each byte is looked at once: a small state machine finds "\n\n" or "\n\r\n" across chunks
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x0a) {
        if (this.state !== 0) {
          this.chunks.push(chunk.subarray(0, i + 1));
          return parseHead(Buffer.concat(this.chunks).toString("latin1"), chunk.subarray(i + 1));
        }
        this.state = 1;
      } else this.state = b === 0x0d && this.state === 1 ? 2 : 0;
    }
    this.chunks.push(chunk);
    this.total += chunk.length;
    if (this.total > this.maxHeaderBytes) throw new Error("CGI header block too long");
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
