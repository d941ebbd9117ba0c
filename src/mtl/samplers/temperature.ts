/**
 * Temperature-scaled sampling with an examples cap: task k is drawn with probability
 *
 *   p_k = min(N_k, cap)^(1/T) / Σ_j min(N_j, cap)^(1/T)
 *
 * where N_k is the number of training examples of task k. T = 1 is examples-proportional mixing;
 * T > 1 flattens the distribution towards uniform (T → ∞), giving small tasks more steps than their
 * share of the data; the cap stops a huge task from dominating. Temperature sampling over data sizes
 * is from Arivazhagan et al., "Massively Multilingual Neural Machine Translation in the Wild:
 * Findings and Challenges" (arXiv:1907.05019, 2019; temperature-based sampling); the cap and the combination of both
 * ("temperature-scaled mixing" with an artificial dataset size limit K) from Raffel et al.,
 * "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer" (JMLR 21, 2020,
 * §3.5.2), as implemented in seqio's `mixing_rate_num_examples`.
 */
import { ConfigError } from '../../errors.js';
import { WeightedTaskSampler, checkTaskSizes } from './sampler.js';

/** Settings of temperature-scaled sampling. */
export interface TemperatureOptions {
  /** T > 0 (Infinity allowed: uniform). T5 used T ∈ {2, 4, 8}; Arivazhagan et al. T = 5. */
  readonly temperature: number;
  /** Examples counted per task at most (a positive integer); default none. */
  readonly cap?: number | undefined;
}

/**
 * The mixing rates p_k of the formula above.
 * @param sizes (K) training examples per task, positive integers.
 * @example
 *   temperatureRates([100, 10000], { temperature: 2 }); // [1/11, 10/11]
 */
export function temperatureRates(sizes: readonly number[], options: TemperatureOptions): number[] {
  checkTaskSizes(sizes);
  const { temperature: t, cap } = options;
  if (typeof t !== 'number' || !(t > 0)) throw new ConfigError(`the sampling temperature must be a number > 0, got ${String(t)}`);
  if (cap !== undefined && (!Number.isSafeInteger(cap) || cap < 1)) {
    throw new ConfigError(`the examples cap must be a positive integer (examples), got ${String(cap)}`);
  }
  const capped = sizes.map((n) => Math.min(n, cap ?? Infinity));
  // Scaled by the largest size first, so n^(1/T) cannot overflow for any T and T = ∞ gives exact 1s.
  const largest = Math.max(...capped);
  const weights = capped.map((n) => (n / largest) ** (1 / t));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/**
 * A sampler drawing tasks with the temperature-scaled, capped rates above.
 * @param seed the seed of its generator (see ./rng.ts); the same seed gives the same task order.
 */
export function temperatureSampler(sizes: readonly number[], options: TemperatureOptions, seed: number): WeightedTaskSampler {
  return new WeightedTaskSampler('temperature', temperatureRates(sizes, options), seed);
}
