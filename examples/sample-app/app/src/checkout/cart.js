/**
 * @typedef {object} CartLine
 * @property {string} sku
 * @property {string} name
 * @property {number} unitCents price of one unit, in cents
 * @property {number} quantity
 */

/**
 * @typedef {object} Cart
 * @property {string} id
 * @property {CartLine[]} items
 * @property {string | null} [coupon]
 */

/**
 * @typedef {object} Session
 * @property {string} id
 * @property {string | null} cartId the cart the visitor has started, if any
 */

/**
 * The session's cart, read from the cart store.
 *
 * @param {Session} session
 * @param {Map<string, Cart>} store
 * @returns {Cart | null}
 */
export function hydrateCart(session, store) {
  if (!session.cartId) return null;
  return store.get(session.cartId) ?? null;
}
