/**
 * Random loss weighting (RLW): Lin, Ye, Xu, Shi and Zhang, "Reasonable Effectiveness of Random
 * Weighting: A Litmus Test for Multi-Task Learning", TMLR 2022. Each step draws λ̃ ~ N(0, I_K) and
 * weighs the losses by λ = softmax(λ̃) (positive, summing to 1), as in the paper's main variant and
 * LibMTL's RLW; `scale` multiplies them (scale K gives the sum-of-losses magnitude of equal weights).
 *
 * The normal draws come from the project's seeded xoshiro128** generator (Box–Muller), not from
 * libtorch's, so they are repeatable from the seed and continue exactly after `restore`.
 *
 * In a data-parallel run of N ranks, micro-batch n of rank r is position n·N + r of the run
 * (src/train/step.ts): each rank draws N weight vectors per `combine` and weighs its losses by the
 * r-th, so every micro-batch gets the weights a single process accumulating N times as many
 * micro-batches gives it, and every rank's generator stays in the same state.
 */
import { CheckpointError, ConfigError } from '../../errors.js';
import type { Tensor } from '../../tensor/index.js';
import { Rng } from '../../tensor/rng.js';
import {
  checkLosses,
  checkNumTasks,
  checkNumbers,
  checkWeightingState,
  weightedSum,
  type LossWeighting,
  type RandomState,
  type WeightingState,
} from './types.js';

/** One standard normal draw (Box–Muller, the cosine half; 1 − u keeps the logarithm finite). */
export function normalDraw(rng: Rng): number {
  const u = rng.float();
  const v = rng.float();
  return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
}

/** scale · softmax(λ̃) (K) for λ̃ ~ N(0, I_K) drawn from `rng`. */
export function randomWeights(rng: Rng, numTasks: number, scale = 1): number[] {
  const z = Array.from({ length: numTasks }, () => normalDraw(rng));
  const largest = Math.max(...z);
  const e = z.map((v) => Math.exp(v - largest));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => (scale * v) / total);
}

export interface RandomWeightingOptions {
  /** The generator's seed (an integer). */
  readonly seed: number;
  /** Σ of the weights (> 0); default 1, the paper's. */
  readonly scale?: number | undefined;
  /** This process's rank in a data-parallel run, and the number of ranks (default 0 of 1; see the file comment). */
  readonly rank?: number | undefined;
  readonly worldSize?: number | undefined;
}

export class RandomWeighting implements LossWeighting {
  readonly method = 'random';
  readonly numTasks: number;
  readonly scale: number;
  readonly rank: number;
  readonly worldSize: number;
  #rng: Rng;
  #last: number[];

  constructor(numTasks: number, options: RandomWeightingOptions) {
    checkNumTasks(numTasks, 'random');
    const scale = options.scale ?? 1;
    if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale))
      throw new ConfigError(`random weighting: scale must be a finite number > 0, got ${String(scale)}`);
    const [rank, worldSize] = [options.rank ?? 0, options.worldSize ?? 1];
    if (!Number.isInteger(worldSize) || worldSize < 1 || !Number.isInteger(rank) || rank < 0 || rank >= worldSize)
      throw new ConfigError(`random weighting: rank must be an integer in [0, worldSize), got rank ${rank} of ${worldSize}`);
    this.numTasks = numTasks;
    this.scale = scale;
    this.rank = rank;
    this.worldSize = worldSize;
    this.#rng = new Rng(options.seed);
    this.#last = new Array<number>(numTasks).fill(scale / numTasks);
  }

  /** A fresh draw of all K weights each step (this rank's of N draws); a step with some tasks only uses theirs. */
  combine(losses: Tensor, tasks?: readonly number[]): Tensor {
    const indices = checkLosses(losses, tasks, this.numTasks, 'random');
    const draws = Array.from({ length: this.worldSize }, () => randomWeights(this.#rng, this.numTasks, this.scale));
    const w = draws[this.rank]!;
    this.#last = w;
    return weightedSum(
      losses,
      indices.map((k) => w[k]!),
    );
  }

  /** The latest draw (scale/K each before the first). */
  weights(): number[] {
    return [...this.#last];
  }

  parameters(): Tensor[] {
    return [];
  }

  state(): RandomState {
    return { method: 'random', numTasks: this.numTasks, rng: this.#rng.state(), weights: [...this.#last] };
  }

  restore(state: WeightingState): void {
    checkWeightingState(state, 'random', this.numTasks);
    const s = state as RandomState;
    const last = checkNumbers(s.weights, this.numTasks, 'random state: weights', (m) => new CheckpointError(m));
    this.#rng = Rng.fromState(s.rng);
    this.#last = last;
  }

  dispose(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }
}
