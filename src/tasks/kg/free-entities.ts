/**
 * The parts of the link-prediction task type (../link-prediction.ts) that only free entity embeddings
 * use: their options, their features (entity ids instead of token ids) and the ranking of dev/test
 * triples among all entities at decoding time; and what ranking among all entities shares with encoded
 * entities (./encoded-entities.ts): which triples `eval_queries` keeps, and the metrics.
 */
import { DataError } from '../../errors.js';
import { rankingMetrics } from '../../metrics/index.js';
import { exampleOf, labelIndex } from '../features.js';
import type { LinkPredictionExample, LinkPredictionFeatures, LinkPredictionOptions } from './types.js';
import { OptionError, stringOption } from '../options.js';
import { snakeKey } from '../../io/config/case.js';
import type { Metrics, TaskHead, TaskSpec } from '../types.js';
import { allEntityRanks, graphIndex } from './entity-ranking.js';
import { FreeEntityHead } from './heads.js';

type Spec = TaskSpec<LinkPredictionOptions>;

const ENTITY_KINDS = ['encoder', 'embedding'] as const;
/** Default entity width D of free embeddings. */
const DEFAULT_DIM = 128;

/** The entity options: `entities`, and the ones that only free embeddings take. */
export function entityOptions(where: string, raw: Readonly<Record<string, unknown>>) {
  const bad = (option: string, name: string, problem: string) => new OptionError(where, option, problem, name);
  const entities = stringOption(where, raw, 'entities', 'encoder') as LinkPredictionOptions['entities'];
  if (!ENTITY_KINDS.includes(entities)) {
    throw bad('entities', 'entities', `must be 'encoder' (the description's [CLS] state) or 'embedding' (free vectors), got '${entities}'`);
  }
  const rankAll = raw.rankAll ?? false;
  if (typeof rankAll !== 'boolean') {
    throw bad('rankAll', 'rank_all', `must be true or false (rank dev/test among all encoded entities), got ${JSON.stringify(rankAll)}`);
  }
  if (entities === 'embedding' && rankAll) {
    throw bad('rankAll', 'rank_all', 'applies only to entities: encoder (free embeddings always rank among all entities)');
  }
  if (entities === 'encoder') {
    // Resolved options are resolved again (checkpoints, copies): their defaults pass.
    const set: [string, boolean][] = [
      ['embeddingDim', raw.embeddingDim !== undefined && raw.embeddingDim !== DEFAULT_DIM],
      ['entityNames', Array.isArray(raw.entityNames) ? raw.entityNames.length > 0 : raw.entityNames !== undefined],
    ];
    const only = set.find(([, given]) => given)?.[0];
    if (only !== undefined) throw bad(only, snakeKey(only), 'applies only to entities: embedding, not to entities: encoder');
    if (!rankAll && raw.evalQueries !== undefined && raw.evalQueries !== null) {
      throw bad('evalQueries', 'eval_queries', 'applies to entities: embedding, or to entities: encoder with rank_all: true');
    }
  }
  const dim = raw.embeddingDim ?? DEFAULT_DIM;
  if (!Number.isInteger(dim) || (dim as number) < 1) {
    throw bad('embeddingDim', 'embedding_dim', `must be a positive integer (the entity width D), got ${JSON.stringify(dim)}`);
  }
  const evalQueries = raw.evalQueries ?? null;
  if (evalQueries !== null && (!Number.isInteger(evalQueries) || (evalQueries as number) < 1)) {
    throw bad('evalQueries', 'eval_queries', `must be a positive integer or null (rank every triple), got ${JSON.stringify(evalQueries)}`);
  }
  const names = raw.entityNames ?? [];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw bad(
      'entityNames',
      'entity_names',
      `must be a list of entity names (it is filled from the data), got ${JSON.stringify(names).slice(0, 80)}`,
    );
  }
  return { entities, embeddingDim: dim as number, evalQueries: evalQueries as number | null, entityNames: names as string[], rankAll };
}

/** Whether dev/test triples are ranked among all entities: always with free embeddings, with `rank_all` for encoded ones. */
export const ranksAmongAll = (o: Pick<LinkPredictionOptions, 'entities' | 'rankAll'>): boolean => o.entities === 'embedding' || o.rankAll;

/** Whether example `index` of a split is one of the `evalQueries` ranked among all entities (every ⌈n / cap⌉-th; all when null). */
export function isEvalQuery(index: number, n: number, evalQueries: number | null): boolean {
  return evalQueries === null || index % Math.ceil(n / evalQueries) === 0;
}

/** The metrics of ranks among all entities (both sides of each ranked triple): `mrr`, `hits@1/3/10`, `rankedQueries`. */
export function allEntityMetrics(ranks: readonly number[]): Metrics {
  const a = rankingMetrics(ranks);
  return { mrr: a.mrr, 'hits@1': a.hits[1]!, 'hits@3': a.hits[3]!, 'hits@10': a.hits[10]!, rankedQueries: a.count };
}

/** Free-embedding features: the head's entity id as `inputIds`, the tail's as `tailInputIds`, the relation id as label. */
export function entityIdFeatures(examples: readonly LinkPredictionExample[], spec: Spec): LinkPredictionFeatures[] {
  const relations = labelIndex(spec);
  const entities = new Map(spec.options.entityNames.map((n, i) => [n, i]));
  const id = (e: LinkPredictionExample, name: string, what: string, ids: ReadonlyMap<string, number>) => {
    const v = ids.get(name);
    if (v === undefined)
      throw new DataError(`${e.source.file}:${e.source.line}: ${what} '${name}' of task '${spec.name}' is not in its ${what} list`);
    return v;
  };
  return examples.map((e, i) => ({
    exampleIndex: i,
    inputIds: [id(e, e.head, 'entity', entities)],
    tokenTypeIds: [0],
    truncated: false,
    labels: [id(e, e.relation, 'relation', relations)],
    tailInputIds: [id(e, e.tail, 'entity', entities)],
    tailTokenTypeIds: [0],
    headEntity: e.head,
    tailEntity: e.tail,
  }));
}

/**
 * With free embeddings, the filtered ranks among all entities of the batch's triples that `evalQueries`
 * keeps (every ⌈n / evalQueries⌉-th of the n examples; all when null), by example index.
 */
export function rankAmongAll(
  rows: readonly LinkPredictionFeatures[],
  examples: readonly LinkPredictionExample[],
  spec: Spec,
  head: TaskHead | undefined,
) {
  const out = new Map<number, { tail: number; head: number }>();
  if (!(head instanceof FreeEntityHead)) return out;
  const picked = rows.filter((f) => isEvalQuery(f.exampleIndex, examples.length, spec.options.evalQueries));
  if (picked.length === 0) return out;
  const queries = picked.map((f) => exampleOf(examples, f));
  const graph = queries[0]!.graph ?? examples; // without an attached graph, the split's own triples filter
  const ranks = allEntityRanks(head, graphIndex(graph, spec.options.entityNames, spec.labels), queries);
  picked.forEach((f, k) => out.set(f.exampleIndex, { tail: ranks.tail[k]!, head: ranks.head[k]! }));
  return out;
}
