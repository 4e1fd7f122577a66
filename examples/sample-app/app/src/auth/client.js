import { hashPassword, needsRehash, verifyPassword } from "./password.js";

/**
 * @typedef {object} User
 * @property {string} id
 * @property {string} email
 * @property {string} passwordHash
 */

/**
 * Signs a user in. `POST /api/login` answers with this; the gateway in front
 * of it gives up after 5 s.
 *
 * @param {Map<string, User>} users by lower-cased email
 * @param {string} email
 * @param {string} password
 * @param {{ derive?: import("./password.js").Derive }} [options]
 * @returns {Promise<{ ok: true, userId: string } | { ok: false, reason: "invalid_credentials" }>}
 */
export async function login(users, email, password, options = {}) {
  const user = users.get(email.trim().toLowerCase());
  if (!user || !verifyPassword(password, user.passwordHash, options)) {
    return { ok: false, reason: "invalid_credentials" };
  }
  if (needsRehash(user.passwordHash)) {
    user.passwordHash = hashPassword(password, options);
  }
  return { ok: true, userId: user.id };
}
