/**
 * Dev/test triples ranked among ALL entities when an entity is the shared encoder's [CLS] state over its
 * description (KEPLER, Wang et al., TACL 2021, §2.2; link prediction with `entities: encoder` and
 * `rank_all: true`). Every entity's description is tokenized once per run (`entityInputs`, featurize
 * time) and encoded once per evaluation, in length-sorted batches without gradients (`encodeEntities`,
 * an (E, H) matrix); the triples are then ranked with the chunked filtered ranking that free embeddings
 * use (./entity-ranking.ts), with `EncodedEntities` as the scorer.
 */
import type { Triple, TripleExample } from '../../data/readers/triples.js';
import { ConfigError } from '../../errors.js';
import { cat, embedding, tensor, tidy, type Tensor } from '../../tensor/index.js';
import type { Tokenizer } from '../../tokenization/index.js';
import { padInputs, truncateEncoding } from '../features.js';
import type { LinkPredictionExample, LinkPredictionOptions } from './types.js';
import type { BatchInputs, EvaluationContext, Features } from '../types.js';
import { allEntityRanks, graphIndex } from './entity-ranking.js';
import type { CandidateScorer } from './filtered-ranks.js';
import { isEvalQuery } from './free-entities.js';
import { LinkPredictionHead } from './heads.js';
import { candidateScores } from './model.js';
import type { CorruptSide, ScoringFunction } from './scoring.js';

/** A described entity's features: its description's tokens; `exampleIndex` is its entity id. */
export interface EntityFeatures extends Features {
  readonly entity: string;
}

type Described = Pick<TripleExample, 'head' | 'tail' | 'headText' | 'tailText'>;

/** Most padded tokens (rows × longest row) per encoder batch of `encodeEntities`. */
const BATCH_TOKENS = 16384;
/** Most rows per encoder batch of `encodeEntities`. */
const BATCH_ROWS = 512;

const tokenized = new WeakMap<object, { tokenizer: Tokenizer; maxLength: number; features: Promise<EntityFeatures[]> }>();

/**
 * Every entity of `graph` (its heads and tails, names sorted: id = position) with its description
 * tokenized and cut to `maxLength` tokens. Computed once per graph array, tokenizer and length, so the
 * splits of one graph share it.
 */
export function entityInputs(graph: readonly Described[], tokenizer: Tokenizer, maxLength: number): Promise<EntityFeatures[]> {
  const cached = tokenized.get(graph);
  if (cached !== undefined && cached.tokenizer === tokenizer && cached.maxLength === maxLength) return cached.features;
  const texts = new Map<string, string>();
  for (const t of graph) {
    if (!texts.has(t.head)) texts.set(t.head, t.headText);
    if (!texts.has(t.tail)) texts.set(t.tail, t.tailText);
  }
  const names = [...texts.keys()].sort();
  const features = tokenizer.encodeBatch(names.map((n) => texts.get(n)!)).then((encodings) =>
    encodings.map((e, id): EntityFeatures => {
      const cut = truncateEncoding(e, maxLength);
      return { exampleIndex: id, inputIds: cut.inputIds, tokenTypeIds: cut.tokenTypeIds, truncated: cut.truncated, entity: names[id]! };
    }),
  );
  tokenized.set(graph, { tokenizer, maxLength, features });
  return features;
}

/** `inputs` as EntityFeatures in id order; ConfigError when they are not (featurize made no entity inputs). */
export function checkEntityInputs(inputs: readonly Features[], where: string): readonly EntityFeatures[] {
  if (inputs.length === 0) {
    throw new ConfigError(
      `${where}: ranking among all encoded entities needs the entity descriptions featurize makes with rank_all: true; none came`,
    );
  }
  inputs.forEach((f, i) => {
    if (typeof (f as Partial<EntityFeatures>).entity !== 'string' || f.exampleIndex !== i) {
      throw new ConfigError(`${where}: entity input ${i} is not an entity description in id order (exampleIndex ${f.exampleIndex})`);
    }
  });
  return inputs as readonly EntityFeatures[];
}

/**
 * Encodes every entity once: rows sorted by length and cut into batches of at most BATCH_ROWS rows and
 * BATCH_TOKENS padded tokens, so padding stays small. Call without gradients, in evaluation mode.
 * @param forward padded inputs (n, T) → (n, H) entity encodings (the model with the task's head).
 * @returns (E, H) float, row e = entity id e (`inputs[e]`); the caller owns it.
 */
export function encodeEntities(inputs: readonly Features[], forward: (inputs: BatchInputs) => Tensor): Tensor {
  const order = inputs.map((_, i) => i).sort((a, b) => inputs[a]!.inputIds.length - inputs[b]!.inputIds.length);
  const chunks: Tensor[] = [];
  try {
    for (let start = 0; start < order.length;) {
      let end = start + 1;
      const fits = (n: number) => n - start <= BATCH_ROWS && (n - start) * inputs[order[n - 1]!]!.inputIds.length <= BATCH_TOKENS;
      while (end < order.length && fits(end + 1)) end++;
      const rows = order.slice(start, end).map((i) => inputs[i]!);
      chunks.push(tidy(() => forward(padInputs(rows)))); // (n, H)
      start = end;
    }
    const position = new Array<number>(order.length);
    order.forEach((id, k) => (position[id] = k));
    return tidy(() => embedding(cat(chunks, 0), tensor(position, { dtype: 'int64' }))); // (E, H), id order
  } finally {
    for (const c of chunks) c.dispose();
  }
}

/** Encoded entities (E, H) and the head's relations (R, Dr), scored by the head's scoring function. */
export class EncodedEntities implements CandidateScorer {
  /**
   * @param entity (E, H) from `encodeEntities`; `relation` (R, Dr), (2R, Dr) when `reciprocal`. Both stay the caller's.
   */
  constructor(
    readonly entity: Tensor,
    readonly relation: Tensor,
    readonly scoring: ScoringFunction,
    readonly reciprocal = false,
  ) {}

  /** (B, C): each query with every candidate on `side` (see CandidateScorer). */
  scoreCandidates(queries: readonly Triple[], side: CorruptSide, candidates: Tensor): Tensor {
    return candidateScores(this.entity, this.relation, this.scoring, queries, side, candidates, this.reciprocal);
  }
}

/**
 * The filtered ranks among ALL encoded entities of a split's triples (those `evalQueries` keeps, in
 * split order), both sides, filtered by every known triple of the task's graph. Encodes every entity
 * of `context.evalInputs` once (`encodeEntities`); call without gradients, in evaluation mode.
 * @throws ConfigError when the head is not a LinkPredictionHead or featurize made no entity inputs.
 */
export function encodedEntityRanks(context: EvaluationContext<LinkPredictionExample, LinkPredictionOptions>): {
  tail: number[];
  head: number[];
} {
  const { task, forward, examples, evalInputs } = context;
  const { spec, head } = task;
  const where = `task '${spec.name}'`;
  if (!(head instanceof LinkPredictionHead)) throw new ConfigError(`${where}: ranking encoded entities needs its LinkPredictionHead`);
  const entities = checkEntityInputs(evalInputs, where);
  const queries = examples.filter((_, i) => isEvalQuery(i, examples.length, spec.options.evalQueries));
  const graph = examples[0]?.graph ?? examples; // without an attached graph, the split's own triples filter
  const index = graphIndex(
    graph,
    entities.map((f) => f.entity),
    spec.labels,
  );
  return tidy(() => {
    const scorer = new EncodedEntities(encodeEntities(entities, forward), head.relation, head.scoring, head.reciprocal); // (E, H)
    return allEntityRanks(scorer, index, queries);
  });
}
