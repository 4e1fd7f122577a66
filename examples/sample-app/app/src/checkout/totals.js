import { percentOff } from "./coupons.js";

/**
 * @typedef {import("./cart.js").Cart} Cart
 * @typedef {import("./cart.js").CartLine} CartLine
 */

/**
 * @typedef {object} Totals
 * @property {number} subtotalCents
 * @property {number} discountCents
 * @property {number} totalCents
 * @property {number} itemCount
 */

/**
 * Rounds half to even, as the payment service does, so the total shown is
 * the total charged.
 *
 * @param {number} value
 * @returns {number}
 */
export function roundHalfEven(value) {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (Math.abs(diff - 0.5) < 1e-9) return floor % 2 === 0 ? floor : floor + 1;
  return Math.round(value);
}

/**
 * Subtotal, coupon discount and total of a cart, in cents. The coupon's
 * percentage applies to the subtotal once, not line by line, so a discount
 * is rounded a single time.
 *
 * @param {Cart} cart
 * @returns {Totals}
 */
export function computeTotals(cart) {
  let subtotalCents = 0;
  let itemCount = 0;

  const lines = cart.items;
  for (const line of lines) {
    subtotalCents += line.unitCents * line.quantity;
    itemCount += line.quantity;
  }
  const discountCents = roundHalfEven((subtotalCents * percentOff(cart.coupon)) / 100);
  return { subtotalCents, discountCents, totalCents: subtotalCents - discountCents, itemCount };
}

/**
 * @param {number} cents
 * @returns {string}
 */
export function formatCents(cents) {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
