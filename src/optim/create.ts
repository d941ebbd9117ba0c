/**
 * The optimizer a config names (`training.optimizer`): torch.optim.AdamW, SGD, Adagrad or Hugging Face's Adafactor over
 * the given parameter groups, so the trainer holds an `Optimizer` and never names a class.
 */
import type { Optimizer, ParamGroupInput } from './optimizer.js';
import { AdamW, type AdamWGroup } from './adamw.js';
import { SGD, type SgdGroup } from './sgd.js';
import { Adagrad, type AdagradGroup } from './adagrad.js';
import { Adafactor, type AdafactorGroup } from './adafactor.js';

/** AdamW's settings besides the learning rate and weight decay (Loshchilov & Hutter, ICLR 2019). */
export interface AdamWSpec {
  readonly name: 'adamw';
  /** (β₁, β₂), each in [0, 1) (the config schema checks the pair). */
  readonly betas: readonly number[];
  readonly eps: number;
  readonly amsgrad: boolean;
}

/** SGD's settings besides the learning rate and weight decay (Nesterov: Sutskever et al., ICML 2013). */
export interface SgdSpec {
  readonly name: 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
}

/** Adagrad's settings besides the learning rate and weight decay (Duchi et al., JMLR 2011). */
export interface AdagradSpec {
  readonly name: 'adagrad';
  readonly lrDecay: number;
  readonly initialAccumulatorValue: number;
  readonly eps: number;
}

/**
 * Adafactor's settings besides the learning rate and weight decay (Shazeer & Stern, ICML 2018), in
 * Hugging Face's terms. With `relativeStep` the learning rate is not used (the config checks forbid a schedule).
 */
export interface AdafactorSpec {
  readonly name: 'adafactor';
  /** (ε₁, ε₂). */
  readonly eps: readonly number[];
  readonly clipThreshold: number;
  readonly decayRate: number;
  readonly beta1: number | null;
  readonly scaleParameter: boolean;
  readonly relativeStep: boolean;
  readonly warmupInit: boolean;
}

export type OptimizerSpec = AdamWSpec | SgdSpec | AdagradSpec | AdafactorSpec;

/** The optimizer's class name as torch spells it, for logs. */
export const optimizerClassName = (spec: Pick<OptimizerSpec, 'name'>): string =>
  ({ adamw: 'AdamW', sgd: 'SGD', adagrad: 'Adagrad', adafactor: 'Adafactor' })[spec.name];

/**
 * A new optimizer of `spec`'s kind over `groups` (each group's own `weightDecay` kept) at learning rate `lr`.
 * @throws ConfigError for settings out of range (as the optimizer's constructor checks them).
 * @example
 *   const opt = createOptimizer({ name: 'sgd', momentum: 0.9, dampening: 0, nesterov: true }, paramGroupsNoDecay(named, 0), 0.1);
 */
export function createOptimizer(spec: OptimizerSpec, groups: readonly ParamGroupInput[], lr: number): Optimizer {
  if (spec.name === 'sgd') {
    const { momentum, dampening, nesterov } = spec;
    return new SGD(groups as readonly ParamGroupInput<SgdGroup>[], { lr, momentum, dampening, nesterov });
  }
  if (spec.name === 'adagrad') {
    const { lrDecay, initialAccumulatorValue, eps } = spec;
    return new Adagrad(groups as readonly ParamGroupInput<AdagradGroup>[], { lr, lrDecay, initialAccumulatorValue, eps });
  }
  if (spec.name === 'adafactor') {
    const { eps, clipThreshold, decayRate, beta1, scaleParameter, relativeStep, warmupInit } = spec;
    return new Adafactor(groups as readonly ParamGroupInput<AdafactorGroup>[], {
      lr,
      eps: [eps[0] ?? 1e-30, eps[1] ?? 1e-3],
      ...{ clipThreshold, decayRate, beta1, scaleParameter, relativeStep, warmupInit },
    });
  }
  const { betas, eps, amsgrad } = spec;
  return new AdamW(groups as readonly ParamGroupInput<AdamWGroup>[], { lr, betas: [betas[0] ?? 0.9, betas[1] ?? 0.999], eps, amsgrad });
}
