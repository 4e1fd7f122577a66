/** A unit vector pointing where `xs` points: test vectors whose cosines are easy to reason about. */
export const unit = (...xs: number[]): number[] => {
  const n = Math.hypot(...xs);
  return xs.map((x) => x / n);
};
