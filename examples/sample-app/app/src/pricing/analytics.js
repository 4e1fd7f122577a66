/**
 * @typedef {{ name: string, props: Record<string, string> }} AnalyticsEvent
 */

/**
 * Records a click on a pricing page's "Start free trial" button.
 *
 * @param {AnalyticsEvent[]} events where events are queued for sending
 * @param {string} variant the pricing-page experiment's variant
 */
export function trackTrialClick(events, variant) {
  events.push({ name: "trial_cta_clicked", props: { variant, experiment: "pricing-page-v2" } });
}
