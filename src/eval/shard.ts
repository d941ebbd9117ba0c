/**
 * Sharded evaluation: with N ranks, rank r evaluates batches r, r + N, … of a split (the batches one
 * process would cut), and the ranks all-gather what each batch gave; every rank then folds the
 * batches' predictions and losses in batch order, exactly as one process evaluating every batch does,
 * so the metrics are the one-process metrics, to the bit.
 */
import type { Tensor } from '../tensor/index.js';

/** The ranks an evaluation is split over (a DataParallel is one). Every rank calls its methods at the same points. */
export interface EvalShard {
  readonly rank: number;
  readonly worldSize: number;
  /** Every rank's `value` (plain JSON), in rank order. */
  allGather(value: unknown): Promise<unknown[]>;
  /** Gives every rank's `params` rank 0's values, in place. */
  broadcastParameters(params: readonly Tensor[]): Promise<void>;
}

/** What one evaluation batch gave: its position in the split's batch order, and per task its predictions and loss. */
export interface BatchOutcome<P> {
  readonly batch: number;
  readonly predictions: Record<string, P[]>;
  /** task → [mean loss of the batch, rows]; absent for batches without labels or with a non-finite loss. */
  readonly losses: Record<string, [number, number]>;
}

/** Whether batch `index` is this rank's to evaluate (every batch without a shard). */
export const ownsBatch = (shard: EvalShard | undefined, index: number): boolean =>
  shard === undefined || index % shard.worldSize === shard.rank;

/** Every rank's batch outcomes, in batch order (this rank's own without a shard). */
export async function gatherOutcomes<P>(shard: EvalShard | undefined, own: BatchOutcome<P>[]): Promise<BatchOutcome<P>[]> {
  if (shard === undefined) return own;
  const all = (await shard.allGather(own)) as BatchOutcome<P>[][];
  return all.flat().sort((a, b) => a.batch - b.batch);
}

/**
 * Predictions per task, concatenated in batch order, and summed loss (mean × rows) and rows per task,
 * accumulated in batch order.
 */
export function foldOutcomes<P>(
  names: readonly string[],
  outcomes: readonly BatchOutcome<P>[],
): { predictions: Map<string, P[]>; loss: Map<string, { sum: number; n: number }> } {
  const predictions = new Map<string, P[]>(names.map((n) => [n, []]));
  const loss = new Map<string, { sum: number; n: number }>(names.map((n) => [n, { sum: 0, n: 0 }]));
  for (const o of outcomes) {
    for (const name of names) {
      predictions.get(name)!.push(...(o.predictions[name] ?? []));
      const l = o.losses[name];
      if (l === undefined) continue;
      const acc = loss.get(name)!;
      [acc.sum, acc.n] = [acc.sum + l[0] * l[1], acc.n + l[1]];
    }
  }
  return { predictions, loss };
}
