/**
 * Adagrad (Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization", JMLR 2011): each coordinate's step is scaled by the inverse root of its summed squared
 * gradients. The optimizer of knowledge-graph embeddings with N3 regularisation (Lacroix et al., ICML
 * 2018). Matches torch.optim.Adagrad of torch 1.13 (`_single_tensor_adagrad`, dense gradients)
 * operation for operation.
 */
import { CheckpointError, ConfigError } from '../errors.js';
import { add, add_, addcdiv_, addcmul_, fullLike, keep, neg, sqrt, type Tensor } from '../tensor/index.js';
import {
  Optimizer,
  savedBoolean,
  savedNumber,
  type JsonValue,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type SavedParamGroup,
  type StateNames,
} from './optimizer.js';

export interface AdagradGroup extends ParamGroup {
  /** Learning-rate decay d: step t uses lr / (1 + (t − 1)·d). */
  lrDecay: number;
  /** The value each coordinate's sum of squared gradients starts from. */
  initialAccumulatorValue: number;
  /** Added to the root of the sum in the denominator. */
  eps: number;
  /** Ascend instead of descend. */
  maximize: boolean;
}

export type AdagradOptions = Partial<Omit<AdagradGroup, 'params'>>;

/**
 * torch.optim.Adagrad. Per parameter θ with gradient g at step t (counted per parameter):
 * g ← g + λθ (coupled weight decay); s ← s + g²; θ ← θ − lr/(1 + (t−1)·d) · g / (√s + ε).
 * State per parameter: `sum` (s), of the parameter's shape and dtype, owned by the optimizer.
 * @example
 *   const opt = new Adagrad(model.parameters(), { lr: 0.1 });
 *   loss.backward(); opt.step(); opt.zeroGrad();
 */
export class Adagrad extends Optimizer<AdagradGroup> {
  /**
   * @param options defaults as torch's: lr 0.01, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10.
   * @throws ConfigError for out-of-range settings.
   */
  constructor(params: ParamsInput<AdagradGroup>, options: AdagradOptions = {}) {
    const defaults = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };
    for (const [k, v] of Object.entries(options)) {
      if (!(k in defaults)) throw new ConfigError(`Adagrad: unknown option '${k}'; valid options are ${Object.keys(defaults).join(', ')}`);
      if (v !== undefined) (defaults as Record<string, unknown>)[k] = v;
    }
    super('Adagrad', params, defaults);
  }

  protected override checkSettings(g: Omit<AdagradGroup, 'params'>): string | undefined {
    const finiteAtLeast0 = (x: number) => x >= 0 && Number.isFinite(x);
    if (!finiteAtLeast0(g.lr)) return `learning rate must be a finite number ≥ 0, got ${g.lr}`;
    if (!finiteAtLeast0(g.lrDecay)) return `lr_decay must be a finite number ≥ 0, got ${g.lrDecay}`;
    if (!finiteAtLeast0(g.weightDecay)) return `weight decay must be a finite number ≥ 0, got ${g.weightDecay}`;
    if (!finiteAtLeast0(g.initialAccumulatorValue))
      return `initial_accumulator_value must be a finite number ≥ 0, got ${g.initialAccumulatorValue}`;
    if (!finiteAtLeast0(g.eps)) return `eps must be a finite number ≥ 0, got ${g.eps}`;
    if (typeof g.maximize !== 'boolean') return 'maximize must be a boolean';
    return undefined;
  }

  protected override initState(param: Tensor, group: AdagradGroup): Record<string, Tensor> {
    return { sum: keep(fullLike(param, group.initialAccumulatorValue)) };
  }

  protected override stateNames(): StateNames {
    return { required: ['sum'], optional: [] };
  }

  protected override update(param: Tensor, gradient: Tensor, group: AdagradGroup, state: ParamState): void {
    const { lr, lrDecay, weightDecay, eps } = group;
    let grad = group.maximize ? neg(gradient) : gradient;
    if (weightDecay !== 0) grad = add(grad, param, weightDecay);
    const clr = lr / (1 + (state.step - 1) * lrDecay);
    const sum = state.tensors.sum as Tensor;
    addcmul_(sum, grad, grad, 1);
    addcdiv_(param, grad, add_(sqrt(sum), eps), -clr);
  }

  protected override settingsToJson(g: AdagradGroup): Record<string, JsonValue> {
    return {
      lr: g.lr,
      lr_decay: g.lrDecay,
      weight_decay: g.weightDecay,
      initial_accumulator_value: g.initialAccumulatorValue,
      eps: g.eps,
      maximize: g.maximize,
    };
  }

  protected override settingsFromJson(saved: SavedParamGroup, where: string): Omit<AdagradGroup, 'params'> {
    if (saved.lr === undefined) throw new CheckpointError(`${where}.lr is missing`);
    return {
      lr: savedNumber(saved, 'lr', where),
      lrDecay: savedNumber(saved, 'lr_decay', where),
      weightDecay: savedNumber(saved, 'weight_decay', where),
      initialAccumulatorValue: savedNumber(saved, 'initial_accumulator_value', where),
      eps: savedNumber(saved, 'eps', where),
      maximize: savedBoolean(saved, 'maximize', where, false),
    };
  }
}
