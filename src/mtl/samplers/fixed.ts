/**
 * Fixed task probabilities given by the user: task k is drawn with probability p_k = v_k / Σ_j v_j
 * for non-negative values v (e.g. from a mixing-rate search, or to hand-tune a small task's share).
 * The mixing rates of seqio's `Mixture` given as explicit numbers (Raffel et al., JMLR 21, 2020, §3.5.2).
 */
import { ConfigError } from '../../errors.js';
import { WeightedTaskSampler } from './sampler.js';

/**
 * The normalised probabilities v / Σ v.
 * @param values (K) non-negative, at least one positive.
 * @throws ConfigError otherwise.
 * @example fixedRates([1, 3]) // [0.25, 0.75]
 */
export function fixedRates(values: readonly number[]): number[] {
  if (values.length === 0 || values.some((v) => typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)))
    throw new ConfigError(`fixed task probabilities must be finite numbers ≥ 0, one per task, got [${values.join(', ')}]`);
  const total = values.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new ConfigError(`at least one fixed task probability must be positive, got [${values.join(', ')}]`);
  return values.map((v) => v / total);
}

/** A sampler drawing task k with probability v_k / Σ v; `seed` seeds its generator. */
export function fixedSampler(values: readonly number[], seed: number): WeightedTaskSampler {
  return new WeightedTaskSampler('fixed', fixedRates(values), seed);
}
