import assert from "node:assert/strict";
import { test } from "node:test";
import * as control from "../src/pricing/variant-a.js";
import * as variantB from "../src/pricing/variant-b.js";

function page() {
  const ctx = { events: [], visited: [], navigate: (path) => ctx.visited.push(path) };
  return ctx;
}

test("the control page's trial button records the click and opens signup", () => {
  const ctx = page();
  control.onTrialClick(ctx);
  assert.deepEqual(ctx.events, [{ name: "trial_cta_clicked", props: { variant: "control", experiment: "pricing-page-v2" } }]);
  assert.deepEqual(ctx.visited, ["/signup?trial=1"]);
});

test("variant B's trial button records the click and opens signup", { todo: "known bug: variant B's trial button throws" }, () => {
  const ctx = page();
  variantB.onTrialClick(ctx);
  assert.deepEqual(ctx.events, [{ name: "trial_cta_clicked", props: { variant: "b", experiment: "pricing-page-v2" } }]);
  assert.deepEqual(ctx.visited, ["/signup?trial=1&plan=pro"]);
});
