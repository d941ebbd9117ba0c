/**
 * `KgEmbeddingModel`: free entity and relation embeddings with a scoring function (TransE, DistMult,
 * ComplEx, RotatE), as in the RotatE repository's KGEModel. Parameters `entity` (E, D) and
 * `relation` (R, Dr), Dr = scoring.relationDim(D).
 */
import type { Triple } from '../../data/readers/triples.js';
import { Module } from '../../nn/module.js';
import { uniformInit, type ParamOptions } from '../../nn/init.js';
import { embedding, reshape, tensor, tidy, unsqueeze, type Tensor } from '../../tensor/index.js';
import type { CandidateScorer } from './filtered-ranks.js';
import { queryRelations } from './reciprocal.js';
import type { CorruptSide, ScoringFunction } from './scoring.js';

export interface KgEmbeddingOptions extends ParamOptions {
  /**
   * Entity rows start uniform in ±initRange (default (γ + 2)/k with γ = `margin` or 12 and k the
   * complex dimension D/2 for ComplEx and RotatE, D otherwise: the RotatE code's embedding_range).
   */
  initRange?: number;
  /** γ used for the default initRange (default 12). */
  margin?: number;
  /** Reciprocal relations (./reciprocal.ts): `numRelations` counts both directions, 2R. Default false. */
  reciprocal?: boolean;
}

const ids = (xs: number[]): Tensor => tensor(xs, { dtype: 'int64' });

export class KgEmbeddingModel extends Module implements CandidateScorer {
  /** (E, D) */
  readonly entity: Tensor;
  /** (R, Dr); for RotatE the phases θ in radians, initialised uniform in ±π. */
  readonly relation: Tensor;
  /** Whether head queries use the inverse relations, rows [R, 2R) of `relation`. */
  readonly reciprocal: boolean;

  constructor(
    readonly numEntities: number,
    readonly numRelations: number,
    readonly entityDim: number,
    readonly scoring: ScoringFunction,
    options: KgEmbeddingOptions = {},
  ) {
    super();
    const relDim = scoring.relationDim(entityDim);
    const complexDims = scoring.name === 'complex' || scoring.name === 'rotate' ? entityDim / 2 : entityDim;
    const range = options.initRange ?? ((options.margin ?? 12) + 2) / complexDims;
    this.entity = this.registerParameter('entity', uniformInit([numEntities, entityDim], range, options));
    const relRange = scoring.name === 'rotate' ? Math.PI : range;
    this.relation = this.registerParameter('relation', uniformInit([numRelations, relDim], relRange, options));
    this.reciprocal = options.reciprocal ?? false;
  }

  /** Scores of `triples` → (B,) */
  scoreTriples(triples: readonly Triple[]): Tensor {
    return tidy(() => {
      const h = embedding(this.entity, ids(triples.map((t) => t.head)));
      const r = embedding(this.relation, ids(triples.map((t) => t.relation)));
      const t = embedding(this.entity, ids(triples.map((x) => x.tail)));
      return this.scoring.score(h, r, t);
    });
  }

  /**
   * Scores of the positives with `side` replaced by each of N negatives.
   * @param negatives (B·N) entity ids, row-major (B, N), as from sampleNegatives.
   * @returns (B, N)
   */
  scoreNegatives(positives: readonly Triple[], negatives: Int32Array, side: CorruptSide): Tensor {
    const B = positives.length;
    const N = negatives.length / B;
    return tidy(() => {
      const neg = embedding(this.entity, reshape(tensor(negatives, { dtype: 'int64' }), [B, N])); // (B, N, D)
      const r = unsqueeze(embedding(this.relation, ids(positives.map((t) => t.relation))), 1); // (B, 1, Dr)
      const anchorIds = ids(positives.map((t) => (side === 'tail' ? t.head : t.tail)));
      const a = unsqueeze(embedding(this.entity, anchorIds), 1); // (B, 1, D)
      return side === 'tail' ? this.scoring.score(a, r, neg) : this.scoring.score(neg, r, a);
    });
  }

  /** (B, C): each query with every candidate on `side` (see CandidateScorer). */
  scoreCandidates(queries: readonly Triple[], side: CorruptSide, candidates: Tensor): Tensor {
    return candidateScores(this.entity, this.relation, this.scoring, queries, side, candidates, this.reciprocal);
  }
}

/**
 * The CandidateScorer computation over any entity matrix (free embeddings, or entities encoded by the
 * shared encoder: ./encoded-entities.ts).
 * @param entity (E, D) entity vectors; `relation` (R, Dr), or (2R, Dr) with `reciprocal` relations, which
 *   answer head queries as tail queries of the inverse relation; `candidates` (C,) int64 entity ids.
 * @returns (B, C) f(a_i, r_i, candidate_j) with the candidate on `side`.
 */
export function candidateScores(
  entity: Tensor,
  relation: Tensor,
  scoring: ScoringFunction,
  queries: readonly Triple[],
  side: CorruptSide,
  candidates: Tensor,
  reciprocal = false,
): Tensor {
  return tidy(() => {
    const a = embedding(entity, ids(queries.map((t) => (side === 'tail' ? t.head : t.tail)))); // (B, D)
    const q = queryRelations(relation, ids(queries.map((t) => t.relation)), side, reciprocal); // (B, Dr)
    return scoring.scoreAll(a, q.r, embedding(entity, candidates), q.side); // (B, C)
  });
}
