import { hydrateCart } from "./cart.js";
import { computeTotals, formatCents } from "./totals.js";

/**
 * The payment page's model: what the page shows above the card form.
 *
 * @param {import("./cart.js").Session} session
 * @param {Map<string, import("./cart.js").Cart>} store
 * @returns {{ itemCount: number, subtotal: string, discount: string, total: string, canPay: boolean }}
 */
export function renderPaymentStep(session, store) {
  const cart = hydrateCart(session, store);
  const totals = computeTotals(cart);
  return {
    itemCount: totals.itemCount,
    subtotal: formatCents(totals.subtotalCents),
    discount: formatCents(totals.discountCents),
    total: formatCents(totals.totalCents),
    canPay: totals.totalCents > 0,
  };
}
