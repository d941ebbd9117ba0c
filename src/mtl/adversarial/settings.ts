/**
 * The settings of adversarial training (`training.adversarial`), each method's defaults filled in
 * from its paper or its reference recipe:
 * - fgm: ε 1 (the radius of r per example, in embedding units), l2 (Miyato et al. 2017 use ε·g/‖g‖₂);
 * - pgd: ε 1, α 0.3, K 3 (the "PGD-K" recipe for BERT fine-tuning of Madry et al.'s attack), l2;
 * - freelb: ε 1, α 0.1, K 3, init 0.1 (Zhu et al. 2020, §4: α 1e-1, K 2–3, init magnitude 1e-1 order), l2;
 * - smart: ε 1e-5, α 1e-3, K 1, σ 1e-5, λ_s 1, linf (Jiang et al. 2020, §4 "Implementation Details").
 */
import { ConfigError } from '../../errors.js';
import type { PerturbationNorm } from './geometry.js';

export const ADVERSARIAL_METHODS = ['fgm', 'pgd', 'freelb', 'smart'] as const;
export type AdversarialMethod = (typeof ADVERSARIAL_METHODS)[number];

/** `training.adversarial` as the config gives it (camelCase; absent keys take the method's defaults). */
export interface AdversarialConfig {
  readonly method: AdversarialMethod;
  readonly tasks?: readonly string[] | undefined;
  readonly epsilon?: number | undefined;
  readonly norm?: PerturbationNorm | undefined;
  readonly stepSize?: number | undefined;
  readonly steps?: number | undefined;
  readonly init?: number | undefined;
  readonly weight?: number | undefined;
}

/** Complete settings of one method. */
export interface AdversarialSettings {
  readonly method: AdversarialMethod;
  /** The tasks trained adversarially; undefined: all. */
  readonly tasks: readonly string[] | undefined;
  /** ε: the radius of the perturbation per example. */
  readonly epsilon: number;
  readonly norm: PerturbationNorm;
  /** α: the length of an ascent step. */
  readonly stepSize: number;
  /** K: ascent steps. */
  readonly steps: number;
  /** The random start's scale (freelb: uniform half-width before the 1/√(T·H) factor; smart: normal σ). */
  readonly init: number;
  /** The adversarial term's weight beside the clean loss (smart: λ_s). */
  readonly weight: number;
}

const DEFAULTS: Record<AdversarialMethod, Omit<AdversarialSettings, 'method' | 'tasks'>> = {
  fgm: { epsilon: 1, norm: 'l2', stepSize: 1, steps: 1, init: 0, weight: 1 },
  pgd: { epsilon: 1, norm: 'l2', stepSize: 0.3, steps: 3, init: 0, weight: 1 },
  freelb: { epsilon: 1, norm: 'l2', stepSize: 0.1, steps: 3, init: 0.1, weight: 1 },
  smart: { epsilon: 1e-5, norm: 'linf', stepSize: 1e-3, steps: 1, init: 1e-5, weight: 1 },
};

/**
 * The method's settings: `config` over its defaults.
 * @throws ConfigError for an unknown method.
 */
export function adversarialSettings(config: AdversarialConfig): AdversarialSettings {
  const d = DEFAULTS[config.method];
  if (d === undefined)
    throw new ConfigError(`unknown adversarial method '${String(config.method)}'; known: ${ADVERSARIAL_METHODS.join(', ')}`);
  return {
    method: config.method,
    tasks: config.tasks,
    epsilon: config.epsilon ?? d.epsilon,
    norm: config.norm ?? d.norm,
    stepSize: config.stepSize ?? d.stepSize,
    steps: config.steps ?? d.steps,
    init: config.init ?? d.init,
    weight: config.weight ?? d.weight,
  };
}
