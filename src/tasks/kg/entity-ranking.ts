/**
 * Filtered ranks over ALL entities for link-prediction examples, whose triples are named by strings:
 * the names become ids through the task's entity list (spec options) and relation list (spec labels),
 * and the filter is every known triple of the task's graph (train ∪ dev ∪ test, as the readers attach
 * it to each example; Bordes et al., NeurIPS 2013, "filtered" setting). The ranks themselves are
 * `filteredRanks` (./filtered-ranks.ts: chunked, ties as src/metrics/ranking.ts).
 */
import type { Triple, TripleExample } from '../../data/readers/triples.js';
import { DataError } from '../../errors.js';
import { filteredRanks, type CandidateScorer } from './filtered-ranks.js';
import { KnownTriples } from './known-triples.js';

/** A triple by names. */
export type NamedTriple = Pick<TripleExample, 'head' | 'relation' | 'tail'>;

/** Names → ids, and the known triples as ids, of one graph. */
export class GraphIndex {
  readonly entityIds: ReadonlyMap<string, number>;
  readonly relationIds: ReadonlyMap<string, number>;
  readonly known: KnownTriples;

  /**
   * @param graph every known triple; triples with a name outside the lists are left out of the filter.
   */
  constructor(
    readonly entities: readonly string[],
    relations: readonly string[],
    graph: readonly NamedTriple[],
  ) {
    this.entityIds = new Map(entities.map((n, i) => [n, i]));
    this.relationIds = new Map(relations.map((n, i) => [n, i]));
    this.known = new KnownTriples(relations.length);
    for (const t of graph) {
      const [head, relation, tail] = [this.entityIds.get(t.head), this.relationIds.get(t.relation), this.entityIds.get(t.tail)];
      if (head !== undefined && relation !== undefined && tail !== undefined) this.known.add({ head, relation, tail });
    }
  }

  /** The ids of `t`; DataError naming the unknown entity or relation. */
  ids(t: NamedTriple): Triple {
    const head = this.entityIds.get(t.head);
    const relation = this.relationIds.get(t.relation);
    const tail = this.entityIds.get(t.tail);
    if (head === undefined || tail === undefined || relation === undefined) {
      const what = head === undefined ? `entity '${t.head}'` : tail === undefined ? `entity '${t.tail}'` : `relation '${t.relation}'`;
      throw new DataError(`${what} of triple (${t.head}, ${t.relation}, ${t.tail}) is not in the task's entity or relation list`);
    }
    return { head, relation, tail };
  }
}

const indexes = new WeakMap<readonly NamedTriple[], GraphIndex>();

/** The GraphIndex of `graph` (built once per graph array and entity list). */
export function graphIndex(graph: readonly NamedTriple[], entities: readonly string[], relations: readonly string[]): GraphIndex {
  let index = indexes.get(graph);
  if (index === undefined || index.entities !== entities) {
    index = new GraphIndex(entities, relations, graph);
    indexes.set(graph, index);
  }
  return index;
}

/**
 * Filtered tail and head ranks of `queries` among all E entities of `index`.
 * @param scorer scores queries against candidate entity ids (a FreeEntityHead, a KgEmbeddingModel, EncodedEntities).
 * @returns one tail rank and one head rank per query, in order (realistic ties).
 */
export function allEntityRanks(
  scorer: CandidateScorer,
  index: GraphIndex,
  queries: readonly NamedTriple[],
): { tail: number[]; head: number[] } {
  const triples = queries.map((q) => index.ids(q));
  const options = { numEntities: index.entities.length, known: index.known, batchSize: 512, chunkSize: 8192 };
  return { tail: filteredRanks(scorer, triples, 'tail', options), head: filteredRanks(scorer, triples, 'head', options) };
}
