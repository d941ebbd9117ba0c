/**
 * Filtered ranks of link-prediction queries, computed in chunks of candidate entities so that memory
 * stays O(B·C) whatever the entity count: for each query (h, r, ?) or (?, r, t), the true entity's rank
 * among all E entities with the other known true triples left out (Bordes et al., NeurIPS 2013). The
 * rank definition (and its tie policy) is `filteredRank` in src/metrics/ranking.ts; this file computes
 * the same number from tensors.
 */
import { ConfigError, MtlError } from '../../errors.js';
import type { Triple } from '../../data/readers/triples.js';
import { rankFromCounts, type TiePolicy } from '../../metrics/ranking.js';
import { abs, arange, eq, gt, index, le, noGrad, nonzero, sub, sum, tensor, tidy, unsqueeze, type Tensor } from '../../tensor/index.js';
import type { KnownTriples } from './known-triples.js';
import type { CorruptSide } from './scoring.js';

/** What a link-prediction model offers for ranking. */
export interface CandidateScorer {
  /**
   * Scores each query with every candidate filling `side`.
   * @param queries B triples; the entity on `side` is ignored.
   * @param candidates (C,) int64 entity ids.
   * @returns (B, C) float scores, higher = more plausible.
   */
  scoreCandidates(queries: readonly Triple[], side: CorruptSide, candidates: Tensor): Tensor;
}

export interface FilteredRankOptions {
  /** Entity count E. */
  numEntities: number;
  /** Known true triples to filter out; omit for raw ranks. */
  known?: KnownTriples;
  /** Queries per step (B), default 64. */
  batchSize?: number;
  /** Candidates per chunk (C), default 8192: the score block is B·C floats. */
  chunkSize?: number;
  /** Default 'realistic' (see src/metrics/ranking.ts). */
  ties?: TiePolicy;
}

/**
 * The filtered rank of each triple's `side` entity among all entities.
 * The true entity's score is its own in-chunk score, and the true entity and the filtered ones are
 * removed from the counts using their in-chunk scores, so the result equals `filteredRank` over the
 * full score row, exact ties included (see `batchCounts`).
 * @returns one rank per triple, in order.
 */
export function filteredRanks(
  scorer: CandidateScorer,
  triples: readonly Triple[],
  side: CorruptSide,
  options: FilteredRankOptions,
): number[] {
  const { numEntities: E, known, batchSize = 64, chunkSize = 8192, ties = 'realistic' } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new ConfigError(`chunkSize must be a positive integer, got ${chunkSize}`);
  const ranks: number[] = [];
  noGrad(() => {
    for (let b0 = 0; b0 < triples.length; b0 += batchSize) {
      const batch = triples.slice(b0, b0 + batchSize);
      const counts = batchCounts(scorer, batch, side, E, chunkSize, known);
      for (let i = 0; i < batch.length; i++) ranks.push(rankFromCounts(counts.better[i]!, counts.tied[i]!, ties));
    }
  });
  return ranks;
}

/**
 * Candidates whose score lies within this relative distance of the provisional target score are
 * recounted against the exact one (scores of one entity from two differently shaped score blocks
 * differ in their last bits, far below this).
 */
const NEAR = 1e-4;

/**
 * For each query of `batch`: how many non-filtered candidates score above / the same as the true
 * entity. The true entity's score that counts is its own score in the chunk that holds it, so that
 * exact ties with other candidates are seen as ties. While the chunks go by, candidates are sorted
 * against a provisional target score (a (B, B) block with the targets as candidates); those within
 * `NEAR` of it are kept and recounted once the exact score is known, and the excluded entities
 * (the true one and the other known fillers) are taken out against the exact score.
 */
function batchCounts(
  scorer: CandidateScorer,
  batch: readonly Triple[],
  side: CorruptSide,
  E: number,
  chunkSize: number,
  known?: KnownTriples,
) {
  const B = batch.length;
  const targets = batch.map((t) => (side === 'tail' ? t.tail : t.head));
  for (const e of targets) if (e < 0 || e >= E) throw new ConfigError(`entity id ${e} is outside [0, ${E})`);
  const provisional = tidy(() => {
    const block = scorer.scoreCandidates(batch, side, tensor(targets, { dtype: 'int64' })); // (B, B)
    return index(block, [arange(0, B, 1, { dtype: 'int64' }), arange(0, B, 1, { dtype: 'int64' })]).toFlatArray() as number[]; // (B,) diagonal
  });
  const radius = provisional.map((t) => NEAR * Math.max(1, Math.abs(t)));
  // Entities to leave out of each query's counts: the true entity and every other known true filler.
  const excluded = batch.map((t, i) => [...new Set([targets[i]!, ...(known?.trueFillers(t, side) ?? [])])]);
  const better = new Array<number>(B).fill(0);
  const tied = new Array<number>(B).fill(0);
  const near: number[][] = batch.map(() => []);
  const excludedScores: number[][] = batch.map(() => []);
  const exact = new Array<number>(B).fill(NaN);
  for (let start = 0; start < E; start += chunkSize) {
    const count = Math.min(chunkSize, E - start);
    tidy(() => {
      const scores = scorer.scoreCandidates(batch, side, arange(start, start + count, 1, { dtype: 'int64' })); // (B, C)
      const t = unsqueeze(tensor(provisional), 1); // (B, 1)
      const g = sum(gt(scores, t), 1).toFlatArray() as number[];
      const q = sum(eq(scores, t), 1).toFlatArray() as number[];
      const nearRows = nonzero(le(abs(sub(scores, t)), unsqueeze(tensor(radius), 1))).toFlatArray() as number[]; // (n, 2) row, column
      const rows: number[] = [];
      const cols: number[] = [];
      for (let k = 0; k < nearRows.length; k += 2) {
        rows.push(nearRows[k]!);
        cols.push(nearRows[k + 1]!);
      }
      const excludedAt = rows.length;
      excluded.forEach((es, i) => es.forEach((e) => e >= start && e < start + count && (rows.push(i), cols.push(e - start))));
      const vals =
        rows.length === 0
          ? []
          : (index(scores, [tensor(rows, { dtype: 'int64' }), tensor(cols, { dtype: 'int64' })]).toFlatArray() as number[]);
      for (let i = 0; i < B; i++) {
        better[i]! += g[i]!;
        tied[i]! += q[i]!;
      }
      vals.forEach((v, k) => {
        const i = rows[k]!;
        if (k < excludedAt) near[i]!.push(v);
        else {
          excludedScores[i]!.push(v);
          if (start + cols[k]! === targets[i]) exact[i] = v;
        }
      });
    });
  }
  for (let i = 0; i < B; i++) {
    const t = exact[i]!;
    const p = provisional[i]!;
    if (!(Math.abs(t - p) <= radius[i]!)) {
      throw new MtlError(
        'ERR_RANKING',
        `filtered ranks: the true entity ${targets[i]} scored ${t} in its chunk but ${p} in the target block; ` +
          'the scorer must give an entity the same score (up to rounding) whatever the candidates beside it',
      );
    }
    for (const v of near[i]!) {
      // recount against the exact score: undo the provisional verdict, apply the exact one
      if (v > p) better[i]!--;
      else if (v === p) tied[i]!--;
      if (v > t) better[i]!++;
      else if (v === t) tied[i]!++;
    }
    for (const v of excludedScores[i]!) {
      if (v > t) better[i]!--;
      else if (v === t) tied[i]!--;
    }
  }
  return { better, tied };
}
