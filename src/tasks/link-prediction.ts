/**
 * Knowledge-graph link prediction with entities encoded by the shared encoder, as in KEPLER (Wang et
 * al., "KEPLER: A Unified Model for Knowledge Embedding and Pre-trained Language Representation",
 * TACL 2021, §2.2): an entity's embedding is the encoder's [CLS] state over the entity's text
 * description, relations have embeddings of their own, and a scoring function f(h, r, t) (TransE,
 * DistMult, ComplEx or RotatE; ./kg/scoring.ts) is trained with the negative-sampling loss of RotatE
 * (Sun et al., ICLR 2019, eq. 4, optionally self-adversarial, eq. 5), so the graph objective trains the
 * encoder. With `entities: embedding` the entities are free embeddings instead (./kg/heads.ts
 * FreeEntityHead; no encoder pass, the batch's input ids are entity ids), as in the RotatE repository.
 *
 * Negatives are IN-BATCH: each triple (h_i, r_i, t_i) of a batch of B is corrupted with the tails t_j
 * (and, separately, the heads h_j) of the other triples of the batch, whose descriptions the encoder
 * encodes anyway, so a batch costs 2B encoder rows, not B·(N + 1). A candidate is filtered (left out
 * of the loss and of the ranks) when it is the true entity itself or forms another triple of the
 * batch, which is known to be true.
 *
 * The metrics rank each true entity among the batch's candidates (filtered in-batch ranks, both
 * sides): `inBatchMrr`, `inBatchHits@1/3/10` — cheap, and NOT comparable to ranks among all entities.
 * With free embeddings, decoding also ranks each dev/test triple (both sides, or an evenly spread
 * `eval_queries` of them) among ALL entities, filtered by every known triple of the task's graph:
 * `mrr` (then the main metric), `hits@1/3/10`, `rankedQueries`. With encoded entities and `rank_all`,
 * `evaluateAll` does the same once per evaluation, every entity's description encoded once
 * (./kg/encoded-entities.ts); decoding runs one batch at a time and cannot.
 *
 * The head's output is the entities' encodings, (2B, H): rows [0, B) the heads', [B, 2B) the tails'.
 * The relation embeddings are the head's parameter, which `loss` and `decode` read from the head.
 */
import { ConfigError, DataError, ShapeError } from '../errors.js';
import { rankingMetrics } from '../metrics/index.js';
import { filteredRank } from '../metrics/ranking.js';
import { embedding, maskedFill, noGrad, select, slice, tensor, tidy, type Tensor } from '../tensor/index.js';
import { oneVsAllLoss } from './kg/one-vs-all.js';
import { queryRelations, trueScore } from './kg/reciprocal.js';
import type { Tokenizer } from '../tokenization/index.js';
import { checkFeatures, exampleOf, inGoldOrder, labelIndex, padInputs, truncateEncoding } from './features.js';
import { encodedEntityRanks, entityInputs } from './kg/encoded-entities.js';
import { allEntityMetrics, entityIdFeatures, entityOptions, rankAmongAll, ranksAmongAll } from './kg/free-entities.js';
import { FreeEntityHead, LinkPredictionHead } from './kg/heads.js';
import { negativeSamplingLoss } from './kg/negative-sampling.js';
import { scoringFunction, type ScoringFunction, type ScoringName } from './kg/scoring.js';
import { booleanOption, numberOption, OptionError, rejectUnknownOptions, stringOption } from './options.js';
import type { Batch, EncoderConfig, Features, FeaturizeResult, Metrics, TaskSpec, TaskType } from './types.js';
import type { LinkPredictionExample, LinkPredictionFeatures, LinkPredictionOptions } from './kg/types.js';
import type { TaskHead } from './types.js';

export { FreeEntityHead, LinkPredictionHead };

export const LINK_PREDICTION = 'link-prediction';

export type { LinkPredictionExample, LinkPredictionOptions, LinkPredictionFeatures } from './kg/types.js';

const OPTION_KEYS = [
  'scoring',
  'p',
  'margin',
  'adversarialTemperature',
  'entities',
  'embeddingDim',
  'evalQueries',
  'entityNames',
  'rankAll',
  'loss',
  'reciprocal',
  'n3',
];
const LOSSES: readonly LinkPredictionOptions['loss'][] = ['negative-sampling', 'cross-entropy'];
const SCORINGS: readonly ScoringName[] = ['transe', 'distmult', 'complex', 'rotate'];

