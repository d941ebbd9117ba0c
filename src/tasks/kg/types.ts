/**
 * The shapes link prediction's files share (../link-prediction.ts and the entity-ranking helpers of
 * this folder): its examples, options and features.
 */
import type { TripleExample } from '../../data/index.js';
import type { Features } from '../types.js';
import type { ScoringName } from './scoring.js';

/** A true triple between two described entities (src/data/readers/triples.ts). */
export type LinkPredictionExample = TripleExample;

export interface LinkPredictionOptions {
  /** The scoring function f(h, r, t). Default 'complex'. */
  readonly scoring: ScoringName;
  /** TransE's norm (1 or 2). Default 1. */
  readonly p: 1 | 2;
  /** γ of the loss (eq. 4). Default 0 (the RotatE code's choice for semantic-matching scores). */
  readonly margin: number;
  /** α of self-adversarial negative sampling (eq. 5); null (default): uniform weights over the negatives. */
  readonly adversarialTemperature: number | null;
  /** What an entity is: 'encoder' (default; its description's [CLS] state) or 'embedding' (a free vector). */
  readonly entities: 'encoder' | 'embedding';
  /** 'embedding': the entity width D (2k reals for ComplEx and RotatE). Default 128. */
  readonly embeddingDim: number;
  /**
   * 'encoder': rank dev/test triples among ALL entities too, each entity's description encoded once per
   * evaluation (./kg/encoded-entities.ts); `mrr` is then the main metric. Default false (in-batch only).
   */
  readonly rankAll: boolean;
  /** Dev/test triples ranked among all entities per evaluation (evenly spread); null (default): all. */
  readonly evalQueries: number | null;
  /**
   * The training objective: 'negative-sampling' (default; RotatE's loss over in-batch negatives) or
   * 'cross-entropy' (every query scored against all entities, 1-N; free embeddings only: ./one-vs-all.ts).
   */
  readonly loss: 'negative-sampling' | 'cross-entropy';
  /** Inverse relations r⁻¹ answer head queries (./reciprocal.ts); the relation table has 2R rows. Default false. */
  readonly reciprocal: boolean;
  /** λ of the N3 regulariser with the cross-entropy objective (ComplEx, DistMult); default 0 (none). */
  readonly n3: number;
  /** 'embedding': the entity list, id = position; filled from every split's triples when a run starts. */
  readonly entityNames: readonly string[];
}

/** Features of a triple: the head's description as `inputIds`, the tail's beside it, the relation id as label. */
export interface LinkPredictionFeatures extends Features {
  readonly tailInputIds: readonly number[];
  readonly tailTokenTypeIds: readonly number[];
  readonly headEntity: string;
  readonly tailEntity: string;
}
