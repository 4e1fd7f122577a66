// The CGI response splitter of the local forge's git server
// (scripts/local/forge/cgi-response.ts): header block, Status line, body.
import { describe, expect, it } from "vitest";
import { CgiResponseParser } from "../../scripts/local/forge/cgi-response";

describe("CgiResponseParser", () => {
  it("parses Status and headers fed one byte at a time, with CRLF lines", () => {
    const out = Buffer.from("Status: 403 Forbidden\r\nContent-Type: text/plain\r\nExpires: never\r\n\r\nno\nmore");
    const p = new CgiResponseParser();
    let head = null;
    let i = 0;
    for (; i < out.length && !head; i++) head = p.push(out.subarray(i, i + 1));
    expect(head).not.toBeNull();
    expect(head!.status).toBe(403);
    expect(head!.headers).toEqual([["Content-Type", "text/plain"], ["Expires", "never"]]);
    // the rest of the bytes after the header block are body
    expect(Buffer.concat([head!.body, out.subarray(i)]).toString()).toBe("no\nmore");
  });

  it("defaults to 200 with LF-only lines and keeps binary body bytes", () => {
    const body = Buffer.from([0x00, 0x0a, 0x0a, 0xff]);
    const head = new CgiResponseParser().push(Buffer.concat([Buffer.from("Content-Type: application/x-git-upload-pack-result\n\n"), body]));
    expect(head!.status).toBe(200);
    expect(head!.headers).toEqual([["Content-Type", "application/x-git-upload-pack-result"]]);
    expect(head!.body.equals(body)).toBe(true);
  });

  it("throws on a header block over the cap instead of buffering forever", () => {
    const p = new CgiResponseParser(1000);
    expect(p.push(Buffer.from("X: " + "a".repeat(500)))).toBeNull();
    expect(() => p.push(Buffer.from("a".repeat(600)))).toThrow(/too long/);
  });
});
