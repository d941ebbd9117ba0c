/**
 * Task samplers: which task each multi-task training step trains on.
 * - `proportional`: p_k ∝ min(N_k, cap) (T5's examples-proportional mixing)
 * - `temperature`: p_k ∝ min(N_k, cap)^(1/T) (T5's temperature-scaled mixing; Arivazhagan et al. 2019)
 * - `uniform`: the fixed cycle 0, 1, …, K−1 (round robin)
 * - `annealed`: p_k ∝ N_k^α, α falling from 1 to 0.2 over the run (Stickland & Murray, ICML 2019)
 * - `fixed`: probabilities given by the user
 */
import { ConfigError } from '../../errors.js';
import { AnnealedSampler } from './annealed.js';
import { fixedSampler } from './fixed.js';
import { proportionalSampler } from './proportional.js';
import { RoundRobinSampler } from './round-robin.js';
import type { TaskSampler } from './sampler.js';
import { temperatureSampler } from './temperature.js';

export { Rng, type RngState } from '../../tensor/rng.js';
export {
  WeightedTaskSampler,
  checkTaskSizes,
  type TaskSampler,
  type TaskSamplerState,
  type WeightedSamplerState,
  type RoundRobinState,
  type AnnealedSamplerState,
  drawIndex,
} from './sampler.js';
export { AnnealedSampler, annealExponent, annealedRates } from './annealed.js';
export { fixedRates, fixedSampler } from './fixed.js';
export { proportionalRates, proportionalSampler } from './proportional.js';
export { temperatureRates, temperatureSampler, type TemperatureOptions } from './temperature.js';
export { RoundRobinSampler } from './round-robin.js';

export const SAMPLER_KINDS = ['proportional', 'temperature', 'uniform', 'annealed', 'fixed'] as const;
export type SamplerKind = (typeof SAMPLER_KINDS)[number];

/** A sampler's settings, as in the training config's `training.sampler`. */
export interface SamplerSettings {
  readonly kind: SamplerKind;
  /** T of the 'temperature' kind. */
  readonly temperature?: number | undefined;
  /** Examples counted per task at most ('proportional' and 'temperature'). */
  readonly cap?: number | undefined;
  /** 'fixed': (K) relative probabilities, in task order. */
  readonly probabilities?: readonly number[] | undefined;
  /** 'annealed': the draws the run will make (steps × micro-batches per step). */
  readonly totalDraws?: number | undefined;
}

/**
 * The sampler that `settings` describe, over tasks with `sizes` training examples.
 * @param sizes (K) training examples per task, in task order.
 * @param seed seeds the random kinds (the same seed gives the same task order).
 * @example
 *   const sampler = createTaskSampler({ kind: 'temperature', temperature: 2, cap: 100000 }, [13084, 10003, 67349], 42);
 *   const task = sampler.next(); // 0, 1 or 2
 */
export function createTaskSampler(settings: SamplerSettings, sizes: readonly number[], seed: number): TaskSampler {
  switch (settings.kind) {
    case 'proportional':
      return proportionalSampler(sizes, seed, settings.cap);
    case 'temperature':
      if (settings.temperature === undefined) throw new ConfigError("the 'temperature' sampler needs a temperature (T > 0)");
      return temperatureSampler(sizes, { temperature: settings.temperature, cap: settings.cap }, seed);
    case 'uniform':
      return new RoundRobinSampler(sizes.length);
    case 'annealed':
      if (settings.totalDraws === undefined) throw new ConfigError("the 'annealed' sampler needs the run's number of draws (totalDraws)");
      return new AnnealedSampler(sizes, settings.totalDraws, seed);
    case 'fixed':
      if (settings.probabilities === undefined) throw new ConfigError("the 'fixed' sampler needs probabilities, one per task");
      if (settings.probabilities.length !== sizes.length)
        throw new ConfigError(`the 'fixed' sampler got ${settings.probabilities.length} probabilities for ${sizes.length} tasks`);
      return fixedSampler(settings.probabilities, seed);
    default:
      throw new ConfigError(
        `unknown sampler kind '${String((settings as { kind: unknown }).kind)}'; expected one of ${SAMPLER_KINDS.join(', ')}`,
      );
  }
}
