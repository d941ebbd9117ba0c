/**
 * Adafactor (Shazeer & Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost", ICML 2018,
 * Algorithms 4 and 5), with the semantics of Hugging Face transformers' `Adafactor` (the optimizer T5 was
 * made for): factored second moments for parameters of two or more dimensions, an increasing decay
 * β₂ₜ = 1 − t^c, update clipping by RMS, optional relative step size and parameter scale, an optional
 * first moment (β₁) and weight decay. Written from the paper and Hugging Face's documented behaviour;
 * checked against scripts/adafactor_reference.py (tests/optim/adafactor.test.ts).
 */
import { CheckpointError, ConfigError } from '../errors.js';
import {
  add,
  add_,
  clamp,
  div,
  div_,
  keep,
  mean,
  mul,
  mul_,
  norm,
  rsqrt,
  unsqueeze,
  zeros,
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

export interface AdafactorGroup extends ParamGroup {
  /** (ε₁, ε₂): added to the squared gradient; the floor of a parameter's RMS in its scale. */
  eps: [number, number];
  /** d: an update whose RMS exceeds d is scaled down to RMS d. */
  clipThreshold: number;
  /** c ≤ 0: the second-moment decay of step t is β₂ₜ = 1 − t^c (paper: −0.8). */
  decayRate: number;
  /** Decay of a first-moment average of the (scaled, clipped) updates; null: none (no state kept). */
  beta1: number | null;
  /** Multiply the step size by max(ε₂, RMS(θ)): steps relative to each tensor's scale. */
  scaleParameter: boolean;
  /** Step size ρₜ = min(1e-2, 1/√t) (min(1e-6·t, 1/√t) with warmupInit) instead of `lr`, which is then unused. */
  relativeStep: boolean;
  /** With relativeStep: start the step size at 1e-6 and raise it by 1e-6 a step. */
  warmupInit: boolean;
}

export type AdafactorOptions = Partial<Omit<AdafactorGroup, 'params'>>;

/** ρₜ: the step size before the parameter scale, at step t (counted per parameter, from 1). */
export function relativeStepSize(group: Pick<AdafactorGroup, 'lr' | 'relativeStep' | 'warmupInit'>, t: number): number {
  if (!group.relativeStep) return group.lr;
  return Math.min(group.warmupInit ? 1e-6 * t : 1e-2, 1 / Math.sqrt(t));
}

/** RMS(x) = ‖x‖₂ / √n, a 0-d tensor. */
const rms = (x: Tensor): Tensor => div(norm(x), Math.sqrt(Math.max(1, x.numel)));

/** Whether the second moment of a parameter of `shape` is factored (two or more dimensions). */
const isFactored = (shape: readonly number[]): boolean => shape.length >= 2;

/**
 * Hugging Face's `Adafactor`. Per parameter θ (shape [..., n, m] when factored) with gradient G at step t:
 *   β₂ₜ = 1 − t^c;  Q = G² + ε₁
 *   factored: R ← β₂ₜR + (1−β₂ₜ)·mean₋₁(Q) [..., n];  C ← β₂ₜC + (1−β₂ₜ)·mean₋₂(Q) [..., m];
 *             V̂ = (R / mean₋₁(R)) ⊗ C   (= R Cᵀ / 1ᵀR of the paper's sums);  U = G / √V̂
 *   else:     V ← β₂ₜV + (1−β₂ₜ)Q;  U = G / √V
 *   U ← U / max(1, RMS(U)/d);  αₜ = ρₜ · (scaleParameter ? max(ε₂, RMS(θ)) : 1);  U ← αₜU
 *   with β₁: M ← β₁M + (1−β₁)U, U = M;  θ ← θ − λαₜθ − U.
 * State per parameter: `exp_avg_sq_row` [..., n] and `exp_avg_sq_col` [..., m] (factored) or `exp_avg_sq`
 * (θ's shape), and with β₁ `exp_avg` (θ's shape) — Hugging Face's names; owned by the optimizer.
 * No host synchronisation: αₜ stays a tensor when it depends on RMS(θ).
 * @example
 *   const opt = new Adafactor(model.parameters(), { relativeStep: true, scaleParameter: true });
 *   loss.backward(); opt.step(); opt.zeroGrad();
 */
export class Adafactor extends Optimizer<AdafactorGroup> {
  /**
   * @param params parameters, or groups overriding any option.
   * @param options defaults: lr 1e-3, eps [1e-30, 1e-3], clipThreshold 1, decayRate −0.8, beta1 null,
   *   weightDecay 0, scaleParameter false, relativeStep false, warmupInit false — Hugging Face's Trainer's
   *   (`optim="adafactor"`: an external learning rate and schedule); its class defaults are
   *   relativeStep and scaleParameter true with no lr.
   * @throws ConfigError for out-of-range settings, warmupInit without relativeStep.
   */
  constructor(params: ParamsInput<AdafactorGroup>, options: AdafactorOptions = {}) {
    const defaults = {
      lr: 1e-3,
      eps: [1e-30, 1e-3] as [number, number],
      clipThreshold: 1,
      decayRate: -0.8,
      beta1: null as number | null,
      weightDecay: 0,
      scaleParameter: false,
      relativeStep: false,
      warmupInit: false,
    };
    for (const [k, v] of Object.entries(options)) {
      if (!(k in defaults))
        throw new ConfigError(`Adafactor: unknown option '${k}'; valid options are ${Object.keys(defaults).join(', ')}`);
      if (v !== undefined) (defaults as Record<string, unknown>)[k] = v;
    }
    super('Adafactor', params, defaults);
  }

  protected override checkSettings(g: Omit<AdafactorGroup, 'params'>): string | undefined {
    const [eps1, eps2] = Array.isArray(g.eps) ? g.eps : [NaN, NaN];
    const finiteAtLeast0 = (x: number) => x >= 0 && Number.isFinite(x);
    if (!finiteAtLeast0(g.lr)) return `learning rate must be a finite number ≥ 0, got ${g.lr}`;
    if (!finiteAtLeast0(eps1 as number) || !finiteAtLeast0(eps2 as number))
      return `eps must be two finite numbers ≥ 0, got ${JSON.stringify(g.eps)}`;
    if (!(g.clipThreshold > 0) || !Number.isFinite(g.clipThreshold))
      return `clip_threshold must be a finite number > 0, got ${g.clipThreshold}`;
    if (!(g.decayRate <= 0) || !Number.isFinite(g.decayRate))
      return `decay_rate must be a finite number ≤ 0 (β₂ₜ = 1 − t^decay_rate), got ${g.decayRate}`;
    if (g.beta1 !== null && !(g.beta1 >= 0 && g.beta1 < 1)) return `beta1 must be null or in [0, 1), got ${g.beta1}`;
    if (!finiteAtLeast0(g.weightDecay)) return `weight decay must be a finite number ≥ 0, got ${g.weightDecay}`;
    for (const k of ['scaleParameter', 'relativeStep', 'warmupInit'] as const)
      if (typeof g[k] !== 'boolean') return `${k} must be a boolean, got ${String(g[k])}`;
    if (g.warmupInit && !g.relativeStep) return 'warmup_init needs relative_step (it sets the relative step size min(1e-6·t, 1/√t))';
    return undefined;
  }

  protected override initState(param: Tensor, group: AdafactorGroup): Record<string, Tensor> {
    const state: Record<string, Tensor> = {};
    const { dtype, device } = param;
    if (group.beta1 !== null) state.exp_avg = keep(zerosLike(param));
    if (isFactored(param.shape)) {
      state.exp_avg_sq_row = keep(zeros(this.stateShape('exp_avg_sq_row', param), { dtype, device }));
      state.exp_avg_sq_col = keep(zeros(this.stateShape('exp_avg_sq_col', param), { dtype, device }));
    } else state.exp_avg_sq = keep(zerosLike(param));
    return state;
  }

  protected override stateNames(group: Omit<AdafactorGroup, 'params'>, param: Tensor): StateNames {
    const second = isFactored(param.shape) ? ['exp_avg_sq_row', 'exp_avg_sq_col'] : ['exp_avg_sq'];
    return { required: group.beta1 === null ? second : ['exp_avg', ...second], optional: [] };
  }

  /** The row statistics drop the last dimension, the column statistics the one before it. */
  protected override stateShape(name: string, param: Tensor): readonly number[] {
    const s = param.shape;
    if (name === 'exp_avg_sq_row') return s.slice(0, -1);
    if (name === 'exp_avg_sq_col') return [...s.slice(0, -2), s[s.length - 1] as number];
    return s;
  }

  /** With relativeStep, ρₜ of the group's first parameter's last step (before the parameter scale). */
  protected override ownLr(group: AdafactorGroup): number | undefined {
    if (!group.relativeStep) return undefined;
    const first = group.params[0];
    return relativeStepSize(group, Math.max(1, first === undefined ? 1 : this.stepsOf(first)));
  }

  protected override update(param: Tensor, grad: Tensor, group: AdafactorGroup, state: ParamState): void {
    const [eps1, eps2] = group.eps;
    const rho = relativeStepSize(group, state.step);
    const alpha: Tensor | number = group.scaleParameter ? mul(clamp(rms(param), eps2), rho) : rho; // αₜ, from θ before the step
    const beta2t = 1 - Math.pow(state.step, group.decayRate);
    const squared = add(mul(grad, grad), eps1); // Q = G² + ε₁
    let update: Tensor;
    if (isFactored(param.shape)) {
      const row = state.tensors.exp_avg_sq_row as Tensor; // [..., n]
      const col = state.tensors.exp_avg_sq_col as Tensor; // [..., m]
      add_(mul_(row, beta2t), mean(squared, -1), 1 - beta2t);
      add_(mul_(col, beta2t), mean(squared, -2), 1 - beta2t);
      const rowFactor = unsqueeze(rsqrt(div(row, mean(row, -1, true))), -1); // [..., n, 1]
      const colFactor = unsqueeze(rsqrt(col), -2); // [..., 1, m]
      update = mul(mul(rowFactor, colFactor), grad);
    } else {
      const v = state.tensors.exp_avg_sq as Tensor;
      add_(mul_(v, beta2t), squared, 1 - beta2t);
      update = mul(rsqrt(v), grad);
    }
    div_(update, clamp(div(rms(update), group.clipThreshold), 1)); // update clipping (paper §5)
    mul_(update, alpha);
    if (group.beta1 !== null) {
      const m = state.tensors.exp_avg as Tensor;
      add_(mul_(m, group.beta1), update, 1 - group.beta1);
      update = m;
    }
    if (group.weightDecay !== 0)
      add_(param, mul(param, typeof alpha === 'number' ? -group.weightDecay * alpha : mul(alpha, -group.weightDecay)));
    add_(param, update, -1);
  }

  protected override settingsToJson(g: AdafactorGroup): Record<string, JsonValue> {
    return {
      lr: g.lr,
      eps: [...g.eps],
      clip_threshold: g.clipThreshold,
      decay_rate: g.decayRate,
      beta1: g.beta1,
      weight_decay: g.weightDecay,
      scale_parameter: g.scaleParameter,
      relative_step: g.relativeStep,
      warmup_init: g.warmupInit,
    };
  }

  protected override settingsFromJson(saved: SavedParamGroup, where: string): Omit<AdafactorGroup, 'params'> {
    const eps = saved.eps;
    if (!Array.isArray(eps) || eps.length !== 2 || !eps.every((e) => typeof e === 'number'))
      throw new CheckpointError(`${where}.eps is ${JSON.stringify(eps)}: expected two numbers`);
    const beta1 = saved.beta1;
    if (beta1 !== null && typeof beta1 !== 'number')
      throw new CheckpointError(`${where}.beta1 is ${JSON.stringify(beta1)}: expected null or a number`);
    return {
      lr: savedNumber(saved, 'lr', where),
      eps: [eps[0] as number, eps[1] as number],
      clipThreshold: savedNumber(saved, 'clip_threshold', where),
      decayRate: savedNumber(saved, 'decay_rate', where),
      beta1,
      weightDecay: savedNumber(saved, 'weight_decay', where),
      scaleParameter: savedBoolean(saved, 'scale_parameter', where),
      relativeStep: savedBoolean(saved, 'relative_step', where),
      warmupInit: savedBoolean(saved, 'warmup_init', where),
    };
  }
}
