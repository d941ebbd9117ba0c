/**
 * Summaries of one quantity measured over several seeds: mean, sample standard deviation (../metrics/spread.ts) and the
 * 95 % confidence interval of the mean from Student's t distribution (the quantile from
 * `@stdlib/stats-base-dists-t-quantile`), and the paired difference of two arms run with the same seeds.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { DataError } from '../errors.js';
import { mean as meanOf, sampleStd } from '../metrics/spread.js';

/** One quantity over seeds. */
export interface SeedSummary {
  /** Seeds measured. */
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (divisor n − 1); null for one seed. */
  readonly std: number | null;
  /** 95 % confidence interval of the mean, mean ± t(0.975, n − 1) · std / √n; null for one seed. */
  readonly ci95: readonly [number, number] | null;
  /** The per-seed values, in seed order. */
  readonly values: readonly number[];
}

/**
 * The quantile function of Student's t distribution with `dof` degrees of freedom at probability `p`
 * (`@stdlib/stats-base-dists-t-quantile`; checked against scipy.stats.t.ppf in tests/experiments/seed-stats.test.ts).
 * @example studentTQuantile(0.975, 2) // 4.3027
 */
export function studentTQuantile(p: number, dof: number): number {
  return tQuantile(p, dof);
}

/**
 * Mean, sample standard deviation and the two-sided 95 % Student-t confidence interval of the mean
 * of `values` (one per seed).
 * @throws DataError for an empty list or a value that is not finite.
 * @example summarize([1, 2, 3]) // { n: 3, mean: 2, std: 1, ci95: [2 − 4.3027/√3, 2 + 4.3027/√3], values: [1, 2, 3] }
 */
export function summarize(values: readonly number[]): SeedSummary {
  if (values.length === 0) throw new DataError('a summary over seeds needs at least one value, got none');
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new DataError(`a summary over seeds needs finite values, got ${bad}`);
  const n = values.length;
  const mean = meanOf(values);
  if (n === 1) return { n, mean, std: null, ci95: null, values: [...values] };
  const std = sampleStd(values);
  const half = (studentTQuantile(0.975, n - 1) * std) / Math.sqrt(n);
  return { n, mean, std, ci95: [mean - half, mean + half], values: [...values] };
}

/**
 * The paired difference a_i − b_i over seeds (a and b measured with the same seeds, in the same order), summarised.
 * @throws DataError when the lists differ in length or are empty.
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): SeedSummary {
  if (a.length !== b.length)
    throw new DataError(`a paired difference needs one value per seed on each side, got ${a.length} and ${b.length}`);
  return summarize(a.map((v, i) => v - b[i]!));
}