/**
 * `loss`, `reciprocal` and `n3`. The 1-vs-all cross-entropy needs every entity's vector at every step, so
 * it takes free embeddings only; N3 is defined for ComplEx (moduli of complex coordinates) and DistMult.
 */
function objectiveOptions(where: string, raw: Readonly<Record<string, unknown>>, scoring: ScoringName, entities: string) {
  const loss = stringOption(where, raw, 'loss', 'negative-sampling') as LinkPredictionOptions['loss'];
  if (!LOSSES.includes(loss))
    throw new OptionError(where, 'loss', `must be one of ${LOSSES.map((l) => `'${l}'`).join(', ')}, got '${loss}'`);
  if (loss === 'cross-entropy' && entities !== 'embedding') {
    throw new OptionError(
      where,
      'loss',
      "'cross-entropy' scores every query against all entities at every step: it needs entities: embedding, not encoder",
    );
  }
  const n3 = numberOption(where, raw, 'n3', 0, 0);
  if (n3 > 0 && loss !== 'cross-entropy') throw new OptionError(where, 'n3', "applies with loss: 'cross-entropy' (Lacroix et al. 2018)");
  if (n3 > 0 && scoring !== 'complex' && scoring !== 'distmult') {
    throw new OptionError(where, 'n3', `applies to scoring 'complex' or 'distmult', got '${scoring}'`);
  }
  return { loss, reciprocal: booleanOption(where, raw, 'reciprocal', false), n3 };
}

/** The filtered in-batch ranks of a triple's tail and head, and with free embeddings its ranks among all entities. */
export interface LinkPredictionPrediction {
  readonly exampleIndex: number;
  readonly tailRank: number;
  readonly headRank: number;
  /** Candidates the in-batch ranks were taken among (the batch size). */
  readonly candidates: number;
  /** Filtered ranks among all entities (free embeddings; absent for a triple left out by `evalQueries`). */
  readonly all?: { readonly tail: number; readonly head: number };
}

type Spec = TaskSpec<LinkPredictionOptions>;

/** The score a filtered candidate gets in the loss: its term log σ(−γ − f) is then 0 and its self-adversarial weight 0. */
const FILTERED_SCORE = -1e4;

// ---------------------------------------------------------------------------------------------------
// Scores

function isLpFeatures(f: Features): f is LinkPredictionFeatures {
  const m = f as Partial<LinkPredictionFeatures>;
  return Array.isArray(m.tailInputIds) && typeof m.headEntity === 'string' && typeof m.tailEntity === 'string';
}

function lpFeatures(batch: Batch, spec: Spec): LinkPredictionFeatures[] {
  return batch.features.map((f) => {
    if (!isLpFeatures(f)) throw new ConfigError(`task '${spec.name}': example ${f.exampleIndex} was not featurized by link-prediction`);
    return f;
  });
}

/**
 * Which candidates are filtered, per side: `tail[i][j]` when tail j is tail i's entity or (h_i, r_i, t_j)
 * is a triple of the batch; `head[i][j]` likewise for (h_j, r_i, t_i). The diagonal is always filtered.
 */
export function inBatchFilter(rows: readonly Pick<LinkPredictionFeatures, 'headEntity' | 'tailEntity' | 'labels'>[]): {
  tail: boolean[][];
  head: boolean[][];
} {
  const key = (h: string, r: number, t: string) => JSON.stringify([h, r, t]);
  const rel = (i: number) => rows[i]?.labels?.[0] as number;
  const known = new Set(rows.map((f, i) => key(f.headEntity, rel(i), f.tailEntity)));
  const tail = rows.map((a, i) => rows.map((b) => b.tailEntity === a.tailEntity || known.has(key(a.headEntity, rel(i), b.tailEntity))));
  const head = rows.map((a, i) => rows.map((b) => b.headEntity === a.headEntity || known.has(key(b.headEntity, rel(i), a.tailEntity))));
  return { tail, head };
}

/** The task's head's relation embeddings (R, Dr); ConfigError when its head is not a link-prediction head. */
function relationsOf(head: TaskHead, spec: Spec): Tensor {
  if (!(head instanceof LinkPredictionHead || head instanceof FreeEntityHead)) {
    throw new ConfigError(
      `task '${spec.name}': link prediction needs its head (the relation embeddings), got a ${head.constructor.name}; build it with createHead`,
    );
  }
  return head.relation;
}

