/**
 * Asynchronous successive halving (ASHA: Li, Jamieson, Rostamizadeh, Gonina, Ben-tzur, Hardt, Recht &
 * Talwalkar, "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020, Algorithm 2). Trials
 * are trained to rung budgets r, rη, rη², … (optimizer steps) up to the full budget R; whenever a worker
 * is free, the highest rung k holding a trial that is among the best ⌊n_k/η⌋ of the n_k trials
 * that finished rung k and has not gone on yet is promoted to rung k+1; otherwise a new trial starts at
 * rung 0. Unlike synchronous successive halving nobody waits for a rung to fill.
 */
import { ConfigError } from '../../errors.js';

/**
 * The rung budgets: r·η^k for k = 0, 1, … while below `maxSteps`, then `maxSteps` (R) itself.
 * @throws ConfigError unless 1 ≤ r ≤ R and η ≥ 2.
 */
export function rungBudgets(minSteps: number, reductionFactor: number, maxSteps: number): number[] {
  if (!(Number.isInteger(minSteps) && minSteps >= 1 && minSteps <= maxSteps))
    throw new ConfigError(`asha.min_steps (${minSteps}) must be an integer from 1 to the trials' max_steps (${maxSteps})`);
  if (!(reductionFactor >= 2)) throw new ConfigError(`asha.reduction_factor (η, ${reductionFactor}) must be at least 2`);
  const budgets: number[] = [];
  for (let b = minSteps; b < maxSteps; b = Math.round(b * reductionFactor)) budgets.push(b);
  budgets.push(maxSteps);
  return budgets;
}

/** What the promotion rule needs of a trial. */
export interface RungRecord {
  readonly id: number;
  /** The dev metric at the end of each rung the trial finished (index = rung). */
  readonly values: readonly number[];
  /** The rung the trial trains towards or has last finished. */
  readonly rung: number;
  /** Whether the trial can go on (false once its run ended: early stopping, the last rung, a failure). */
  readonly open: boolean;
}

/**
 * ASHA's promotion (Algorithm 2, get_job): from the top rung but one down to rung 0, the trials that
 * finished rung k ranked best first (`mode`; ties by id), the first ⌊n_k/η⌋ of them are the rung's
 * top; the best of those still waiting at rung k (not promoted before, still open) goes to k+1.
 * @param numRungs rungs in all (the last is the full budget).
 * @returns the trial and the rung it is promoted to, or undefined when none is promotable.
 */
export function ashaPromotion(
  trials: readonly RungRecord[],
  numRungs: number,
  reductionFactor: number,
  mode: 'max' | 'min',
): { id: number; rung: number } | undefined {
  const better = (a: RungRecord, b: RungRecord, k: number) => {
    const d = mode === 'max' ? b.values[k]! - a.values[k]! : a.values[k]! - b.values[k]!;
    return d !== 0 ? d : a.id - b.id;
  };
  for (let k = numRungs - 2; k >= 0; k--) {
    const finished = trials.filter((t) => t.values.length > k && Number.isFinite(t.values[k])).sort((a, b) => better(a, b, k));
    const top = finished.slice(0, Math.floor(finished.length / reductionFactor));
    const waiting = top.find((t) => t.rung === k && t.open);
    if (waiting !== undefined) return { id: waiting.id, rung: k + 1 };
  }
  return undefined;
}
