/**
 * Shared set-up of the task and multi-task tests: SNIPS examples, a small WordPiece tokenizer trained
 * on SNIPS utterances, and a tiny BERT config over its vocabulary (hidden 32, 2 layers, 4 heads).
 */
import path from 'node:path';
import { readJointFolder, type JointExample } from '../../src/data/index.js';
import { bertConfig, type BertConfig } from '../../src/models/bert/index.js';
import { trainWordPiece, type Tokenizer } from '../../src/tokenization/index.js';
import type { TripleExample } from '../../src/data/readers/triples.js';
import { filteredRank } from '../../src/metrics/ranking.js';
import type { TensorFixture } from '../helpers/fixtures.js';
import { ConfigError } from '../../src/errors.js';
import { TaskHead, type Task, type TaskSpec, type TaskType } from '../../src/tasks/index.js';
import type { Tensor } from '../../src/tensor/index.js';

import { DATASETS } from '../helpers/datasets.js';

const cache = new Map<string, JointExample[]>();

/** The examples of a joint-NLU split, e.g. `snips/train` (read once per process). */
export function jointSplit(name: string): JointExample[] {
  let examples = cache.get(name);
  if (examples === undefined) {
    examples = readJointFolder(path.join(DATASETS, name)).examples;
    cache.set(name, examples);
  }
  return examples;
}

let tokenizer: Tokenizer | undefined;

/** A WordPiece tokenizer (about 600 tokens) learned from the first 3,000 SNIPS training utterances. */
export function snipsTokenizer(): Tokenizer {
  tokenizer ??= trainWordPiece(
    jointSplit('snips/train')
      .slice(0, 3000)
      .map((e) => e.tokens.join(' ')),
    { vocabSize: 600, minFrequency: 2 },
  );
  return tokenizer;
}

/** A tiny BERT over `vocabSize` tokens, dropout off unless asked (shape tests must be deterministic). */
export function tinyConfig(vocabSize: number, fields: Partial<BertConfig> = {}): BertConfig {
  return bertConfig({
    vocabSize,
    hiddenSize: 32,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    intermediateSize: 37,
    maxPositionEmbeddings: 64,
    hiddenDropoutProb: 0,
    attentionProbsDropoutProb: 0,
    ...fields,
  });
}

/** A loss fixture of scripts/fixtures/tasks.py: logits and labels in, torch's loss and its gradient out. */
export interface LossCase {
  logits: TensorFixture;
  labels: TensorFixture;
  loss: TensorFixture;
  grad: TensorFixture;
}

/**
 * The filtered ranks of every triple of `graph` among all entities, computed plainly: the full score row
 * f over every entity vector of `table` (E, D), the graph's other true fillers left out (`filteredRank`).
 * @param names entity names by id (row of `table`); `relations` relation names by id (row of `rel`).
 * @returns one tail rank and one head rank per triple, in graph order.
 */
export function plainFilteredRanks(
  graph: readonly Pick<TripleExample, 'head' | 'relation' | 'tail'>[],
  names: readonly string[],
  relations: readonly string[],
  table: readonly number[][],
  rel: readonly number[][],
  f: (h: number[], r: number[], t: number[]) => number,
): { tail: number[]; head: number[] } {
  const id = (n: string) => names.indexOf(n);
  const tail: number[] = [];
  const head: number[] = [];
  for (const e of graph) {
    const [h, r, t] = [id(e.head), relations.indexOf(e.relation), id(e.tail)];
    const trueTails = new Set(graph.filter((g) => g.head === e.head && g.relation === e.relation).map((g) => id(g.tail)));
    const trueHeads = new Set(graph.filter((g) => g.tail === e.tail && g.relation === e.relation).map((g) => id(g.head)));
    tail.push(
      filteredRank(
        table.map((c) => f(table[h]!, rel[r]!, c)),
        t,
        trueTails,
      ),
    );
    head.push(
      filteredRank(
        table.map((c) => f(c, rel[r]!, table[t]!)),
        h,
        trueHeads,
      ),
    );
  }
  return { tail, head };
}

/** A head for tests whose logits are given, so their task's loss and decoding read no head: running it is an error. */
class UnusedHead extends TaskHead {
  forward(): Tensor {
    throw new ConfigError('this test task has no head to run; give taskOf a head');
  }
}

/**
 * The task of `spec` of `type` (one object: type, spec, head, state), with `head` (default: one that
 * is never run) and `state` (default: a fresh one of the type).
 */
export function taskOf<E, P extends { readonly exampleIndex: number }, O, S>(
  type: TaskType<E, P, O, S>,
  spec: TaskSpec<O>,
  head: TaskHead = new UnusedHead(),
  state?: S,
): Task<O, S> {
  return { type: type as unknown as Task['type'], spec, head, state: state ?? (type.createState?.(spec) as S) };
}