/**
 * Every in-batch score: tail side (B, B) f(h_i, r_i, t_j), head side (B, B) f(h_j, r_i, t_i) (with
 * reciprocal relations f(t_i, r_i⁻¹, h_j)), and each side's positives (B), f(h_i, r_i, t_i) (head side
 * with reciprocal relations: f(t_i, r_i⁻¹, h_i)).
 * @param output (2B, H) the head's output; `relations` (R, Dr), or (2R, Dr) with reciprocal relations.
 */
function batchScores(
  output: Tensor,
  relations: Tensor,
  batch: Batch,
  spec: Spec,
  scoring: ScoringFunction,
): { tail: Tensor; head: Tensor; tailPositive: Tensor; headPositive: Tensor } {
  const B = batch.features.length;
  if (output.ndim !== 2 || output.shape[0] !== 2 * B) {
    throw new ShapeError(`task '${spec.name}': the head's output must be (2B, H) = (${2 * B}, H), got [${output.shape.join(', ')}]`);
  }
  const labels = batch.labels;
  if (labels === undefined) throw new ConfigError(`task '${spec.name}': the batch has no relation ids; collate it with link-prediction`);
  return tidy(() => {
    const h = slice(output, 0, 0, B); // (B, H)
    const t = slice(output, 0, B, 2 * B); // (B, H)
    const r = embedding(relations, labels); // (B, Dr)
    const q = queryRelations(relations, labels, 'head', spec.options.reciprocal); // (B, Dr)
    return {
      tail: scoring.scoreAll(h, r, t, 'tail'),
      head: scoring.scoreAll(t, q.r, h, q.side),
      tailPositive: scoring.score(h, r, t),
      headPositive: trueScore(scoring, t, q.r, h, q.side),
    };
  });
}

/** The scoring function f(h, r, t) of the options. */
const scoringOf = (spec: Spec): ScoringFunction => scoringFunction(spec.options.scoring, { p: spec.options.p });

/** A link-prediction task's state: its scoring function, made once with the task. */
export interface LinkPredictionState {
  readonly scoring: ScoringFunction;
}

/**
 * The 1-vs-all objective of a batch of free-embedding triples: output (2B, D) and the batch's entity ids
 * (2B, 1), heads' rows then tails'; its labels (B) the relation ids.
 */
function oneVsAll(head: TaskHead, relations: Tensor, output: Tensor, batch: Batch, spec: Spec, scoring: ScoringFunction) {
  if (!(head instanceof FreeEntityHead)) {
    throw new ConfigError(`task '${spec.name}': loss 'cross-entropy' needs free entity embeddings (entities: embedding)`);
  }
  const relationIds = batch.labels;
  if (relationIds === undefined)
    throw new ConfigError(`task '${spec.name}': the batch has no relation ids; collate it with link-prediction`);
  const B = batch.features.length;
  return tidy(() => {
    const entityIds = select(batch.inputIds, 1, 0); // (2B)
    const [headIds, tailIds] = [slice(entityIds, 0, 0, B), slice(entityIds, 0, B, 2 * B)];
    const h = slice(output, 0, 0, B);
    const t = slice(output, 0, B, 2 * B);
    return oneVsAllLoss(scoring, head.kg.entity, relations, { h, t, headIds, tailIds, relationIds }, spec.options);
  });
}

/** (B, B) bool tensor of a filter matrix. */
const maskTensor = (m: boolean[][]): Tensor => tensor(m, { dtype: 'bool' });

// ---------------------------------------------------------------------------------------------------
// Task type

