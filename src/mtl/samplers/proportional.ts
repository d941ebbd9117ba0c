/**
 * Examples-proportional sampling: task k is drawn with probability p_k = min(N_k, cap) / Σ_j min(N_j, cap),
 * N_k its number of training examples — every training example is seen about equally often, as
 * when all tasks' data are shuffled together. The optional cap (an "artificial data set size limit")
 * keeps the largest tasks from crowding out the others; without it this is plain size-proportional
 * sampling. Raffel et al., "Exploring the Limits of Transfer Learning with a Unified Text-to-Text
 * Transformer" (JMLR 21, 2020, §3.5.2, "examples-proportional mixing"); the special case T = 1 of
 * ./temperature.ts.
 */
import { WeightedTaskSampler } from './sampler.js';
import { temperatureRates } from './temperature.js';

/**
 * The mixing rates p_k ∝ min(N_k, cap).
 * @param sizes (K) training examples per task, positive integers.
 * @param cap examples counted per task at most; default none.
 * @example
 *   proportionalRates([100, 300]);      // [0.25, 0.75]
 *   proportionalRates([100, 300], 100); // [0.5, 0.5]
 */
export function proportionalRates(sizes: readonly number[], cap?: number): number[] {
  return temperatureRates(sizes, { temperature: 1, cap });
}

/** A sampler drawing tasks with probability proportional to their (capped) sizes; `seed` seeds its generator. */
export function proportionalSampler(sizes: readonly number[], seed: number, cap?: number): WeightedTaskSampler {
  return new WeightedTaskSampler('proportional', proportionalRates(sizes, cap), seed);
}
