/**
 * Gradient surgery: one update from the per-task gradients G (K, P) of the shared parameters.
 * - `pcgrad`: project each g_i onto the normal plane of every g_j it conflicts with (Yu et al., NeurIPS 2020)
 * - `cagrad`: the mean gradient moved within a ball to raise the worst task's improvement (Liu et al., NeurIPS 2021)
 * - `mgda`: the minimum-norm point of the gradients' convex hull; -UB on the representation (Sener & Koltun, NeurIPS 2018)
 * - `gradvac`: turn each g_i towards an EMA target cosine with every g_j (Wang et al., ICLR 2021)
 *
 * Each method is a pure function of G (and of the Gramian GGᵀ, giving task coefficients); a class per
 * method keeps the state between steps behind `GradientSurgery`, made here from settings.
 */
import { ConfigError } from '../../errors.js';
import { CAGrad } from './cagrad.js';
import { GradVac } from './gradvac.js';
import { MGDA } from './mgda.js';
import { PCGrad } from './pcgrad.js';
import { SURGERY_METHODS, type GradientSurgery, type SurgeryMethod } from './types.js';

export { SURGERY_METHODS, checkSurgeryState, type GradientSurgery, type SurgeryMethod, type SurgeryState } from './types.js';
export type { GradVacState, PcgradState, StatelessSurgeryState } from './types.js';
export { gramian, combineRows, randomOrders, visitOrder, type TaskOrder } from './gramian.js';
export { taskJacobian, assignGradients, type TaskJacobianOptions, type AssignOptions } from './jacobian.js';
export { pcgrad, pcgradWeights, PCGrad, type PcgradOptions } from './pcgrad.js';
export { cagrad, cagradWeights, cagradCoefficients, projectToSimplex, CAGrad, type CagradOptions } from './cagrad.js';
export { mgda, mgdaWeights, minNormCoefficients, minNormGamma, MGDA, type MgdaOptions } from './mgda.js';
export { gradVac, gradVacWeights, GradVac, type GradVacOptions } from './gradvac.js';

/** A surgery method's settings (as a training config would give them). */
export interface SurgerySettings {
  readonly method: SurgeryMethod;
  /** pcgrad, gradvac: 'sum' (the papers', default) or 'mean' of the modified gradients. */
  readonly reduction?: 'sum' | 'mean' | undefined;
  /** cagrad: c ≥ 0 (default 0.5). */
  readonly c?: number | undefined;
  /** cagrad: 'c2' (default), 'c' or 'none'. */
  readonly rescale?: 'c2' | 'c' | 'none' | undefined;
  /** gradvac: the EMA rate β ∈ [0, 1] (default 0.5). */
  readonly beta?: number | undefined;
  /** mgda, cagrad: solver iterations at most. */
  readonly maxIterations?: number | undefined;
}

/**
 * The surgery method `settings` describe, for K tasks.
 * @param seed seeds the random task orders (pcgrad, gradvac).
 * @example
 *   const surgery = createSurgery({ method: 'cagrad', c: 0.4 }, 3, 42);
 *   const update = surgery.combine(G); // (P)
 */
export function createSurgery(settings: SurgerySettings, numTasks: number, seed: number): GradientSurgery {
  switch (settings.method) {
    case 'pcgrad':
      return new PCGrad(numTasks, seed, { reduction: settings.reduction });
    case 'cagrad':
      return new CAGrad(numTasks, { c: settings.c, rescale: settings.rescale, maxIterations: settings.maxIterations });
    case 'mgda':
      return new MGDA(numTasks, { maxIterations: settings.maxIterations });
    case 'gradvac':
      return new GradVac(numTasks, seed, { beta: settings.beta, reduction: settings.reduction });
    default:
      throw new ConfigError(
        `unknown gradient-surgery method '${String((settings as { method: unknown }).method)}'; expected one of ${SURGERY_METHODS.join(', ')}`,
      );
  }
}
