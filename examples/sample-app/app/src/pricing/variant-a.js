import { trackTrialClick } from "./analytics.js";

/**
 * @typedef {object} PageContext
 * @property {import("./analytics.js").AnalyticsEvent[]} events
 * @property {(path: string) => void} navigate
 */

/** The control pricing page's buttons. */
export const buttons = [{ id: "cta-trial", label: "Start free trial" }, { id: "cta-sales", label: "Talk to sales" }];

/**
 * @param {PageContext} ctx
 */
export function onTrialClick(ctx) {
  trackTrialClick(ctx.events, "control");
  ctx.navigate("/signup?trial=1");
}
