/**
 * The interface the trainer uses for gradient surgery, and the saved states of its methods.
 *
 * Typical use on a subset of shared parameters (see ./jacobian.ts):
 * ```ts
 * const G = taskJacobian(losses, surgeryParams);      // (K, P), graph kept
 * backward([losses.sum()]);                           // heads (and other parameters) get ordinary gradients
 * assignGradients(surgeryParams, surgery.combine(G)); // the surgery parameters get the combined update instead
 * ```
 * MGDA-UB instead takes the Gramian of the gradients w.r.t. the shared representation Z and
 * back-propagates Σ_k w_k L_k: `w = surgery.weights(gramian(taskJacobian(losses, [Z])))`.
 */
import { CheckpointError } from '../../errors.js';
import type { Tensor } from '../../tensor/index.js';
import type { RngState } from '../../tensor/rng.js';

export const SURGERY_METHODS = ['pcgrad', 'cagrad', 'mgda', 'gradvac'] as const;
export type SurgeryMethod = (typeof SURGERY_METHODS)[number];

/** Combines K per-task gradients into one update; may keep state between steps (random order, GradVac's targets). */
export interface GradientSurgery extends Disposable {
  readonly method: SurgeryMethod;
  /** K: number of tasks. */
  readonly numTasks: number;
  /**
   * The task coefficients w of this step, so that the update is wᵀG; advances the state.
   * @param gramian M = GGᵀ (K, K) float32/float64 (see `gramian`).
   * @returns w (K) float64, on M's device.
   */
  weights(gramian: Tensor): Tensor;
  /**
   * The combined update of this step: `weights(GGᵀ)ᵀG`; advances the state.
   * @param jacobian G (K, P) float32/float64, row k the gradient of task k's loss.
   * @returns (P) in G's dtype, on G's device; not attached to any graph.
   */
  combine(jacobian: Tensor): Tensor;
  /** A JSON-able copy of the state (reads GradVac's targets from the device). */
  state(): SurgeryState;
  /** Continues from a saved state. @throws CheckpointError when it was saved by another method or for another K. */
  restore(state: SurgeryState): void;
  /** Frees the tensors the method holds (GradVac's targets). Idempotent. */
  dispose(): void;
}

export interface StatelessSurgeryState {
  readonly method: 'cagrad' | 'mgda';
  readonly numTasks: number;
}

export interface PcgradState {
  readonly method: 'pcgrad';
  readonly numTasks: number;
  /** The generator of the random task orders. */
  readonly rng: RngState;
}

export interface GradVacState {
  readonly method: 'gradvac';
  readonly numTasks: number;
  readonly rng: RngState;
  /** (K, K) the EMA similarity targets φ̂_ij (row i: task i's target towards task j; the diagonal is unused). */
  readonly targets: readonly (readonly number[])[];
}

export type SurgeryState = StatelessSurgeryState | PcgradState | GradVacState;

/** Checks that `state` was saved by `method` for `numTasks` tasks. */
export function checkSurgeryState(state: SurgeryState, method: SurgeryMethod, numTasks: number): void {
  const saved = state as { method?: unknown; numTasks?: unknown } | null;
  if (saved?.method !== method) {
    throw new CheckpointError(`the gradient-surgery state was saved by '${String(saved?.method)}', this run uses '${method}'`);
  }
  if (saved.numTasks !== numTasks) {
    throw new CheckpointError(
      `the ${method} state was saved for ${String(saved.numTasks)} tasks, this run has ${numTasks}; the task list changed since the checkpoint`,
    );
  }
}
