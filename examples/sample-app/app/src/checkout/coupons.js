/** Active coupon codes and their percentage off. */
export const COUPONS = new Map([
  ["WINTER", 15],
  ["WELCOME10", 10],
]);

/**
 * Percentage off for a coupon code; 0 for an unknown or missing code.
 *
 * @param {string | null | undefined} code
 * @returns {number}
 */
export function percentOff(code) {
  if (!code) return 0;
  return COUPONS.get(code.trim().toUpperCase()) ?? 0;
}
