/**
 * Ranking metrics for link prediction: the (filtered) rank of a true entity among candidates, and
 * MRR / mean rank / Hits@k over a list of ranks (Bordes et al., NeurIPS 2013, "filtered" setting).
 *
 * Ties: a candidate scoring exactly as the true entity could be placed before or after it. Ranks here
 * are 'realistic' by default: the mean of the optimistic rank (1 + #better) and the pessimistic one
 * (1 + #better + #tied), as PyKEEN's default and LibKGE's "mean" tie policy (Berrendorf et al., "On the
 * Ambiguity of Rank-Based Evaluation of Entity Alignment or Link Prediction Methods", 2020). The RotatE
 * code breaks ties by sort order instead, which makes a model that scores everything equally look good.
 */
import { ConfigError } from '../errors.js';

/** How tied candidates count: 'realistic' (mean of the other two), 'optimistic', 'pessimistic'. */
export type TiePolicy = 'realistic' | 'optimistic' | 'pessimistic';

/**
 * The rank given the number of candidates scoring strictly higher (`better`) and exactly the same
 * (`tied`, the true entity itself not counted).
 */
export function rankFromCounts(better: number, tied: number, ties: TiePolicy = 'realistic'): number {
  switch (ties) {
    case 'optimistic':
      return 1 + better;
    case 'pessimistic':
      return 1 + better + tied;
    case 'realistic':
      return 1 + better + tied / 2;
    default:
      throw new ConfigError(`ties must be 'realistic', 'optimistic' or 'pessimistic', got ${JSON.stringify(ties)}`);
  }
}

/**
 * The filtered rank of candidate `target` (plain-array reference definition): 1 + the number of
 * candidates e ≠ target, not in `filtered`, with scores[e] > scores[target] (ties per `ties`).
 * `filtered` holds the other known true candidates (it may contain `target`, which is ignored).
 * @param scores (E,) one score per candidate, higher = more plausible.
 */
export function filteredRank(
  scores: ArrayLike<number>,
  target: number,
  filtered: ReadonlySet<number> = new Set(),
  ties: TiePolicy = 'realistic',
): number {
  if (!Number.isInteger(target) || target < 0 || target >= scores.length) {
    throw new ConfigError(`target must be a candidate index in [0, ${scores.length}), got ${target}`);
  }
  const s = scores[target]!;
  let better = 0;
  let tied = 0;
  for (let e = 0; e < scores.length; e++) {
    if (e === target || filtered.has(e)) continue;
    if (scores[e]! > s) better++;
    else if (scores[e] === s) tied++;
  }
  return rankFromCounts(better, tied, ties);
}

/** MRR, mean rank and Hits@k of a set of ranks. */
export interface RankingMetrics {
  /** Mean reciprocal rank, mean of 1/rank. */
  mrr: number;
  /** Mean rank. */
  meanRank: number;
  /** Hits@k: the fraction of ranks ≤ k, by k. */
  hits: Record<number, number>;
  /** Number of ranks. */
  count: number;
}

/**
 * MRR, mean rank and Hits@k (k in `ks`, default 1, 3, 10) over `ranks` (each ≥ 1; realistic ranks may be x.5).
 * @example
 *   rankingMetrics([1, 2, 4]).mrr; // (1 + 1/2 + 1/4) / 3 = 0.5833…
 */
export function rankingMetrics(ranks: readonly number[], ks: readonly number[] = [1, 3, 10]): RankingMetrics {
  if (ranks.length === 0) throw new ConfigError('rankingMetrics needs at least one rank, got none');
  let rr = 0;
  let sum = 0;
  const hits: Record<number, number> = {};
  for (const k of ks) hits[k] = 0;
  ranks.forEach((r, i) => {
    if (!(r >= 1)) throw new ConfigError(`ranks must be ≥ 1, got ${r} at index ${i}`);
    rr += 1 / r;
    sum += r;
    for (const k of ks) if (r <= k) hits[k]!++;
  });
  for (const k of ks) hits[k] = hits[k]! / ranks.length;
  return { mrr: rr / ranks.length, meanRank: sum / ranks.length, hits, count: ranks.length };
}
