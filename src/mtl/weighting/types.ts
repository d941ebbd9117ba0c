/**
 * The interface the trainer uses for loss weighting, the saved states of its methods and the checks
 * they share.
 *
 * Each step: `total = weighting.combine(losses)` turns the per-task losses into the scalar to
 * back-propagate; `weighting.parameters()` (uncertainty's log-variances) go to the optimizer, with
 * weight decay 0; `weighting.weights()` gives the task weights for metrics.jsonl; `state()` goes to
 * trainer_state.json and `restore()` takes it back on resume.
 */
import { CheckpointError, ConfigError, ShapeError } from '../../errors.js';
import { tensor, tidy, type Tensor } from '../../tensor/index.js';
import type { RngState } from '../../tensor/rng.js';

export const WEIGHTING_METHODS = ['static', 'uncertainty', 'gradnorm', 'dwa', 'random'] as const;
export type WeightingMethod = (typeof WEIGHTING_METHODS)[number];

export interface LossWeighting extends Disposable {
  readonly method: WeightingMethod;
  /** K: number of tasks. */
  readonly numTasks: number;
  /**
   * The scalar loss of this step; advances the method's state (loss history, GradNorm's weights, random draws).
   * @param losses (K') float, attached to the graph: the loss of each task in `tasks`.
   * @param tasks the task indices of `losses` (distinct, in [0, K)); default all K in order. A
   *   schedule that trains one task per step passes that task's index.
   * @returns 0-d: Σ_k w_k·L_k, plus the method's own terms (uncertainty's Σ s_k).
   */
  combine(losses: Tensor, tasks?: readonly number[]): Tensor;
  /**
   * `combine` in two halves, for a method whose state update reads measurements of the batch (DWA's
   * losses, GradNorm's losses and per-task gradients on W) that a data-parallel run averages over the
   * ranks first (src/distributed/data-parallel.ts), so every rank updates alike. `combine` is this with
   * `update(measured)` right away. Absent: the method's state does not depend on the batch.
   */
  combineDeferred?(losses: Tensor, tasks?: readonly number[]): DeferredCombine;
  /** (K) the weight of each task's loss in the latest `combine` (before any: in the next), for logging. */
  weights(): number[];
  /** Tensors the optimizer must train along with the model (uncertainty's log-variances); the weighting owns them. */
  parameters(): Tensor[];
  /** A JSON-able copy of the state. */
  state(): WeightingState;
  /** Continues from a saved state. @throws CheckpointError when it was saved by another method or for another K. */
  restore(state: WeightingState): void;
  /** Frees the tensors the weighting owns. Idempotent. */
  dispose(): void;
}

/** A step's combination whose state update waits for the measurements' average over the ranks. */
export interface DeferredCombine {
  /** 0-d, attached to the graph: Σ_k w_k·L_k with this step's weights (those from before the update). */
  readonly total: Tensor;
  /** This rank's measurements the update reads (detached; freed by the caller's scope after `update`). */
  readonly measured: Tensor[];
  /**
   * Advances the state from `measured` (in place: their mean over the ranks in a data-parallel run, as
   * measured in one process). Call once, inside a tidy scope.
   */
  update(): void;
}

export interface StaticState {
  readonly method: 'static';
  readonly numTasks: number;
  readonly weights: readonly number[];
}

export interface UncertaintyState {
  readonly method: 'uncertainty';
  readonly numTasks: number;
  /** (K) s_k = log σ_k². */
  readonly logVariances: readonly number[];
}

export interface GradNormState {
  readonly method: 'gradnorm';
  readonly numTasks: number;
  /** (K) the current weights, summing to K. */
  readonly weights: readonly number[];
  /** (K) the losses of the first step, L_k(0); null before it. */
  readonly initialLosses: readonly number[] | null;
}

export interface DwaState {
  readonly method: 'dwa';
  readonly numTasks: number;
  /** Steps combined so far. */
  readonly steps: number;
  /** (K) Σ of each task's losses in the current period, and how many there were. */
  readonly sums: readonly number[];
  readonly counts: readonly number[];
  /** Mean losses of the last two completed periods, older first (null: the task had no loss in it); fewer at the start. */
  readonly history: readonly (readonly (number | null)[])[];
}

export interface RandomState {
  readonly method: 'random';
  readonly numTasks: number;
  readonly rng: RngState;
  /** (K) the latest draw's weights. */
  readonly weights: readonly number[];
}

export type WeightingState = StaticState | UncertaintyState | GradNormState | DwaState | RandomState;

/** Checks that K is a positive integer. */
export function checkNumTasks(numTasks: number, method: WeightingMethod): void {
  if (!Number.isSafeInteger(numTasks) || numTasks < 1)
    throw new ConfigError(`${method} weighting needs K ≥ 1 tasks, got ${String(numTasks)}`);
}

/**
 * Checks `losses` (K') against `tasks` and returns the task indices (0…K−1 when `tasks` is undefined).
 * @throws ShapeError for a non-vector or a length that does not match; ConfigError for bad indices.
 */
export function checkLosses(losses: Tensor, tasks: readonly number[] | undefined, numTasks: number, method: WeightingMethod): number[] {
  const shape = losses.shape;
  const indices = tasks ? [...tasks] : Array.from({ length: numTasks }, (_, k) => k);
  if (shape.length !== 1 || shape[0] !== indices.length) {
    throw new ShapeError(
      `${method} weighting: the losses must be a vector of ${indices.length} (${tasks ? 'one per task in `tasks`' : 'one per task'}), got shape [${shape.join(', ')}]; stack the task losses`,
    );
  }
  const dtype = losses.dtype;
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'float16' && dtype !== 'bfloat16')
    throw new ShapeError(`${method} weighting: the losses must be floating point, got ${dtype}`);
  if (
    indices.length === 0 ||
    new Set(indices).size !== indices.length ||
    !indices.every((k) => Number.isInteger(k) && k >= 0 && k < numTasks)
  ) {
    throw new ConfigError(
      `${method} weighting: tasks must be distinct indices in [0, ${numTasks}), at least one, got [${indices.join(', ')}]`,
    );
  }
  return indices;
}

/** Checks that `state` was saved by `method` for `numTasks` tasks. */
export function checkWeightingState(state: WeightingState, method: WeightingMethod, numTasks: number): void {
  const saved = state as { method?: unknown; numTasks?: unknown } | null;
  if (saved?.method !== method)
    throw new CheckpointError(`the loss-weighting state was saved by '${String(saved?.method)}', this run uses '${method}'`);
  if (saved.numTasks !== numTasks) {
    throw new CheckpointError(
      `the ${method} weighting state was saved for ${String(saved.numTasks)} tasks, this run has ${numTasks}; the task list changed since the checkpoint`,
    );
  }
}

/** Checks that `v` is an array of K finite numbers (`what` names it in the error). */
export function checkNumbers(v: unknown, numTasks: number, what: string, make: (msg: string) => Error): number[] {
  if (!Array.isArray(v) || v.length !== numTasks || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
    throw make(`${what} must be ${numTasks} finite numbers, got ${JSON.stringify(v)}`);
  return [...(v as number[])];
}

/** Σ_k w_k·L_k (0-d), the weights (host numbers) placed on the losses' device and dtype. */
export function weightedSum(losses: Tensor, weights: readonly number[]): Tensor {
  return tidy(() => losses.mul(tensor([...weights], { dtype: losses.dtype, device: losses.device })).sum());
}
