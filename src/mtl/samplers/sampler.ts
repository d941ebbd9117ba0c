/**
 * The task-sampler interface: which task each training step draws its batch from. Samplers of a
 * dozen lines each behind one interface, as jiant's `components/task_sampler.py`; every sampler's
 * state is plain JSON, so `--resume` continues with the same task order.
 */
import { CheckpointError, ConfigError } from '../../errors.js';
import { Rng, type RngState } from '../../tensor/rng.js';

/** The saved state of a sampler that draws tasks at random with fixed probabilities. */
export interface WeightedSamplerState {
  readonly kind: 'proportional' | 'temperature' | 'fixed';
  /** (K) the probability of each task; restore refuses a state made for other probabilities. */
  readonly probabilities: readonly number[];
  readonly rng: RngState;
  /** Tasks drawn so far. */
  readonly draws: number;
}

/** The saved state of the round-robin sampler. */
export interface RoundRobinState {
  readonly kind: 'uniform';
  /** K: number of tasks. */
  readonly numTasks: number;
  /** Tasks drawn so far; the next task is `draws % numTasks`. */
  readonly draws: number;
}

/** The saved state of the annealed sampler. */
export interface AnnealedSamplerState {
  readonly kind: 'annealed';
  /** (K) training examples per task; restore refuses a state made for other sizes. */
  readonly sizes: readonly number[];
  /** Draws planned in the whole run (T). */
  readonly totalDraws: number;
  readonly rng: RngState;
  /** Tasks drawn so far (t). */
  readonly draws: number;
}

export type TaskSamplerState = WeightedSamplerState | RoundRobinState | AnnealedSamplerState;

/** Picks the task of each training step. */
export interface TaskSampler {
  readonly kind: TaskSamplerState['kind'];
  /** (K) the long-run share of steps of each task. */
  readonly probabilities: readonly number[];
  /** The index (into the task list) of the next step's task. */
  next(): number;
  /** A JSON-able copy of the state. */
  state(): TaskSamplerState;
  /** Continues from a saved state. @throws CheckpointError when it was saved by another kind of sampler or for other tasks. */
  restore(state: TaskSamplerState): void;
}

/** Checks that `sizes` (examples per task) is a non-empty list of positive integers. */
export function checkTaskSizes(sizes: readonly number[]): void {
  if (sizes.length === 0) throw new ConfigError('a task sampler needs at least one task, got an empty list of task sizes');
  sizes.forEach((n, k) => {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new ConfigError(`task ${k} has ${String(n)} training examples; every task needs a positive integer number of examples`);
    }
  });
}

/**
 * Inverse-CDF sampling: the first k with u < p_0 + … + p_k (the last task of non-zero probability
 * when rounding leaves u above the sum).
 * @param probabilities (K) summing to 1. @param u a uniform draw in [0, 1).
 */
export function drawIndex(probabilities: readonly number[], u: number): number {
  const last = probabilities.findLastIndex((p) => p > 0);
  let acc = 0;
  for (let k = 0; k < last; k++) {
    acc += probabilities[k] as number;
    if (u < acc) return k;
  }
  return last;
}

/** Draws task k with probability `probabilities[k]` (inverse-CDF sampling with one uniform per draw). */
export class WeightedTaskSampler implements TaskSampler {
  readonly kind: WeightedSamplerState['kind'];
  readonly probabilities: readonly number[];
  /** (K) cumulative probabilities, forced to 1 from the last task of non-zero probability on, so rounding never picks past it. */
  readonly #cdf: number[];
  #rng: Rng;
  #draws = 0;

  /** @param probabilities (K) non-negative, summing to 1 (within 1e-9). @param seed the generator's seed. */
  constructor(kind: WeightedSamplerState['kind'], probabilities: readonly number[], seed: number) {
    const sum = probabilities.reduce((a, b) => a + b, 0);
    if (probabilities.length === 0 || probabilities.some((p) => !(p >= 0)) || Math.abs(sum - 1) > 1e-9) {
      throw new ConfigError(`task probabilities must be non-negative and sum to 1, got [${probabilities.join(', ')}]`);
    }
    this.kind = kind;
    this.probabilities = Object.freeze([...probabilities]);
    let acc = 0;
    this.#cdf = probabilities.map((p) => (acc += p));
    const last = probabilities.findLastIndex((p) => p > 0);
    for (let k = last; k < this.#cdf.length; k++) this.#cdf[k] = 1;
    this.#rng = new Rng(seed);
  }

  next(): number {
    const u = this.#rng.float();
    this.#draws++;
    let k = 0;
    while (u >= (this.#cdf[k] as number)) k++;
    return k;
  }

  state(): WeightedSamplerState {
    return { kind: this.kind, probabilities: [...this.probabilities], rng: this.#rng.state(), draws: this.#draws };
  }

  restore(state: TaskSamplerState): void {
    if (state?.kind !== this.kind) {
      throw new CheckpointError(`the sampler state was saved by a '${String(state?.kind)}' sampler, this run uses '${this.kind}'`);
    }
    const saved = (state as WeightedSamplerState).probabilities;
    if (!Array.isArray(saved) || saved.length !== this.probabilities.length || saved.some((p, k) => p !== this.probabilities[k])) {
      throw new CheckpointError(
        `the sampler state was saved for task probabilities [${String(saved)}], this run has [${this.probabilities.join(', ')}]; ` +
          'the tasks or their training sets changed since the checkpoint, so the task order cannot continue',
      );
    }
    const draws = (state as WeightedSamplerState).draws;
    if (!Number.isSafeInteger(draws) || draws < 0)
      throw new CheckpointError(`sampler state: draws must be a non-negative integer, got ${String(draws)}`);
    this.#rng = Rng.fromState((state as WeightedSamplerState).rng);
    this.#draws = draws;
  }
}
