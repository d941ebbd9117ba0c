/**
 * Summaries of one figure measured under several seeds: the mean and the sample standard deviation
 * (n − 1 in the denominator, numpy's `std(ddof=1)`), as the transfer report and the demo's transfer
 * table print them.
 */

/** The arithmetic mean of `xs`; NaN for none. */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The sample standard deviation of `xs` (n − 1); 0 for fewer than two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}
