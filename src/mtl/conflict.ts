/**
 * Measures of conflict between task gradients on the shared parameters, from the Gramian M = GGᵀ
 * (K, K) of the per-task gradients g_k (./surgery/gramian.ts): for each pair of tasks (i, j), i < j,
 * the cosine similarity cos(g_i, g_j) = M_ij / √(M_ii M_jj) (negative: the tasks pull the shared
 * parameters apart; PCGrad's "conflicting gradients", Yu et al., NeurIPS 2020, Definition 1) and the
 * norm ratio ‖g_i‖ / ‖g_j‖ (far from 1: one task dominates the shared update; Yu et al.'s "gradient
 * magnitude" condition).
 */
import { ShapeError } from '../errors.js';

/** One pair's measures. */
export interface PairConflict {
  readonly cosine: number | null;
  readonly norm_ratio: number | null;
}

/** The conflicts of every task pair, keyed `<task i>~<task j>` (i before j in `tasks`), and each task's gradient norm. */
export interface GradientConflicts {
  readonly pairs: Record<string, PairConflict>;
  readonly norms: Record<string, number>;
}

/**
 * @param tasks the K task names, in G's row order.
 * @param gram M (K, K) as rows: M_ij = g_i · g_j.
 * @returns null for a measure a zero gradient leaves undefined (the cosine of a pair with one, the ratio over one).
 * @throws ShapeError when `gram` is not K × K.
 */
export function gradientConflicts(tasks: readonly string[], gram: readonly (readonly number[])[]): GradientConflicts {
  const k = tasks.length;
  if (gram.length !== k || gram.some((row) => row.length !== k))
    throw new ShapeError(`gradientConflicts: the Gramian must be ${k} × ${k} (one row and column per task), got ${gram.length} rows`);
  const norm = (i: number) => Math.sqrt(Math.max(0, gram[i]![i]!));
  const pairs: Record<string, PairConflict> = {};
  for (let i = 0; i < k; i++)
    for (let j = i + 1; j < k; j++) {
      const [a, b] = [norm(i), norm(j)];
      pairs[`${tasks[i]}~${tasks[j]}`] = { cosine: a > 0 && b > 0 ? gram[i]![j]! / (a * b) : null, norm_ratio: b > 0 ? a / b : null };
    }
  return { pairs, norms: Object.fromEntries(tasks.map((t, i) => [t, norm(i)])) };
}
