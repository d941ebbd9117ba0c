/**
 * The multi-task gain Δ over single-task learning: the average relative improvement of each task's
 * main metric over the single-task baseline, in percent,
 *
 *   Δ_m = (100 / K) · Σ_k (−1)^{l_k} · (M_{m,k} − M_{b,k}) / M_{b,k}
 *
 * with l_k = 1 when lower is better for task k's metric and 0 otherwise. Maninis, Radosavovic and
 * Kokkinos, "Attentive Single-Tasking of Multiple Tasks", CVPR 2019, §5 (eq. for Δ_m); computed the
 * same way by LibMTL (`count_improvement`) and Liu et al. (CAGrad, NeurIPS 2021, §5).
 */
import { ConfigError } from '../errors.js';

/** One task's main metric under a method and under its baseline. */
export interface TaskScore {
  readonly task: string;
  /** M_{m,k}: the method's value. */
  readonly value: number;
  /** M_{b,k}: the single-task baseline's value (non-zero). */
  readonly baseline: number;
  readonly greaterIsBetter: boolean;
}

/**
 * Δ_m in percent over the tasks given.
 * @throws ConfigError for no tasks, a zero or non-finite baseline, or a non-finite value.
 * @example
 *   multiTaskGain([
 *     { task: 'a', value: 0.9, baseline: 0.8, greaterIsBetter: true },   // +12.5 %
 *     { task: 'b', value: 2.0, baseline: 2.5, greaterIsBetter: false },  // +20 % (lower is better)
 *   ]); // 16.25
 */
export function multiTaskGain(scores: readonly TaskScore[]): number {
  if (scores.length === 0) throw new ConfigError('the multi-task gain needs at least one task');
  let sum = 0;
  for (const s of scores) {
    if (!Number.isFinite(s.baseline) || s.baseline === 0)
      throw new ConfigError(
        `task '${s.task}': the single-task baseline's metric is ${s.baseline}; Δ divides by it, so it must be finite and non-zero`,
      );
    if (!Number.isFinite(s.value)) throw new ConfigError(`task '${s.task}': the metric is ${s.value}, not a finite number`);
    const relative = (s.value - s.baseline) / s.baseline;
    sum += s.greaterIsBetter ? relative : -relative;
  }
  return (100 * sum) / scores.length;
}
