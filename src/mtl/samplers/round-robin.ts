/**
 * Uniform round-robin sampling: steps go to tasks 0, 1, …, K−1, 0, 1, … in a fixed cycle, so each
 * task gets exactly 1/K of the steps whatever its size (no randomness; jiant's "uniform" sampler
 * draws at random with the same rates). Small tasks are revisited far more often than large ones,
 * the opposite extreme of ./proportional.ts (T → ∞ in ./temperature.ts).
 */
import { CheckpointError, ConfigError } from '../../errors.js';
import type { RoundRobinState, TaskSampler, TaskSamplerState } from './sampler.js';

export class RoundRobinSampler implements TaskSampler {
  readonly kind = 'uniform' as const;
  readonly probabilities: readonly number[];
  readonly numTasks: number;
  #draws = 0;

  /**
   * @param numTasks K, a positive integer.
   * @example
   *   const s = new RoundRobinSampler(3);
   *   [s.next(), s.next(), s.next(), s.next()]; // [0, 1, 2, 0]
   */
  constructor(numTasks: number) {
    if (!Number.isSafeInteger(numTasks) || numTasks < 1)
      throw new ConfigError(`a round-robin sampler needs a positive number of tasks, got ${String(numTasks)}`);
    this.numTasks = numTasks;
    this.probabilities = Object.freeze(Array.from({ length: numTasks }, () => 1 / numTasks));
  }

  next(): number {
    return this.#draws++ % this.numTasks;
  }

  state(): RoundRobinState {
    return { kind: 'uniform', numTasks: this.numTasks, draws: this.#draws };
  }

  restore(state: TaskSamplerState): void {
    if (state?.kind !== 'uniform')
      throw new CheckpointError(`the sampler state was saved by a '${String(state?.kind)}' sampler, this run uses 'uniform'`);
    if (state.numTasks !== this.numTasks) {
      throw new CheckpointError(`the sampler state was saved for ${String(state.numTasks)} tasks, this run has ${this.numTasks}`);
    }
    if (!Number.isSafeInteger(state.draws) || state.draws < 0)
      throw new CheckpointError(`sampler state: draws must be a non-negative integer, got ${String(state.draws)}`);
    this.#draws = state.draws;
  }
}
