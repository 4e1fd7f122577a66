import assert from "node:assert/strict";
import { test } from "node:test";
import { renderPaymentStep } from "../src/checkout/payment-step.js";
import { computeTotals, formatCents, roundHalfEven } from "../src/checkout/totals.js";

const shoe = { sku: "SH-1", name: "Trail running shoe", unitCents: 1999, quantity: 1 };
const socks = { sku: "SO-3", name: "Wool socks", unitCents: 650, quantity: 2 };

test("a WINTER coupon takes 15% off the subtotal, rounded once", () => {
  const totals = computeTotals({ id: "c1", items: [shoe], coupon: "winter" });
  assert.deepEqual(totals, { subtotalCents: 1999, discountCents: 300, totalCents: 1699, itemCount: 1 });
});

test("amounts are rounded half to even and shown in dollars", () => {
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(3.5), 4);
  assert.equal(formatCents(1699), "$16.99");
  assert.equal(formatCents(5), "$0.05");
});

test("the payment page shows the cart's totals", () => {
  const store = new Map([["c1", { id: "c1", items: [shoe, socks], coupon: null }]]);
  const page = renderPaymentStep({ id: "s1", cartId: "c1" }, store);
  assert.deepEqual(page, { itemCount: 3, subtotal: "$32.99", discount: "$0.00", total: "$32.99", canPay: true });
});

test("the payment page opens for a session that has no cart", { todo: "known bug: the payment page fails when the session has no cart" }, () => {
  const page = renderPaymentStep({ id: "s2", cartId: null }, new Map());
  assert.deepEqual(page, { itemCount: 0, subtotal: "$0.00", discount: "$0.00", total: "$0.00", canPay: false });
});
