/**
 * Static weights: L = Σ_k w_k L_k with fixed w (equal weights, w = 1, by default: the plain sum of
 * the task losses that most multi-task baselines train with).
 */
import { CheckpointError, ConfigError } from '../../errors.js';
import type { Tensor } from '../../tensor/index.js';
import {
  checkLosses,
  checkNumTasks,
  checkNumbers,
  checkWeightingState,
  weightedSum,
  type LossWeighting,
  type StaticState,
  type WeightingState,
} from './types.js';

export class StaticWeighting implements LossWeighting {
  readonly method = 'static';
  readonly numTasks: number;
  #weights: number[];

  /**
   * @param weights (K) finite, non-negative; default all 1.
   * @example
   *   const w = new StaticWeighting(2, [1, 0.5]);
   *   const total = w.combine(stack([intentLoss, slotLoss])); // intentLoss + 0.5·slotLoss
   */
  constructor(numTasks: number, weights?: readonly number[]) {
    checkNumTasks(numTasks, 'static');
    this.numTasks = numTasks;
    this.#weights =
      weights === undefined
        ? new Array<number>(numTasks).fill(1)
        : checkNumbers(weights, numTasks, 'static weights', (m) => new ConfigError(m));
    if (this.#weights.some((w) => w < 0)) throw new ConfigError(`static weights must be ≥ 0, got [${this.#weights.join(', ')}]`);
  }

  combine(losses: Tensor, tasks?: readonly number[]): Tensor {
    const indices = checkLosses(losses, tasks, this.numTasks, 'static');
    return weightedSum(
      losses,
      indices.map((k) => this.#weights[k]!),
    );
  }

  weights(): number[] {
    return [...this.#weights];
  }

  parameters(): Tensor[] {
    return [];
  }

  state(): StaticState {
    return { method: 'static', numTasks: this.numTasks, weights: [...this.#weights] };
  }

  restore(state: WeightingState): void {
    checkWeightingState(state, 'static', this.numTasks);
    this.#weights = checkNumbers((state as StaticState).weights, this.numTasks, 'static state: weights', (m) => new CheckpointError(m));
  }

  dispose(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }
}
