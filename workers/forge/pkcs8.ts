/**
 * A GitHub App's private key as WebCrypto can import it. GitHub hands out
 * PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`); `crypto.subtle.importKey`
 * (and so @octokit/auth-app in workerd) takes PKCS#8 only. This wraps the
 * PKCS#1 DER in PKCS#8's PrivateKeyInfo, in code, without node:crypto:
 *
 *   PrivateKeyInfo ::= SEQUENCE {
 *     version             INTEGER 0,
 *     privateKeyAlgorithm SEQUENCE { rsaEncryption (1.2.840.113549.1.1.1), NULL },
 *     privateKey          OCTET STRING (the PKCS#1 RSAPrivateKey DER) }
 *
 * Contract:
 * - `toPkcs8Pem(text)` returns a PKCS#8 PEM (64-character base64 lines, `\n`
 *   line ends, a final newline: the bytes `openssl pkcs8 -topk8 -nocrypt` and
 *   node's `createPrivateKey(pem).export({type: "pkcs8", format: "pem"})`
 *   write). PKCS#1 input is wrapped; PKCS#8 input keeps its DER unchanged.
 * - Tolerates what env vars do to PEM: literal `\n` escapes instead of line
 *   breaks, `\r\n`, surrounding whitespace or quotes.
 * - Anything else (encrypted keys, OpenSSH, EC, certificates, truncated or
 *   non-base64 bodies, DER that is not a SEQUENCE spanning the whole body)
 *   throws `PrivateKeyFormatError`, whose message names the problem and the
 *   PEM label at most — never key material.
 * - Linear in the input; inputs over 32 KiB are refused before parsing.
 */

export class PrivateKeyFormatError extends Error {
  readonly code = "bad_private_key";
  constructor(detail: string) {
    super(`the GitHub App private key is not usable: ${detail}. Expected the .pem GitHub generated (BEGIN RSA PRIVATE KEY) or PKCS#8 (BEGIN PRIVATE KEY)`);
    this.name = "PrivateKeyFormatError";
  }
}

const MAX_PEM_CHARS = 32 * 1024;
const PKCS1_LABEL = "RSA PRIVATE KEY";
const PKCS8_LABEL = "PRIVATE KEY";
// linear: one character class, anchored
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// version 0 and AlgorithmIdentifier { rsaEncryption, NULL }
const VERSION_0 = [0x02, 0x01, 0x00];
const RSA_ALGORITHM = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];

