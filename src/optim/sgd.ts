/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum (Sutskever et al., ICML
 * 2013, in PyTorch's formulation) and coupled (L2) weight decay. Matches torch.optim.SGD of torch
 * 1.13 (`_single_tensor_sgd`) operation for operation.
 */
import { CheckpointError, ConfigError } from '../errors.js';
import { add, add_, clone, keep, mul_, neg, type Tensor } from '../tensor/index.js';
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

export interface SgdGroup extends ParamGroup {
  /** Momentum factor μ (0 = none). */
  momentum: number;
  /** Dampening τ of the gradient added to the momentum buffer. */
  dampening: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Ascend instead of descend. */
  maximize: boolean;
}

export type SgdOptions = Partial<Omit<SgdGroup, 'params' | 'lr'>> & { lr: number };

/**
 * torch.optim.SGD. Per parameter θ with gradient g: d = g + λθ; with momentum,
 * b ← g₁ on the first step, else b ← μb + (1−τ)d, and d = d + μb (Nesterov) or d = b; θ ← θ − lr·d.
 * State per parameter: `momentum_buffer` (when momentum ≠ 0), owned by the optimizer.
 */
export class SGD extends Optimizer<SgdGroup> {
  /**
   * @param options lr is required (as in torch); momentum, dampening, weightDecay default to 0.
   * @throws ConfigError for out-of-range settings, or Nesterov without momentum or with dampening.
   */
  constructor(params: ParamsInput<SgdGroup>, options: SgdOptions) {
    const defaults = { lr: NaN, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
    for (const [k, v] of Object.entries(options ?? {})) {
      if (!(k in defaults)) throw new ConfigError(`SGD: unknown option '${k}'; valid options are ${Object.keys(defaults).join(', ')}`);
      if (v !== undefined) (defaults as Record<string, unknown>)[k] = v;
    }
    super('SGD', params, defaults);
  }

  protected override checkSettings(g: Omit<SgdGroup, 'params'>): string | undefined {
    if (!(g.lr >= 0) || !Number.isFinite(g.lr))
      return `learning rate must be a finite number ≥ 0, got ${g.lr} (SGD has no default learning rate)`;
    if (!(g.momentum >= 0)) return `momentum must be ≥ 0, got ${g.momentum}`;
    if (!Number.isFinite(g.dampening)) return `dampening must be a finite number, got ${g.dampening}`;
    if (!(g.weightDecay >= 0) || !Number.isFinite(g.weightDecay)) return `weight decay must be a finite number ≥ 0, got ${g.weightDecay}`;
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0))
      return `Nesterov momentum needs momentum > 0 and dampening 0, got momentum ${g.momentum}, dampening ${g.dampening}`;
    return undefined;
  }

  protected override initState(): Record<string, Tensor> {
    return {}; // the momentum buffer starts as a copy of the first gradient (see update)
  }

  protected override stateNames(): StateNames {
    return { required: [], optional: ['momentum_buffer'] };
  }

  protected override update(param: Tensor, gradient: Tensor, group: SgdGroup, state: ParamState): void {
    const { lr, weightDecay, momentum, dampening } = group;
    let d = group.maximize ? neg(gradient) : gradient;
    if (weightDecay !== 0) d = add(d, param, weightDecay);
    if (momentum !== 0) {
      let buf = state.tensors.momentum_buffer;
      if (buf === undefined) {
        buf = keep(clone(d));
        state.tensors.momentum_buffer = buf;
      } else {
        add_(mul_(buf, momentum), d, 1 - dampening);
      }
      d = group.nesterov ? add(d, buf, momentum) : buf;
    }
    add_(param, d, -lr);
  }

  protected override settingsToJson(g: SgdGroup): Record<string, JsonValue> {
    return {
      lr: g.lr,
      momentum: g.momentum,
      dampening: g.dampening,
      weight_decay: g.weightDecay,
      nesterov: g.nesterov,
      maximize: g.maximize,
    };
  }

  protected override settingsFromJson(saved: SavedParamGroup, where: string): Omit<SgdGroup, 'params'> {
    if (saved.lr === undefined) throw new CheckpointError(`${where}.lr is missing`);
    return {
      lr: savedNumber(saved, 'lr', where),
      momentum: savedNumber(saved, 'momentum', where),
      dampening: savedNumber(saved, 'dampening', where),
      weightDecay: savedNumber(saved, 'weight_decay', where),
      nesterov: savedBoolean(saved, 'nesterov', where, false),
      maximize: savedBoolean(saved, 'maximize', where, false),
    };
  }
}
