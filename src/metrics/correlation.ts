/**
 * Correlation coefficients for regression tasks (STS-B reports Pearson and Spearman), with the
 * semantics of scipy.stats 1.10 `pearsonr` and `spearmanr`; checked against scipy by
 * tests/metrics/correlation.test.ts.
 */
import { ShapeError } from '../errors.js';
import { checkSameLength } from './classification.js';

function checkPairs(x: readonly number[], y: readonly number[], what: string): void {
  checkSameLength(x, y, what);
  if (x.length < 2) throw new ShapeError(`${what}: needs at least 2 pairs, got ${x.length}`);
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Pearson's product-moment correlation r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²), computed on centred
 * data (two passes, so large offsets cost no precision) and clipped to [−1, 1]. NaN when either
 * input is constant (scipy warns and returns NaN) or holds NaN.
 * @example pearson([1, 2, 3], [2, 4, 7]) // 0.9933992677987828
 */
export function pearson(x: readonly number[], y: readonly number[]): number {
  checkPairs(x, y, 'pearson');
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * 1-based ranks with ties given the mean of the ranks they span (scipy.stats.rankdata "average").
 * @example rankAverage([10, 20, 10, 30]) // [1.5, 3, 1.5, 4]
 */
export function rankAverage(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman's rank correlation ρ: Pearson's r of the average ranks (ties share their mean rank), as
 * scipy.stats.spearmanr. NaN when either input is constant or holds NaN.
 * @example spearman([1, 2, 3, 4], [1, 3, 2, 4]) // 0.8
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  checkPairs(x, y, 'spearman');
  if (x.some(Number.isNaN) || y.some(Number.isNaN)) return NaN;
  return pearson(rankAverage(x), rankAverage(y));
}
