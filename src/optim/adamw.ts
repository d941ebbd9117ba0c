/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay
 * Regularization", ICLR 2019, Algorithm 2), optionally AMSGrad (Reddi et al., ICLR 2018).
 * Matches torch.optim.AdamW of torch 1.13 (`_single_tensor_adamw`) operation for operation, so
 * results agree with PyTorch bit for bit on CPU.
 */
import { CheckpointError, ConfigError } from '../errors.js';
import {
  adamwStepFused,
  add_,
  addcdiv_,
  addcmul_,
  copy_,
  div,
  keep,
  maximum,
  mul_,
  neg,
  sqrt,
  zerosLike,
  type Tensor,
} from '../tensor/index.js';
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
import { powInt } from './pow.js';

export interface AdamWGroup extends ParamGroup {
  /** (β₁, β₂): decay rates of the first and second moment averages, each in [0, 1). */
  betas: [number, number];
  /** Added to √v̂ in the denominator. */
  eps: number;
  /** Use the running maximum of v̂ (AMSGrad); one more parameter-sized state tensor. */
  amsgrad: boolean;
  /** Ascend instead of descend. */
  maximize: boolean;
}

export type AdamWOptions = Partial<Omit<AdamWGroup, 'params'>> & {
  /**
   * Update float32 CPU parameters with the fused kernel (default true; the same bits, fewer passes
   * over memory). false: always op by op, as torch's code reads. Not a group setting: not saved.
   */
  fused?: boolean;
};

/**
 * torch.optim.AdamW. Per parameter θ with gradient g, at step t (counted per parameter):
 * θ ← θ·(1 − lr·λ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * θ ← θ − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε).
 * State per parameter: `exp_avg` (m), `exp_avg_sq` (v), with amsgrad `max_exp_avg_sq`; all of the
 * parameter's shape and dtype, owned by the optimizer (free them with `dispose()`).
 * @example
 *   const opt = new AdamW(paramGroupsNoDecay(model.namedParameters(), 0.01), { lr: 5e-5 });
 *   loss.backward(); opt.step(); opt.zeroGrad();
 */
export class AdamW extends Optimizer<AdamWGroup> {
  /** Whether float32 CPU parameters take the fused kernel (see `update`). */
  readonly fused: boolean;

  /**
   * @param params parameters, or groups overriding any option.
   * @param options defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0.01 (torch's).
   * @throws ConfigError for out-of-range settings.
   */
  constructor(params: ParamsInput<AdamWGroup>, options: AdamWOptions = {}) {
    const defaults = { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false };
    const { fused = true, ...settings } = options;
    if (typeof fused !== 'boolean') throw new ConfigError(`AdamW: fused must be a boolean, got ${String(fused)}`);
    for (const [k, v] of Object.entries(settings)) {
      if (!(k in defaults))
        throw new ConfigError(`AdamW: unknown option '${k}'; valid options are ${[...Object.keys(defaults), 'fused'].join(', ')}`);
      if (v !== undefined) (defaults as Record<string, unknown>)[k] = v;
    }
    super('AdamW', params, defaults);
    this.fused = fused;
  }

  protected override checkSettings(g: Omit<AdamWGroup, 'params'>): string | undefined {
    const [b1, b2] = Array.isArray(g.betas) ? g.betas : [NaN, NaN];
    if (!(g.lr >= 0) || !Number.isFinite(g.lr)) return `learning rate must be a finite number ≥ 0, got ${g.lr}`;
    if (!(g.eps >= 0)) return `eps must be ≥ 0, got ${g.eps}`;
    if (!(b1 >= 0 && b1 < 1)) return `betas[0] must be in [0, 1), got ${b1}`;
    if (!(b2 >= 0 && b2 < 1)) return `betas[1] must be in [0, 1), got ${b2}`;
    if (!(g.weightDecay >= 0) || !Number.isFinite(g.weightDecay)) return `weight decay must be a finite number ≥ 0, got ${g.weightDecay}`;
    if (typeof g.amsgrad !== 'boolean' || typeof g.maximize !== 'boolean') return 'amsgrad and maximize must be booleans';
    return undefined;
  }

  protected override initState(param: Tensor, group: AdamWGroup): Record<string, Tensor> {
    const state: Record<string, Tensor> = { exp_avg: keep(zerosLike(param)), exp_avg_sq: keep(zerosLike(param)) };
    if (group.amsgrad) state.max_exp_avg_sq = keep(zerosLike(param));
    return state;
  }

  protected override stateNames(group: Omit<AdamWGroup, 'params'>): StateNames {
    return { required: group.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'], optional: [] };
  }

  /**
   * Float32 CPU parameters take the fused kernel (one pass over memory, the same bits, see
   * native/adamw.cc); others the op-by-op form below, which is torch's and the kernel's reference.
   */
  protected override update(param: Tensor, gradient: Tensor, group: AdamWGroup, state: ParamState): void {
    const { lr, weightDecay, eps, maximize } = group;
    const [beta1, beta2] = group.betas;
    const expAvg = state.tensors.exp_avg as Tensor;
    const expAvgSq = state.tensors.exp_avg_sq as Tensor;
    const biasCorrection1 = 1 - powInt(beta1, state.step);
    const biasCorrection2 = 1 - powInt(beta2, state.step);
    const settings = { lr, beta1, beta2, eps, weightDecay, biasCorrection1, biasCorrection2, maximize };
    if (this.fused && adamwStepFused(param, gradient, expAvg, expAvgSq, state.tensors.max_exp_avg_sq, settings)) return;
    const grad = maximize ? neg(gradient) : gradient;
    mul_(param, 1 - lr * weightDecay); // decoupled weight decay
    add_(mul_(expAvg, beta1), grad, 1 - beta1);
    addcmul_(mul_(expAvgSq, beta2), grad, grad, 1 - beta2);
    const stepSize = lr / biasCorrection1;
    let second = expAvgSq;
    if (group.amsgrad) {
      second = state.tensors.max_exp_avg_sq as Tensor;
      copy_(second, maximum(second, expAvgSq));
    }
    const denom = add_(div(sqrt(second), Math.sqrt(biasCorrection2)), eps);
    addcdiv_(param, expAvg, denom, -stepSize);
  }

  protected override settingsToJson(g: AdamWGroup): Record<string, JsonValue> {
    return { lr: g.lr, betas: [...g.betas], eps: g.eps, weight_decay: g.weightDecay, amsgrad: g.amsgrad, maximize: g.maximize };
  }

  protected override settingsFromJson(saved: SavedParamGroup, where: string): Omit<AdamWGroup, 'params'> {
    const betas = saved.betas;
    if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === 'number')) {
      throw new CheckpointError(`${where}.betas is ${JSON.stringify(betas)}: expected two numbers`);
    }
    return {
      lr: savedNumber(saved, 'lr', where),
      betas: [betas[0] as number, betas[1] as number],
      eps: savedNumber(saved, 'eps', where),
      weightDecay: savedNumber(saved, 'weight_decay', where),
      amsgrad: savedBoolean(saved, 'amsgrad', where, false),
      maximize: savedBoolean(saved, 'maximize', where, false),
    };
  }
}
