/**
 * Uncertainty weighting: Kendall, Gal and Cipolla, "Multi-Task Learning Using Uncertainty to Weigh
 * Losses for Scene Geometry and Semantics", CVPR 2018. Each task has a learned homoscedastic noise
 * σ_k; the paper's eq. 7 (regression, ½σ⁻²L + log σ) and eq. 10 (classification, σ⁻²L + log σ) are
 * implemented, as is common, in one form with s_k = log σ_k² learned for numerical stability (§3.2):
 *
 *   L = Σ_k exp(−s_k)·L_k + s_k
 *
 * (the form most re-implementations use; LibMTL's UW uses half of it, exp(−s_k)L_k/2 + s_k/2, which
 * has the same minimiser and half the gradients). For a fixed L_k the loss is smallest at
 * s_k = log L_k: a noisier task (larger irreducible loss) gets a larger σ and a smaller weight exp(−s_k).
 * The s_k are parameters for the trainer's optimizer (weight decay 0); s_k = 0 (weight 1) at the start.
 */
import { CheckpointError, ConfigError } from '../../errors.js';
import { full, indexSelect, keep, noGrad, tensor, tidy, type Tensor } from '../../tensor/index.js';
import {
  checkLosses,
  checkNumTasks,
  checkNumbers,
  checkWeightingState,
  type LossWeighting,
  type UncertaintyState,
  type WeightingState,
} from './types.js';

export interface UncertaintyOptions {
  /** The initial s_k = log σ_k² (default 0: weight 1). */
  readonly initialLogVariance?: number | undefined;
  /** Device of the log-variances: the losses' device ('cpu' default, 'cuda', …). */
  readonly device?: string | undefined;
}

export class UncertaintyWeighting implements LossWeighting {
  readonly method = 'uncertainty';
  readonly numTasks: number;
  /** s (K) float32, requires grad; owned here. */
  readonly logVariances: Tensor;

  constructor(numTasks: number, options: UncertaintyOptions = {}) {
    checkNumTasks(numTasks, 'uncertainty');
    const init = options.initialLogVariance ?? 0;
    if (typeof init !== 'number' || !Number.isFinite(init))
      throw new ConfigError(`uncertainty weighting: initialLogVariance must be finite, got ${String(init)}`);
    this.numTasks = numTasks;
    this.logVariances = keep(full([numTasks], init, { device: options.device ?? 'cpu' }));
    this.logVariances.requiresGrad = true;
  }

  combine(losses: Tensor, tasks?: readonly number[]): Tensor {
    const indices = checkLosses(losses, tasks, this.numTasks, 'uncertainty');
    const device = this.logVariances.device;
    if (losses.device !== device)
      throw new ConfigError(
        `uncertainty weighting: the losses are on ${losses.device} but the log-variances on ${device}; create it with { device: '${losses.device}' }`,
      );
    return tidy(() => {
      const s = tasks === undefined ? this.logVariances : indexSelect(this.logVariances, 0, tensor(indices, { dtype: 'int64', device }));
      return losses.mul(s.neg().exp()).add(s).sum(); // Σ exp(−s_k)·L_k + s_k
    });
  }

  /** exp(−s_k), the weight of each task's loss (reads the device). */
  weights(): number[] {
    return noGrad(() => tidy(() => this.logVariances.neg().exp().toFlatArray() as number[]));
  }

  parameters(): Tensor[] {
    return [this.logVariances];
  }

  state(): UncertaintyState {
    return { method: 'uncertainty', numTasks: this.numTasks, logVariances: this.logVariances.toFlatArray() as number[] };
  }

  restore(state: WeightingState): void {
    checkWeightingState(state, 'uncertainty', this.numTasks);
    const values = checkNumbers(
      (state as UncertaintyState).logVariances,
      this.numTasks,
      'uncertainty state: logVariances',
      (m) => new CheckpointError(m),
    );
    noGrad(() => tidy(() => this.logVariances.copy_(tensor(values, { device: this.logVariances.device }))));
  }

  dispose(): void {
    this.logVariances.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
