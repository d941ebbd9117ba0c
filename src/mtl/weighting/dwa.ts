/**
 * Dynamic Weight Average: Liu, Johns and Davison, "End-to-End Multi-Task Learning with Attention",
 * CVPR 2019, eq. 7:
 *
 *   w_k(t) = K·exp(r_k(t−1)/T) / Σ_i exp(r_i(t−1)/T),   r_k(t−1) = L_k(t−1) / L_k(t−2)
 *
 * with w_k(t) = 1 for t = 1, 2. A task whose loss fell less over the last period gets more weight;
 * T (default 2, the paper's) softens the differences. In the paper t counts epochs and L_k(t) is
 * the mean loss over epoch t; here a period is `period` steps (1: every step; the trainer passes
 * its steps per epoch to follow the paper), L_k the mean of task k's losses in it. A task with no
 * loss in one of the two periods gets r_k = 1. Reads the K loss values back each step (one device sync).
 */
import { CheckpointError, ConfigError } from '../../errors.js';
import { tidy, type Tensor } from '../../tensor/index.js';
import {
  checkLosses,
  checkNumTasks,
  checkNumbers,
  checkWeightingState,
  weightedSum,
  type DeferredCombine,
  type DwaState,
  type LossWeighting,
  type WeightingState,
} from './types.js';

/**
 * Eq. 7: the weights (K) from the mean losses of the two previous periods.
 * @param older L_k(t−2), @param newer L_k(t−1) (null: no loss of task k in that period).
 * @param temperature T > 0.
 */
export function dwaWeights(older: readonly (number | null)[], newer: readonly (number | null)[], temperature: number): number[] {
  const k = newer.length;
  const ratios = newer.map((l, i) => {
    const o = older[i];
    return l === null || o === null || o === undefined || o === 0 ? 1 : l / o;
  });
  const largest = Math.max(...ratios.map((r) => r / temperature)); // subtracted before exp: no overflow
  const e = ratios.map((r) => Math.exp(r / temperature - largest));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => (k * v) / total);
}

export interface DwaOptions {
  /** T > 0; default 2. */
  readonly temperature?: number | undefined;
  /** Steps per period (t in eq. 7); default 1. */
  readonly period?: number | undefined;
}

export class DwaWeighting implements LossWeighting {
  readonly method = 'dwa';
  readonly numTasks: number;
  readonly temperature: number;
  readonly period: number;
  #steps = 0;
  #sums: number[];
  #counts: number[];
  /** Mean losses of the completed periods, the last two at most, older first. */
  #history: (number | null)[][] = [];
  #last: number[];

  constructor(numTasks: number, options: DwaOptions = {}) {
    checkNumTasks(numTasks, 'dwa');
    const { temperature = 2, period = 1 } = options;
    if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature))
      throw new ConfigError(`dwa: the temperature must be a finite number > 0, got ${String(temperature)}`);
    if (!Number.isSafeInteger(period) || period < 1)
      throw new ConfigError(`dwa: the period must be a positive integer (steps), got ${String(period)}`);
    this.numTasks = numTasks;
    this.temperature = temperature;
    this.period = period;
    this.#sums = new Array<number>(numTasks).fill(0);
    this.#counts = new Array<number>(numTasks).fill(0);
    this.#last = new Array<number>(numTasks).fill(1);
  }

  /** The weights of the current period: 1 in the first two, eq. 7 afterwards. */
  #current(): number[] {
    const [older, newer] = this.#history;
    if (this.#history.length < 2 || older === undefined || newer === undefined) return new Array<number>(this.numTasks).fill(1);
    return dwaWeights(older, newer, this.temperature);
  }

  combine(losses: Tensor, tasks?: readonly number[]): Tensor {
    return tidy(() => {
      const deferred = this.combineDeferred(losses, tasks);
      deferred.update();
      return deferred.total;
    });
  }

  /** Measures the losses (K', float64): a data-parallel run records their mean over the ranks, so every rank keeps the same history. */
  combineDeferred(losses: Tensor, tasks?: readonly number[]): DeferredCombine {
    const indices = checkLosses(losses, tasks, this.numTasks, 'dwa');
    const w = this.#current();
    const total = weightedSum(
      losses,
      indices.map((k) => w[k]!),
    );
    const measured = losses.detach().to('float64');
    return { total, measured: [measured], update: () => this.#record(indices, measured.toFlatArray() as number[], w) };
  }

  /** Adds a step's losses `values` of tasks `indices` (combined with weights `w`) to the period; closes it after `period` steps. */
  #record(indices: readonly number[], values: readonly number[], w: number[]): void {
    indices.forEach((k, n) => {
      this.#sums[k]! += values[n]!;
      this.#counts[k]!++;
    });
    this.#last = w;
    this.#steps++;
    if (this.#steps % this.period === 0) {
      this.#history.push(this.#sums.map((s, k) => (this.#counts[k]! > 0 ? s / this.#counts[k]! : null)));
      if (this.#history.length > 2) this.#history.shift();
      this.#sums.fill(0);
      this.#counts.fill(0);
    }
  }

  /** The weights of the latest step (1 before any). */
  weights(): number[] {
    return [...this.#last];
  }

  parameters(): Tensor[] {
    return [];
  }

  state(): DwaState {
    return {
      method: 'dwa',
      numTasks: this.numTasks,
      steps: this.#steps,
      sums: [...this.#sums],
      counts: [...this.#counts],
      history: this.#history.map((h) => [...h]),
    };
  }

  restore(state: WeightingState): void {
    checkWeightingState(state, 'dwa', this.numTasks);
    const s = state as DwaState;
    const bad = (m: string): Error => new CheckpointError(`dwa state: ${m}`);
    if (!Number.isSafeInteger(s.steps) || s.steps < 0) throw bad(`steps must be a non-negative integer, got ${String(s.steps)}`);
    const sums = checkNumbers(s.sums, this.numTasks, 'sums', bad);
    const counts = checkNumbers(s.counts, this.numTasks, 'counts', bad);
    const history = s.history;
    if (
      !Array.isArray(history) ||
      history.length > 2 ||
      !history.every(
        (h) =>
          Array.isArray(h) && h.length === this.numTasks && h.every((v) => v === null || (typeof v === 'number' && Number.isFinite(v))),
      )
    ) {
      throw bad(`history must be at most two lists of ${this.numTasks} mean losses (or null), got ${JSON.stringify(history)}`);
    }
    this.#steps = s.steps;
    this.#sums = sums;
    this.#counts = counts;
    this.#history = history.map((h) => [...h]);
    this.#last = this.#current();
  }

  dispose(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }
}
