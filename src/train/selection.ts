/**
 * Model selection and early stopping: after each evaluation the selection metric either improves on
 * the best so far (the checkpoint becomes `best/`) or does not; after `patience` evaluations in a row
 * without improvement, training stops. Without early stopping the best checkpoint is still kept.
 */
import { CheckpointError } from '../errors.js';

/** The saved state (plain JSON, in trainer_state.json). */
export interface SelectionState {
  readonly metric: string;
  readonly mode: 'max' | 'min';
  readonly best: number | null;
  readonly bestStep: number | null;
  /** Evaluations since the last improvement. */
  readonly badEvals: number;
}

export class ModelSelector {
  #best: number | null = null;
  #bestStep: number | null = null;
  #badEvals = 0;

  /**
   * @param metric 'average' or '<task>.<metric>' (see `selectionValue`).
   * @param patience evaluations without improvement before stopping; null: never stop early.
   */
  constructor(
    readonly metric: string,
    readonly mode: 'max' | 'min',
    readonly patience: number | null,
  ) {}

  get best(): number | null {
    return this.#best;
  }

  get bestStep(): number | null {
    return this.#bestStep;
  }

  /**
   * Records the metric of the evaluation at `step`: whether it is a new best, and whether to stop. The
   * first evaluation is always the best so far; a NaN best (Spearman of constant predictions) is
   * beaten by any number, and a NaN value never beats a number.
   */
  update(value: number, step: number): { improved: boolean; stop: boolean } {
    const best = this.#best;
    const improved = best === null || (Number.isNaN(best) ? !Number.isNaN(value) : this.mode === 'max' ? value > best : value < best);
    if (improved) {
      this.#best = value;
      this.#bestStep = step;
      this.#badEvals = 0;
    } else {
      this.#badEvals++;
    }
    return { improved, stop: this.patience !== null && this.#badEvals >= this.patience };
  }

  state(): SelectionState {
    return { metric: this.metric, mode: this.mode, best: this.#best, bestStep: this.#bestStep, badEvals: this.#badEvals };
  }

  /** Continues from a saved state. @throws CheckpointError when it was saved for another metric or mode. */
  restore(state: SelectionState): void {
    if (state?.metric !== this.metric || state.mode !== this.mode) {
      throw new CheckpointError(
        `the checkpoint selected models by ${String(state?.metric)} (${String(state?.mode)}), this run by ${this.metric} (${this.mode}); resume with the same early_stopping metric and mode`,
      );
    }
    this.#best = state.best;
    this.#bestStep = state.bestStep;
    this.#badEvals = state.badEvals;
  }
}
