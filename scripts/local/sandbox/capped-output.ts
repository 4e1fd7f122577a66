/**
 * One output stream of a command, kept up to a byte cap: bytes past it are
 * counted and dropped (the process keeps running and its pipe keeps draining).
 * Text is decoded incrementally, so a chunk boundary never splits a character.
 */
import { StringDecoder } from "node:string_decoder";

export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** bytes the stream produced in all */
  total = 0;
  private readonly decoder = new StringDecoder("utf8");

  constructor(private readonly maxBytes: number) {}

  get truncated(): boolean {
    return this.total > this.kept;
  }

  /** Keeps what fits; returns the text newly kept (for streaming), "" when nothing fit. */
  push(chunk: Buffer): string {
    this.total += chunk.length;
    const room = this.maxBytes - this.kept;
    if (room <= 0) return "";
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(part);
    this.kept += part.length;
    return this.decoder.write(part);
  }

  /** The decoded text of everything kept (a character cut by the cap is dropped). */
  text(): string {
    const whole = Buffer.concat(this.chunks, this.kept);
    const s = new StringDecoder("utf8");
    return s.write(whole);
  }
}
