/**
 * Dynamic loss scaling for float16 training, with torch.cuda.amp.GradScaler's semantics (torch 1.13):
 * the loss is multiplied by `scale` before backward so that small float16 gradients do not flush to
 * zero; before the optimizer step the gradients are divided by it (by the float32 reciprocal, as
 * `_amp_foreach_non_finite_check_and_unscale_`), and a step whose gradients hold an inf or NaN is
 * skipped. Then the scale is updated as `_amp_update_scale_`: halved (× backoffFactor) after a skipped
 * step, doubled (× growthFactor) after `growthInterval` steps in a row without one, when the doubled
 * scale is finite. Micikevicius et al., "Mixed Precision Training", ICLR 2018, §3.2.
 */
import { CheckpointError, ConfigError } from '../errors.js';
import { all, isfinite, mul_, noGrad, tidy, type Tensor } from '../tensor/index.js';
import type { Optimizer } from './optimizer.js';

export interface GradScalerOptions {
  /** Default 2^16 (torch's). */
  readonly initScale?: number;
  /** Default 2. */
  readonly growthFactor?: number;
  /** Default 0.5. */
  readonly backoffFactor?: number;
  /** Steps without inf/NaN before the scale grows; default 2000. */
  readonly growthInterval?: number;
}

/** A GradScaler's state, as its state_dict: scale, growth tracker, and the settings. */
export interface GradScalerState {
  readonly scale: number;
  readonly growthTracker: number;
}

const float32 = (x: number): number => Math.fround(x);

export class GradScaler {
  #scale: number;
  #growthTracker = 0;
  /** Whether the gradients of the current step were unscaled, and whether they held an inf or NaN. */
  #unscaled: { foundInf: boolean } | undefined;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;

  /** @throws ConfigError for a scale or factor that cannot work (torch's checks). */
  constructor(options: GradScalerOptions = {}) {
    this.#scale = float32(options.initScale ?? 2 ** 16);
    this.growthFactor = options.growthFactor ?? 2;
    this.backoffFactor = options.backoffFactor ?? 0.5;
    this.growthInterval = options.growthInterval ?? 2000;
    if (!(this.#scale > 0) || !Number.isFinite(this.#scale))
      throw new ConfigError(`initScale must be a positive finite number, got ${options.initScale}`);
    if (!(this.growthFactor > 1)) throw new ConfigError(`growthFactor should be > 1, got ${this.growthFactor}`);
    if (!(this.backoffFactor < 1 && this.backoffFactor > 0))
      throw new ConfigError(`backoffFactor should be in (0, 1), got ${this.backoffFactor}`);
    if (!Number.isInteger(this.growthInterval) || this.growthInterval < 1)
      throw new ConfigError(`growthInterval should be a positive integer, got ${this.growthInterval}`);
  }

  /** The current scale. */
  get scale(): number {
    return this.#scale;
  }

  /** `loss` × scale (a new tensor; backpropagate it instead of the loss). */
  scaleLoss(loss: Tensor): Tensor {
    return loss.mul(this.#scale);
  }

  /**
   * Divides the gradients of `optimizer`'s parameters by the scale, in place, and notes whether any
   * holds an inf or NaN. Called by `step` when not called before (call it first to clip the true gradients).
   */
  unscale(optimizer: Optimizer): void {
    if (this.#unscaled !== undefined) throw new ConfigError('unscale() was already called since the last update()');
    const invScale = float32(1 / this.#scale); // torch: scale.double().reciprocal().float()
    let foundInf = false;
    noGrad(() => {
      for (const group of optimizer.paramGroups)
        for (const param of group.params)
          tidy(() => {
            const grad = param.grad;
            if (grad === undefined) return;
            if (!(all(isfinite(grad)).item() as boolean)) foundInf = true;
            mul_(grad, invScale);
          });
    });
    this.#unscaled = { foundInf };
  }

  /**
   * Unscales (unless `unscale` was called) and takes the optimizer's step unless a gradient holds an
   * inf or NaN. @returns whether the step was taken.
   */
  step(optimizer: Optimizer): boolean {
    if (this.#unscaled === undefined) this.unscale(optimizer);
    const skipped = (this.#unscaled as { foundInf: boolean }).foundInf;
    if (!skipped) optimizer.step();
    return !skipped;
  }

  /** Updates the scale from this step's finding (see the file comment); ends the step. */
  update(): void {
    if (this.#unscaled === undefined) throw new ConfigError('update() needs a step() (or unscale()) since the last update()');
    if (this.#unscaled.foundInf) {
      this.#scale = float32(this.#scale * this.backoffFactor);
      this.#growthTracker = 0;
    } else if (this.#growthTracker + 1 === this.growthInterval) {
      const grown = float32(this.#scale * this.growthFactor);
      if (Number.isFinite(grown)) this.#scale = grown;
      this.#growthTracker = 0;
    } else {
      this.#growthTracker += 1;
    }
    this.#unscaled = undefined;
  }

  get state(): GradScalerState {
    return { scale: this.#scale, growthTracker: this.#growthTracker };
  }

  loadState(state: GradScalerState): void {
    this.#scale = state.scale;
    this.#growthTracker = state.growthTracker;
  }
}

/** trainer_state.json's `grad_scaler_state`: torch's GradScaler.state_dict() spelling. */
export interface GradScalerJson {
  readonly scale: number;
  readonly growth_factor: number;
  readonly backoff_factor: number;
  readonly growth_interval: number;
  readonly _growth_tracker: number;
}

/** `scaler`'s state as torch's GradScaler.state_dict() spells it (plain JSON). */
export function gradScalerToJson(scaler: GradScaler): GradScalerJson {
  const { scale, growthTracker } = scaler.state;
  return {
    scale,
    growth_factor: scaler.growthFactor,
    backoff_factor: scaler.backoffFactor,
    growth_interval: scaler.growthInterval,
    _growth_tracker: growthTracker,
  };
}

/**
 * The scale and growth tracker of a saved `grad_scaler_state` (the factors and interval come from the
 * config of the run that resumes). @throws CheckpointError naming `where` for a bad value.
 */
export function gradScalerStateFromJson(json: unknown, where: string): GradScalerState {
  const j = (typeof json === 'object' && json !== null ? json : {}) as Partial<Record<keyof GradScalerJson, unknown>>;
  const { scale, _growth_tracker: tracker } = j;
  if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale))
    throw new CheckpointError(`${where}: grad_scaler_state.scale must be a positive finite number, got ${JSON.stringify(scale)}`);
  if (typeof tracker !== 'number' || !Number.isSafeInteger(tracker) || tracker < 0)
    throw new CheckpointError(`${where}: grad_scaler_state._growth_tracker must be a non-negative integer, got ${JSON.stringify(tracker)}`);
  return { scale, growthTracker: tracker };
}
