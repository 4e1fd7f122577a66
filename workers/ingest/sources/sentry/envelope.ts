/**
 * Parses a Sentry envelope (https://develop.sentry.dev/sdk/data-model/envelopes/):
 * a JSON header line, then items, each a JSON item header line and a payload.
 * A payload with a `length` in its header is exactly that many bytes (it may
 * hold newlines or binary data, e.g. attachments) followed by a newline or
 * the end; without `length` it runs to the next newline. Works on bytes, so
 * `length` counts bytes and binary payloads are never decoded. Payloads are
 * left as bytes: the caller decodes only the item types it uses.
 */

export type JsonObject = Record<string, unknown>;

export interface EnvelopeItem {
  type: string;
  header: JsonObject;
  payload: Uint8Array;
}

export interface Envelope {
  header: JsonObject;
  items: EnvelopeItem[];
}

/** More items than any SDK sends in one envelope; bounds the work a hostile body can cause. */
export const MAX_ITEMS = 1000;

export class EnvelopeError extends Error {}

const NEWLINE = 10;
const CR = 13;
const decoder = new TextDecoder();

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A payload's bytes as a JSON object (for `event` items). */
export function payloadJson(item: EnvelopeItem): unknown {
  return JSON.parse(decoder.decode(item.payload));
}

export function parseEnvelope(bytes: Uint8Array): Envelope {
  let pos = 0;
  const nextLine = (): Uint8Array => {
    const nl = bytes.indexOf(NEWLINE, pos);
    const end = nl < 0 ? bytes.length : nl;
    const line = bytes.subarray(pos, end);
    pos = nl < 0 ? bytes.length : nl + 1;
    return line;
  };
  const jsonObject = (line: Uint8Array, what: string): JsonObject => {
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(line));
    } catch {
      throw new EnvelopeError(`${what} is not JSON`);
    }
    if (!isObject(value)) throw new EnvelopeError(`${what} is not a JSON object`);
    return value;
  };
  const blank = (line: Uint8Array) => line.every((b) => b === 32 || b === 9 || b === CR);

  if (bytes.byteLength === 0) throw new EnvelopeError("the body is empty");
  const header = jsonObject(nextLine(), "the envelope header");
  const items: EnvelopeItem[] = [];
  while (pos < bytes.length) {
    const line = nextLine();
    if (blank(line)) continue; // tolerate blank lines between items and at the end
    const n = items.length + 1;
    if (n > MAX_ITEMS) throw new EnvelopeError(`more than ${MAX_ITEMS} items`);
    const itemHeader = jsonObject(line, `item ${n}'s header`);
    const type = itemHeader.type;
    if (typeof type !== "string" || !type) throw new EnvelopeError(`item ${n}'s header has no type`);
    const length = itemHeader.length;
    let payload: Uint8Array;
    if (length === undefined || length === null) {
      payload = nextLine();
    } else {
      if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
        throw new EnvelopeError(`item ${n} (${type}) has an invalid length`);
      }
      if (pos + length > bytes.length) {
        throw new EnvelopeError(`item ${n} (${type}) declares ${length} bytes but ${bytes.length - pos} follow`);
      }
      payload = bytes.subarray(pos, pos + length);
      pos += length;
      if (pos < bytes.length) {
        if (bytes[pos] === NEWLINE) pos += 1;
        else if (bytes[pos] === CR && bytes[pos + 1] === NEWLINE) pos += 2;
        else throw new EnvelopeError(`item ${n} (${type}) is not followed by a newline after its ${length} bytes`);
      }
    }
    items.push({ type, header: itemHeader, payload });
  }
  return { header, items };
}
