import { pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

/** PBKDF2-SHA256 work factor for new hashes. */
export const ITERATIONS = 600_000;

/**
 * Derives a key from a password: PBKDF2-SHA256, 32 bytes. Tests pass a
 * cheaper function with the same signature.
 *
 * @typedef {(password: string, salt: Buffer, iterations: number) => Buffer} Derive
 * @type {Derive}
 */
export const pbkdf2 = (password, salt, iterations) => pbkdf2Sync(password, salt, iterations, 32, "sha256");

/**
 * A stored hash: `pbkdf2$<iterations>$<salt, base64>$<key, base64>`.
 *
 * @param {string} password
 * @param {{ iterations?: number, derive?: Derive, salt?: Buffer }} [options]
 * @returns {string}
 */
export function hashPassword(password, options = {}) {
  const iterations = options.iterations ?? ITERATIONS;
  const derive = options.derive ?? pbkdf2;
  const salt = options.salt ?? randomBytes(16);
  const key = derive(password, salt, iterations);
  return `pbkdf2$${iterations}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/**
 * @param {string} stored
 * @returns {{ iterations: string, salt: Buffer, key: Buffer } | null}
 */
function parseHash(stored) {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== "pbkdf2") return null;
  return { iterations: parts[1], salt: Buffer.from(parts[2], "base64"), key: Buffer.from(parts[3], "base64") };
}

/**
 * @param {string} password
 * @param {string} stored
 * @param {{ derive?: Derive }} [options]
 * @returns {boolean}
 */
export function verifyPassword(password, stored, options = {}) {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const derive = options.derive ?? pbkdf2;
  const key = derive(password, parsed.salt, Number(parsed.iterations));
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/**
 * Whether a stored hash was made with a different work factor and should be
 * replaced at the next successful sign-in.
 *
 * @param {string} stored
 * @param {number} [iterations]
 * @returns {boolean}
 */
export function needsRehash(stored, iterations = ITERATIONS) {
  const parsed = parseHash(stored);
  return parsed === null || parsed.iterations !== iterations;
}
