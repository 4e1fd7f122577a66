/**
 * A command's combined output kept within a byte cap: the first `headBytes`
 * and the last `tailBytes` (a ring of recent chunks), with a marker saying how
 * many bytes were dropped between them. Linear in the bytes pushed; memory is
 * bounded by the cap (plus one chunk). A character cut at either edge is
 * replaced by U+FFFD when decoded, never thrown on.
 */
export class HeadTailOutput {
  private readonly head: Buffer[] = [];
  private headKept = 0;
  private tail: Buffer[] = [];
  private tailKept = 0;
  /** bytes the command produced in all */
  total = 0;

  constructor(
    private readonly headBytes: number,
    private readonly tailBytes: number,
  ) {}

  get truncated(): boolean {
    return this.total > this.headKept + this.tailKept;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    const room = this.headBytes - this.headKept;
    if (room > 0) {
      const part = rest.subarray(0, room);
      this.head.push(part);
      this.headKept += part.length;
      rest = rest.subarray(part.length);
    }
    if (rest.length === 0 || this.tailBytes <= 0) return;
    if (rest.length >= this.tailBytes) {
      this.tail = [Buffer.from(rest.subarray(rest.length - this.tailBytes))];
      this.tailKept = this.tailBytes;
      return;
    }
    this.tail.push(Buffer.from(rest));
    this.tailKept += rest.length;
    // drop whole chunks from the front while the rest still covers the cap, then trim the first
    while (this.tailKept - this.tail[0].length >= this.tailBytes) this.tailKept -= this.tail.shift()!.length;
    const excess = this.tailKept - this.tailBytes;
    if (excess > 0) {
      this.tail[0] = this.tail[0].subarray(excess);
      this.tailKept -= excess;
    }
  }

  text(): string {
    const head = Buffer.concat(this.head, this.headKept).toString("utf8");
    const tail = Buffer.concat(this.tail, this.tailKept).toString("utf8");
    const dropped = this.total - this.headKept - this.tailKept;
    if (dropped <= 0) return head + tail;
    return `${head}${head.endsWith("\n") ? "" : "\n"}[local-ci] … ${dropped} bytes of output omitted …\n${tail}`;
  }
}
