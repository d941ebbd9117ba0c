/**
 * Reciprocal relations (Lacroix, Usunier & Obozinski, "Canonical Tensor Decomposition for Knowledge Base
 * Completion", ICML 2018, §4; Kazemi & Poole 2018): every relation r gets an inverse r⁻¹ with its own
 * embedding, row r + R of a (2R, Dr) relation table, and a head query (?, r, t) is answered as the tail
 * query (t, r⁻¹, ?). Without them, a head query scores (e, r, t) for every candidate e with r itself.
 */
import { add, embedding, type Tensor } from '../../tensor/index.js';
import type { CorruptSide, ScoringFunction } from './scoring.js';

/**
 * The relation embeddings and the scoring side of queries on `side`.
 * @param relations (R, Dr), or (2R, Dr) with reciprocal relations; `relationIds` (B) int64 in [0, R).
 * @returns r (B, Dr) and the side to pass to `scoreAll` with the query's known entity as its anchor.
 */
export function queryRelations(
  relations: Tensor,
  relationIds: Tensor,
  side: CorruptSide,
  reciprocal: boolean,
): { r: Tensor; side: CorruptSide } {
  if (!reciprocal || side === 'tail') return { r: embedding(relations, relationIds), side };
  return { r: embedding(relations, add(relationIds, relations.shape[0]! / 2)), side: 'tail' };
}

/**
 * The score of each query with its own true entity on `side`: f(anchor, r, entity) for tail queries
 * (and reciprocal head queries, whose side `queryRelations` made 'tail'), f(entity, r, anchor) otherwise.
 * @param anchor (B, D) the known entity; `r` (B, Dr) from `queryRelations`; `entity` (B, D) the answer.
 * @returns (B)
 */
export function trueScore(scoring: ScoringFunction, anchor: Tensor, r: Tensor, entity: Tensor, side: CorruptSide): Tensor {
  return side === 'tail' ? scoring.score(anchor, r, entity) : scoring.score(entity, r, anchor);
}
