/**
 * The 1-vs-all training objective of knowledge-graph embeddings with free entity vectors: every query
 * (h, r, ?) is scored against ALL entities and trained with cross-entropy on its true entity ("1-N
 * scoring": Dettmers et al., "Convolutional 2D Knowledge Graph Embeddings", AAAI 2018; the full
 * multi-class log-loss of Lacroix, Usunier & Obozinski, "Canonical Tensor Decomposition for Knowledge
 * Base Completion", ICML 2018, §4), optionally with the weighted nuclear 3-norm regulariser N3 of the
 * latter (eq. 8 in its per-batch form): λ/B · Σ_i (|h_i|³ + |r_i|³ + |t_i|³), where |·|³ sums the cubed
 * moduli of the complex coordinates (ComplEx: (Re² + Im²)^{3/2} per complex dimension; real models: |x|³).
 */
import { add, crossEntropy, div, mul, pow, sum, tidy, type Tensor } from '../../tensor/index.js';
import { queryRelations } from './reciprocal.js';
import type { ScoringFunction } from './scoring.js';

/** One batch of B true triples, as entity and relation ids and the entities' vectors. */
export interface OneVsAllBatch {
  /** (B, D) and (B, D): the heads' and tails' vectors (rows of `entities`, with their gradients). */
  readonly h: Tensor;
  readonly t: Tensor;
  /** (B) int64 each: entity ids of the heads and tails, relation ids. */
  readonly headIds: Tensor;
  readonly tailIds: Tensor;
  readonly relationIds: Tensor;
}

export interface OneVsAllOptions {
  /** Answer head queries through inverse relations (../kg/reciprocal.ts); the table then has 2R rows. */
  readonly reciprocal: boolean;
  /** λ of N3; 0: none. */
  readonly n3: number;
}

/**
 * Σ over rows of the cubed moduli: (B, D) → scalar. ComplEx stores k complex
 * numbers as 2k reals (real half, imaginary half); their modulus is taken per complex coordinate.
 */
export function cubedModuli(x: Tensor, complexValued: boolean): Tensor {
  return tidy(() => {
    if (!complexValued) return sum(pow(mul(x, x), 1.5));
    const k = x.shape[1]! / 2;
    const squared = mul(x, x);
    const re2 = squared.narrow(1, 0, k);
    const im2 = squared.narrow(1, k, k);
    return sum(pow(add(re2, im2), 1.5));
  });
}

/**
 * The mean of the tail-query and head-query cross-entropies over all E entities, plus N3 on each
 * query's three factors (the head query's relation is r⁻¹ with reciprocal relations), divided by the
 * 2B queries.
 * @param entities (E, D) every entity's vector; `relations` (R, Dr) or (2R, Dr).
 * @returns a scalar loss.
 */
export function oneVsAllLoss(
  scoring: ScoringFunction,
  entities: Tensor,
  relations: Tensor,
  batch: OneVsAllBatch,
  options: OneVsAllOptions,
): Tensor {
  return tidy(() => {
    const tailQuery = queryRelations(relations, batch.relationIds, 'tail', options.reciprocal);
    const headQuery = queryRelations(relations, batch.relationIds, 'head', options.reciprocal);
    const tailLoss = crossEntropy(scoring.scoreAll(batch.h, tailQuery.r, entities, 'tail'), batch.tailIds); // (B, E) logits
    const headLoss = crossEntropy(scoring.scoreAll(batch.t, headQuery.r, entities, headQuery.side), batch.headIds);
    const fit = div(add(tailLoss, headLoss), 2);
    if (options.n3 === 0) return fit;
    const complexValued = scoring.name === 'complex';
    const cubed = (x: Tensor) => cubedModuli(x, complexValued);
    const factors = add(add(mul(cubed(batch.h), 2), mul(cubed(batch.t), 2)), add(cubed(tailQuery.r), cubed(headQuery.r)));
    return add(fit, mul(factors, options.n3 / (2 * (batch.headIds.shape[0] as number))));
  });
}
