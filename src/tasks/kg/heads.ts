/**
 * The heads of the link-prediction task type, one per kind of entity representation:
 * - `LinkPredictionHead`: entities are the shared encoder's [CLS] state over their text description
 *   (KEPLER, Wang et al., TACL 2021, §2.2); the head holds the relation embeddings only.
 * - `FreeEntityHead`: entities are free embeddings (a `KgEmbeddingModel`, as in the RotatE repository's
 *   KGEModel), looked up from the entity ids the batch carries as its input ids; no encoder pass.
 * Both output the batch's entity representations (2B, D): rows [0, B) the heads', [B, 2B) the tails'.
 */
import type { Triple } from '../../data/readers/triples.js';
import { ConfigError } from '../../errors.js';
import { uniformInit } from '../../nn/init.js';
import { embedding, select, type Tensor } from '../../tensor/index.js';
import { TaskHead, type BatchInputs, type EncoderOutputs } from '../types.js';
import type { CandidateScorer } from './filtered-ranks.js';
import { KgEmbeddingModel } from './model.js';
import type { CorruptSide, ScoringFunction } from './scoring.js';

/** The entities' [CLS] encodings, and the relation embeddings (R, Dr) that the loss and decoding read. */
export class LinkPredictionHead extends TaskHead {
  /** (R, Dr), Dr = scoring.relationDim(H); (2R, Dr) with reciprocal relations (rows [R, 2R) the inverses). */
  readonly relation: Tensor;

  /**
   * @param numRelations R, the relations of the data; `reciprocal` doubles the table (./reciprocal.ts).
   */
  constructor(
    readonly hiddenSize: number,
    numRelations: number,
    readonly scoring: ScoringFunction,
    readonly reciprocal = false,
  ) {
    super();
    const dr = scoring.relationDim(hiddenSize);
    // RotatE's phases uniform in ±π; other relations as the RotatE code's embedding_range with γ = 12.
    const range = scoring.name === 'rotate' ? Math.PI : 14 / hiddenSize;
    this.relation = this.registerParameter('relation', uniformInit([numRelations * (reciprocal ? 2 : 1), dr], range));
  }

  /** lastHiddenState (2B, T, H) → (2B, H) */
  forward(encoded: EncoderOutputs): Tensor {
    return select(encoded.lastHiddenState, 1, 0);
  }
}

/**
 * Free entity and relation embeddings (parameters `kg.entity` (E, D) and `kg.relation` (R, Dr)). The
 * batch's input ids are entity ids, one column: (2B, 1), heads then tails.
 */
export class FreeEntityHead extends TaskHead implements CandidateScorer {
  readonly kg: KgEmbeddingModel;

  /**
   * @param numEntities E; `numRelations` R, the relations of the data (2R rows with `reciprocal`);
   *   `entityDim` D (2k for ComplEx and RotatE); initialisation as KgEmbeddingModel's.
   */
  constructor(numEntities: number, numRelations: number, entityDim: number, scoring: ScoringFunction, reciprocal = false) {
    super();
    const rows = numRelations * (reciprocal ? 2 : 1);
    this.kg = this.registerModule('kg', new KgEmbeddingModel(numEntities, rows, entityDim, scoring, { reciprocal }));
  }

  /** Whether head queries use the inverse relations. */
  get reciprocal(): boolean {
    return this.kg.reciprocal;
  }

  /** (R, Dr), or (2R, Dr) with reciprocal relations */
  get relation(): Tensor {
    return this.kg.relation;
  }

  override get readsEncoder(): boolean {
    return false;
  }

  forward(): Tensor {
    throw new ConfigError('FreeEntityHead reads entity ids, not the encoder: call forwardInputs');
  }

  /** inputIds (2B, 1) int64 entity ids → (2B, D) */
  override forwardInputs(inputs: Pick<BatchInputs, 'inputIds'>): Tensor {
    return embedding(this.kg.entity, select(inputs.inputIds, 1, 0));
  }

  /** (B, C): each query with every candidate on `side` (see CandidateScorer). */
  scoreCandidates(queries: readonly Triple[], side: CorruptSide, candidates: Tensor): Tensor {
    return this.kg.scoreCandidates(queries, side, candidates);
  }
}