/** DER length octets: short form below 128, else 0x80|n and n big-endian bytes */
export function derLength(length: number): number[] {
  if (!Number.isInteger(length) || length < 0) throw new RangeError("a DER length is a non-negative integer");
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** one DER element's header at `offset`: its tag, where its content starts, and how long it is; null when malformed */
function readHeader(der: Uint8Array, offset: number): { tag: number; start: number; length: number } | null {
  if (offset + 2 > der.length) return null;
  const tag = der[offset];
  const first = der[offset + 1];
  if (first < 0x80) return { tag, start: offset + 2, length: first };
  const count = first & 0x7f;
  if (count === 0 || count > 4 || offset + 2 + count > der.length) return null;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + der[offset + 2 + i];
  if (length < 0x80) return null; // not the shortest form: not DER
  return { tag, start: offset + 2 + count, length };
}

/** whether `der` is one SEQUENCE spanning all of it whose first element is a small INTEGER (a version) */
function isVersionedSequence(der: Uint8Array): boolean {
  const outer = readHeader(der, 0);
  if (!outer || outer.tag !== 0x30 || outer.start + outer.length !== der.length) return false;
  const version = readHeader(der, outer.start);
  return !!version && version.tag === 0x02 && version.length === 1 && der[version.start] <= 1;
}

/** whether a PKCS#8 PrivateKeyInfo names rsaEncryption (what GitHub's keys are) */
function hasRsaAlgorithm(der: Uint8Array): boolean {
  const outer = readHeader(der, 0);
  if (!outer) return false;
  const at = outer.start + VERSION_0.length;
  return RSA_ALGORITHM.every((b, i) => der[at + i] === b);
}

/** PKCS#1 RSAPrivateKey DER → PKCS#8 PrivateKeyInfo DER */
export function wrapPkcs1(pkcs1: Uint8Array): Uint8Array {
  const octetString = [0x04, ...derLength(pkcs1.length)];
  const contentLength = VERSION_0.length + RSA_ALGORITHM.length + octetString.length + pkcs1.length;
  const head = [0x30, ...derLength(contentLength), ...VERSION_0, ...RSA_ALGORITHM, ...octetString];
  const out = new Uint8Array(head.length + pkcs1.length);
  out.set(head, 0);
  out.set(pkcs1, head.length);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** DER → PEM with the given label, as OpenSSL writes it */
export function derToPem(der: Uint8Array, label: string): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** the PEM's label and DER body, after undoing env-var mangling; throws PrivateKeyFormatError */
export function parsePem(text: string): { label: string; der: Uint8Array } {
  if (typeof text !== "string" || text.length === 0) throw new PrivateKeyFormatError("it is empty");
  if (text.length > MAX_PEM_CHARS) throw new PrivateKeyFormatError(`it is longer than ${MAX_PEM_CHARS} characters`);
  let pem = text.replaceAll("\\r", "").replaceAll("\\n", "\n").replaceAll("\r", "").trim();
  // a value pasted with its quotes
  if (pem.length >= 2 && (pem[0] === '"' || pem[0] === "'") && pem[pem.length - 1] === pem[0]) pem = pem.slice(1, -1).trim();
  if (!pem.startsWith("-----BEGIN ")) throw new PrivateKeyFormatError("it does not start with a -----BEGIN ...----- line");
  const labelEnd = pem.indexOf("-----", 11);
  if (labelEnd < 0 || labelEnd - 11 > 40) throw new PrivateKeyFormatError("its BEGIN line is malformed");
  const label = pem.slice(11, labelEnd);
  if (!/^[A-Z0-9 ]+$/.test(label)) throw new PrivateKeyFormatError("its BEGIN line is malformed");
  if (label === "OPENSSH PRIVATE KEY") throw new PrivateKeyFormatError("it is an OpenSSH key (convert it: ssh-keygen cannot; download a new .pem from the App's settings)");
  if (label === "ENCRYPTED PRIVATE KEY") throw new PrivateKeyFormatError("it is encrypted (decrypt it: openssl pkcs8 -topk8 -nocrypt -in key.pem)");
  if (label !== PKCS1_LABEL && label !== PKCS8_LABEL) throw new PrivateKeyFormatError(`it is a "${label}", not an RSA private key`);
  const footer = `-----END ${label}-----`;
  if (!pem.endsWith(footer)) throw new PrivateKeyFormatError(`it does not end with ${footer} (truncated?)`);
  const body = pem.slice(labelEnd + 5, pem.length - footer.length);
  if (body.includes("Proc-Type:") || body.includes("DEK-Info:")) throw new PrivateKeyFormatError("it is encrypted (Proc-Type header); decrypt it with openssl rsa -in key.pem");
  const b64 = body.replace(/[ \t\n]+/g, "");
  if (b64.length === 0 || b64.length % 4 !== 0 || !BASE64.test(b64)) throw new PrivateKeyFormatError("its body is not base64");
  const der = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  if (!isVersionedSequence(der)) throw new PrivateKeyFormatError(`its body is not a ${label === PKCS1_LABEL ? "PKCS#1 RSAPrivateKey" : "PKCS#8 PrivateKeyInfo"} structure`);
  return { label, der };
}

/** the key's PKCS#8 DER (for `crypto.subtle.importKey("pkcs8", …)`) */
export function toPkcs8Der(text: string): Uint8Array {
  const { label, der } = parsePem(text);
  if (label === PKCS1_LABEL) return wrapPkcs1(der);
  if (!hasRsaAlgorithm(der)) throw new PrivateKeyFormatError("it is a PKCS#8 key of another algorithm than RSA (rsaEncryption)");
  return der;
}

/** the key as PKCS#8 PEM (what @octokit/auth-app takes in workerd) */
export function toPkcs8Pem(text: string): string {
  return derToPem(toPkcs8Der(text), PKCS8_LABEL);
}
