/**
 * Loss weighting: the scalar each multi-task step back-propagates, from the per-task losses.
 * - `static`: fixed weights (equal by default)
 * - `uncertainty`: learned homoscedastic uncertainty, Σ exp(−s_k)L_k + s_k (Kendall, Gal & Cipolla, CVPR 2018)
 * - `gradnorm`: weights that balance gradient norms on a shared layer by training rate (Chen et al., ICML 2018)
 * - `dwa`: Dynamic Weight Average, softmax of loss-descent rates (Liu, Johns & Davison, CVPR 2019)
 * - `random`: softmax of normal draws each step (Lin et al., TMLR 2022)
 */
import { ConfigError } from '../../errors.js';
import type { Tensor } from '../../tensor/index.js';
import { DwaWeighting } from './dwa.js';
import { GradNormWeighting } from './gradnorm.js';
import { RandomWeighting } from './random.js';
import { StaticWeighting } from './static.js';
import { WEIGHTING_METHODS, type LossWeighting, type WeightingMethod } from './types.js';
import { UncertaintyWeighting } from './uncertainty.js';

export {
  WEIGHTING_METHODS,
  checkLosses,
  checkWeightingState,
  type LossWeighting,
  type WeightingMethod,
  type WeightingState,
  type StaticState,
  type UncertaintyState,
  type GradNormState,
  type DwaState,
  type RandomState,
} from './types.js';
export { StaticWeighting } from './static.js';
export { UncertaintyWeighting, type UncertaintyOptions } from './uncertainty.js';
export { GradNormWeighting, gradNormStep, type GradNormOptions, type GradNormStepInput } from './gradnorm.js';
export { DwaWeighting, dwaWeights, type DwaOptions } from './dwa.js';
export { RandomWeighting, randomWeights, normalDraw, type RandomWeightingOptions } from './random.js';

/** A weighting method's settings (as a training config would give them). */
export interface WeightingSettings {
  readonly method: WeightingMethod;
  /** static: (K) weights (default all 1). */
  readonly weights?: readonly number[] | undefined;
  /** uncertainty: the initial log σ² (default 0). */
  readonly initialLogVariance?: number | undefined;
  /** gradnorm: α (default 1.5). */
  readonly alpha?: number | undefined;
  /** gradnorm: the weights' learning rate (default 0.025). */
  readonly lr?: number | undefined;
  /** dwa: T (default 2). */
  readonly temperature?: number | undefined;
  /** dwa: steps per period (default 1; the paper: one epoch). */
  readonly period?: number | undefined;
  /** random: Σ of the weights (default 1). */
  readonly scale?: number | undefined;
}

/** What some methods need from the trainer. */
export interface WeightingContext {
  /** Seeds random weighting. */
  readonly seed: number;
  /** gradnorm: the parameters of the shared layer W (e.g. the last encoder layer's). */
  readonly sharedParameters?: readonly Tensor[] | undefined;
  /** uncertainty: the device of the log-variances (the losses' device). */
  readonly device?: string | undefined;
  /** random: this process's rank and the number of ranks in a data-parallel run (default 0 of 1). */
  readonly ranks?: { readonly rank: number; readonly worldSize: number } | undefined;
}

/**
 * The weighting `settings` describe, for K tasks.
 * @example
 *   const weighting = createLossWeighting({ method: 'dwa', temperature: 2, period: stepsPerEpoch }, 3, { seed: 42 });
 *   const total = weighting.combine(stack(taskLosses)); // then total.backward()
 */
export function createLossWeighting(settings: WeightingSettings, numTasks: number, context: WeightingContext): LossWeighting {
  switch (settings.method) {
    case 'static':
      return new StaticWeighting(numTasks, settings.weights);
    case 'uncertainty':
      return new UncertaintyWeighting(numTasks, { initialLogVariance: settings.initialLogVariance, device: context.device });
    case 'gradnorm':
      return new GradNormWeighting(numTasks, { sharedParameters: context.sharedParameters ?? [], alpha: settings.alpha, lr: settings.lr });
    case 'dwa':
      return new DwaWeighting(numTasks, { temperature: settings.temperature, period: settings.period });
    case 'random':
      return new RandomWeighting(numTasks, {
        seed: context.seed,
        scale: settings.scale,
        rank: context.ranks?.rank,
        worldSize: context.ranks?.worldSize,
      });
    default:
      throw new ConfigError(
        `unknown loss-weighting method '${String((settings as { method: unknown }).method)}'; expected one of ${WEIGHTING_METHODS.join(', ')}`,
      );
  }
}