export const linkPrediction: TaskType<LinkPredictionExample, LinkPredictionPrediction, LinkPredictionOptions, LinkPredictionState> = {
  kind: LINK_PREDICTION,
  // Triples of described entities; `collate` stacks two texts per row, so it shares no encoder pass.
  // No `present`: it scores entity pairs, not texts, so `mtl predict` does not run it.
  inputs: ['triple'],
  sharesEncoderPass: false,
  formats: ['wordnet', 'triples'],
  readsLabel: false,
  labelSpace: 'classes', // the relations
  configKeys: ['data.relations'],

  /** Free entity embeddings read entity ids, not tokens. */
  tokenInputs(options) {
    return options.entities !== 'embedding';
  },
  mainMetric: { name: 'inBatchMrr', greaterIsBetter: true },

  resolveOptions(raw = {}) {
    const where = LINK_PREDICTION;
    rejectUnknownOptions(where, raw, OPTION_KEYS);
    const scoring = stringOption(where, raw, 'scoring', 'complex') as ScoringName;
    if (!SCORINGS.includes(scoring))
      throw new OptionError(where, 'scoring', `must be one of ${SCORINGS.map((s) => `'${s}'`).join(', ')}, got '${scoring}'`);
    const p = raw.p ?? 1;
    if (p !== 1 && p !== 2) throw new OptionError(where, 'p', `must be 1 or 2 (TransE's norm), got ${JSON.stringify(p)}`);
    const alpha = raw.adversarialTemperature ?? null;
    const entities = entityOptions(where, raw);
    return {
      scoring,
      p,
      margin: numberOption(where, raw, 'margin', 0, 0),
      adversarialTemperature: alpha === null ? null : numberOption(where, raw, 'adversarialTemperature', 1, 0),
      ...entities,
      ...objectiveOptions(where, raw, scoring, entities.entities),
    };
  },

  mainMetricFor(options) {
    return ranksAmongAll(options) ? { name: 'mrr', greaterIsBetter: true } : linkPrediction.mainMetric;
  },

  /** With free embeddings, the entity list: every head and tail of every split, sorted. */
  completeOptions(options, examples) {
    if (options.entities !== 'embedding') return options;
    return { ...options, entityNames: [...new Set(examples.flatMap((e) => [e.head, e.tail]))].sort() };
  },

  /** The relations, sorted: `labels[id]` is relation id `id`. */
  collectLabels(examples) {
    return [...new Set(examples.map((e) => e.relation))].sort();
  },

  createHead(encoder: EncoderConfig, spec) {
    const o = spec.options;
    if (o.entities === 'encoder') return new LinkPredictionHead(encoder.hiddenSize, spec.labels.length, scoringOf(spec), o.reciprocal);
    if (o.entityNames.length < 2) {
      throw new ConfigError(
        `task '${spec.name}': free entity embeddings need the entity list (options.entityNames), got ${o.entityNames.length} entities`,
      );
    }
    return new FreeEntityHead(o.entityNames.length, spec.labels.length, o.embeddingDim, scoringOf(spec), o.reciprocal);
  },

  createState(spec) {
    return { scoring: scoringOf(spec) };
  },

  async featurize(examples, tokenizer: Tokenizer, spec, options): Promise<FeaturizeResult> {
    if (spec.options.entities === 'embedding') return { features: entityIdFeatures(examples, spec), truncated: 0 };
    const index = labelIndex(spec);
    const [heads, tails] = await Promise.all([
      tokenizer.encodeBatch(examples.map((e) => e.headText)),
      tokenizer.encodeBatch(examples.map((e) => e.tailText)),
    ]);
    let truncated = 0;
    const features = examples.map((e, i): LinkPredictionFeatures => {
      const relation = index.get(e.relation);
      if (relation === undefined) {
        throw new DataError(`${e.source.file}:${e.source.line}: relation '${e.relation}' of task '${spec.name}' is not in its label list`);
      }
      const h = truncateEncoding(heads[i]!, options.maxLength);
      const t = truncateEncoding(tails[i]!, options.maxLength);
      if (h.truncated || t.truncated) truncated++;
      return {
        exampleIndex: i,
        inputIds: h.inputIds,
        tokenTypeIds: h.tokenTypeIds,
        truncated: h.truncated || t.truncated,
        labels: [relation],
        tailInputIds: t.inputIds,
        tailTokenTypeIds: t.tokenTypeIds,
        headEntity: e.head,
        tailEntity: e.tail,
      };
    });
    if (!spec.options.rankAll) return { features, truncated };
    const graph = examples[0]?.graph ?? examples; // without an attached graph, the split's own triples
    return { features, truncated, evalInputs: await entityInputs(graph as readonly LinkPredictionExample[], tokenizer, options.maxLength) };
  },

  /** Inputs (2B, T): the B heads' descriptions, then the B tails'; labels (B) relation ids. */
  collate({ spec }, features, inputs) {
    if (inputs !== undefined) {
      throw new ConfigError(
        `task '${spec.name}': link prediction encodes entity descriptions, so it cannot share another task's encoder pass`,
      );
    }
    checkFeatures(features, `collate '${spec.name}'`);
    const rows = features.map((f) => {
      if (!isLpFeatures(f)) throw new ConfigError(`task '${spec.name}': example ${f.exampleIndex} was not featurized by link-prediction`);
      return f;
    });
    const tails = rows.map((f) => ({ ...f, inputIds: f.tailInputIds, tokenTypeIds: f.tailTokenTypeIds }));
    return tidy(() => ({
      ...padInputs([...rows, ...tails]),
      labels: tensor(
        rows.map((f) => f.labels?.[0] as number),
        { dtype: 'int64' },
      ),
      features,
    }));
  },

  /**
   * The mean of the tail-side and head-side negative-sampling losses over in-batch negatives; with
   * `loss: cross-entropy`, the 1-vs-all cross-entropy over all entities plus N3 (./kg/one-vs-all.ts).
   */
  loss({ spec, head, state }, output, batch) {
    const relations = relationsOf(head, spec);
    const rows = lpFeatures(batch, spec);
    const o = spec.options;
    if (o.loss === 'cross-entropy') return oneVsAll(head, relations, output, batch, spec, state.scoring);
    const filter = inBatchFilter(rows);
    const lossOptions = {
      margin: o.margin,
      ...(o.adversarialTemperature === null ? {} : { adversarialTemperature: o.adversarialTemperature }),
    };
    return tidy(() => {
      const scores = batchScores(output, relations, batch, spec, state.scoring);
      const side = (positive: Tensor, s: Tensor, m: boolean[][]) =>
        negativeSamplingLoss(positive, maskedFill(s, maskTensor(m), FILTERED_SCORE), lossOptions);
      return side(scores.tailPositive, scores.tail, filter.tail)
        .add(side(scores.headPositive, scores.head, filter.head))
        .div(2);
    });
  },

  decode({ spec, head: taskHead, state }, output, batch, examples) {
    const relations = relationsOf(taskHead, spec);
    const rows = lpFeatures(batch, spec);
    const filter = inBatchFilter(rows);
    const [tail, head] = tidy(() =>
      noGrad(() => {
        const s = batchScores(output, relations, batch, spec, state.scoring);
        return [s.tail.toArray(), s.head.toArray()];
      }),
    ) as [number[][], number[][]];
    const others = (m: boolean[][], i: number) => new Set(m[i]!.flatMap((f, j) => (f && j !== i ? [j] : [])));
    const all = rankAmongAll(rows, examples, spec, taskHead);
    return rows.map((f, i) => {
      exampleOf(examples, f);
      const ranks = all.get(f.exampleIndex);
      return {
        exampleIndex: f.exampleIndex,
        tailRank: filteredRank(tail[i]!, i, others(filter.tail, i)),
        headRank: filteredRank(head[i]!, i, others(filter.head, i)),
        candidates: rows.length,
        ...(ranks === undefined ? {} : { all: ranks }),
      };
    });
  },

  /**
   * Filtered in-batch MRR, Hits@1/3/10 over both sides and the mean number of candidates; with ranks
   * among all entities, also `mrr`, `hits@1/3/10` over them and `rankedQueries` (both sides counted).
   */
  evaluate(predictions, gold, spec): Metrics {
    const preds = inGoldOrder(predictions, gold.length, `evaluate '${spec.name}'`);
    const m = rankingMetrics(preds.flatMap((p) => [p.tailRank, p.headRank]));
    const inBatch = {
      inBatchMrr: m.mrr,
      'inBatchHits@1': m.hits[1]!,
      'inBatchHits@3': m.hits[3]!,
      'inBatchHits@10': m.hits[10]!,
      candidates: preds.reduce((n, p) => n + p.candidates, 0) / Math.max(1, preds.length),
    };
    const ranks = preds.flatMap((p) => (p.all === undefined ? [] : [p.all.tail, p.all.head]));
    return ranks.length === 0 ? inBatch : { ...allEntityMetrics(ranks), ...inBatch };
  },

  /**
   * With `entities: encoder` and `rank_all`: every entity encoded once (E, H), then the split's triples
   * (the `evalQueries` kept) ranked among all of them on both sides, filtered by the task's graph:
   * `mrr`, `hits@1/3/10`, `rankedQueries`. No metrics otherwise (free embeddings rank in `decode`).
   */
  evaluateAll(context) {
    const o = context.task.spec.options;
    if (o.entities !== 'encoder' || !o.rankAll || context.examples.length === 0) return {};
    const ranks = encodedEntityRanks(context);
    return allEntityMetrics([...ranks.tail, ...ranks.head]);
  },
};
