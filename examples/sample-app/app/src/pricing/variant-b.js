/**
 * Variant B of the pricing-page-v2 experiment: a single plan card and one
 * call to action.
 */

/** The page's buttons. */
export const buttons = [{ id: "cta-trial", label: "Start free trial" }];

/**
 * @param {import("./variant-a.js").PageContext} ctx
 */
export function onTrialClick(ctx) {
  trackTrialClick(ctx.events, "b");
  ctx.navigate("/signup?trial=1&plan=pro");
}
