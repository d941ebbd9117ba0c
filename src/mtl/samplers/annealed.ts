/**
 * Annealed sampling: Stickland and Murray, "BERT and PALs: Projected Attention Layers for Efficient
 * Adaptation in Multi-Task Learning", ICML 2019, §4 ("annealed sampling"). Task k is drawn with
 *
 *   p_k ∝ N_k^α,   α = 1 − 0.8·(e − 1)/(E − 1)
 *
 * where e is the current epoch of E: training starts examples-proportional (α = 1) and ends close to
 * uniform (α = 0.2), so large tasks dominate early and small tasks are not over-fitted late only.
 * Here the run's progress replaces the epoch count: at draw t of T planned draws α = 1 − 0.8·t/(T − 1)
 * (the paper's schedule with every draw its own "epoch"; the same end points, changing smoothly).
 */
import { CheckpointError, ConfigError } from '../../errors.js';
import { Rng } from '../../tensor/rng.js';
import { checkTaskSizes, drawIndex, type AnnealedSamplerState, type TaskSampler, type TaskSamplerState } from './sampler.js';
import { temperatureRates } from './temperature.js';

/**
 * α at draw t of T: 1 − 0.8·t/(T − 1), held at 0.2 after the last planned draw (1 when T = 1).
 * @example annealExponent(0, 11) // 1;  annealExponent(10, 11) // 0.2
 */
export function annealExponent(draw: number, totalDraws: number): number {
  if (totalDraws <= 1) return 1;
  return 1 - 0.8 * Math.min(1, draw / (totalDraws - 1));
}

/** The rates p_k ∝ N_k^α at draw t of T (K). */
export function annealedRates(sizes: readonly number[], draw: number, totalDraws: number): number[] {
  return temperatureRates(sizes, { temperature: 1 / annealExponent(draw, totalDraws) });
}

export class AnnealedSampler implements TaskSampler {
  readonly kind = 'annealed' as const;
  readonly sizes: readonly number[];
  readonly totalDraws: number;
  #rng: Rng;
  #draws = 0;

  /**
   * @param sizes (K) training examples per task, positive integers.
   * @param totalDraws T: the draws the run will make (optimizer steps × micro-batches per step), a positive integer.
   * @param seed seeds the generator.
   * @throws ConfigError for bad sizes or T.
   * @example
   *   const s = new AnnealedSampler([13084, 9003, 67349], 1000, 42);
   *   s.probabilities; // at the start: proportional to the sizes
   */
  constructor(sizes: readonly number[], totalDraws: number, seed: number) {
    checkTaskSizes(sizes);
    if (!Number.isSafeInteger(totalDraws) || totalDraws < 1)
      throw new ConfigError(`the annealed sampler needs the number of draws of the run (a positive integer), got ${String(totalDraws)}`);
    this.sizes = Object.freeze([...sizes]);
    this.totalDraws = totalDraws;
    this.#rng = new Rng(seed);
  }

  /** (K) the probabilities of the next draw. */
  get probabilities(): readonly number[] {
    return annealedRates(this.sizes, this.#draws, this.totalDraws);
  }

  next(): number {
    const k = drawIndex(this.probabilities, this.#rng.float());
    this.#draws++;
    return k;
  }

  state(): AnnealedSamplerState {
    return { kind: 'annealed', sizes: [...this.sizes], totalDraws: this.totalDraws, rng: this.#rng.state(), draws: this.#draws };
  }

  restore(state: TaskSamplerState): void {
    if (state?.kind !== 'annealed')
      throw new CheckpointError(`the sampler state was saved by a '${String(state?.kind)}' sampler, this run uses 'annealed'`);
    const s = state;
    if (!Array.isArray(s.sizes) || s.sizes.length !== this.sizes.length || s.sizes.some((n, k) => n !== this.sizes[k]))
      throw new CheckpointError(
        `the sampler state was saved for task sizes [${String(s.sizes)}], this run has [${this.sizes.join(', ')}]; the training sets changed since the checkpoint`,
      );
    if (!Number.isSafeInteger(s.draws) || s.draws < 0)
      throw new CheckpointError(`sampler state: draws must be a non-negative integer, got ${String(s.draws)}`);
    this.#rng = Rng.fromState(s.rng);
    this.#draws = s.draws;
  }
}
