/**
 * Link prediction with encoded entities (KEPLER) ranked among ALL entities (`rank_all: true`): the ranks
 * from the batched, length-sorted encoding equal `filteredRank` over full score rows computed plainly
 * from each entity encoded alone; the evaluation hook runs once per evaluation; option errors name the field.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BertModel } from '../../../src/models/bert/index.js';
import { MultiTaskModel } from '../../../src/mtl/multitask-model.js';
import { padInputs, taskSpec, type BatchInputs, type EvaluationContext, type TaskSpec } from '../../../src/tasks/index.js';
import { encodedEntityRanks, type EntityFeatures } from '../../../src/tasks/kg/encoded-entities.js';
import {
  LinkPredictionHead,
  linkPrediction,
  type LinkPredictionExample,
  type LinkPredictionOptions,
  type LinkPredictionState,
} from '../../../src/tasks/link-prediction.js';
import { liveTensorCount, noGrad, tidy } from '../../../src/tensor/index.js';
import { evaluateStreams } from '../../../src/eval/evaluate.js';
import type { Stream } from '../../../src/run/streams.js';
import { plainFilteredRanks, snipsTokenizer, taskOf, tinyConfig } from '../helpers.js';
import { needs } from '../../helpers/datasets.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

/** Six described entities (descriptions of different lengths, so several length buckets) and seven triples. */
const TEXT: Record<string, string> = {
  dog: 'a domesticated animal',
  canine: 'a mammal of the dog family that hunts',
  cat: 'a small animal',
  feline: 'a mammal of the cat family',
  song: 'a short piece of music with words that people sing',
  music: 'sound',
};
const graph: LinkPredictionExample[] = [];
[
  ['dog', 'hypernym', 'canine'],
  ['cat', 'hypernym', 'feline'],
  ['canine', 'similar', 'feline'],
  ['song', 'hypernym', 'music'],
  ['dog', 'similar', 'cat'],
  ['feline', 'hypernym', 'music'],
  ['dog', 'hypernym', 'feline'],
].forEach(([head, relation, tail], i) =>
  graph.push({
    id: String(i),
    head: head!,
    relation: relation!,
    tail: tail!,
    headText: TEXT[head!]!,
    tailText: TEXT[tail!]!,
    source: { file: 'g', line: i + 1 },
    graph,
  }),
);

const spec = (options: Record<string, unknown>): TaskSpec<LinkPredictionOptions> =>
  taskSpec({ name: 'kg', kind: 'link-prediction', labels: ['hypernym', 'similar'], options }) as TaskSpec<LinkPredictionOptions>;

/** A tiny model over one DistMult link-prediction task, in evaluation mode; its forward for the task. */
function tinyModel(s: TaskSpec<LinkPredictionOptions>) {
  const tok = snipsTokenizer();
  const model = MultiTaskModel.fromSpecs(new BertModel(tinyConfig(tok.vocabSize)), [s]);
  model.eval();
  const forward = (inputs: BatchInputs) => model.forward(inputs, ['kg']).get('kg')!; // (n, H)
  return { tok, model, forward };
}

describe('link-prediction: encoded entities ranked among all entities', () => {
  it('ranks equal filteredRank over full score rows from each entity encoded alone, filtered by the graph', needs('snips'), async () => {
    const s = spec({ scoring: 'distmult', rankAll: true });
    const { tok, model, forward } = tinyModel(s);
    try {
      const { evalInputs } = await linkPrediction.featurize(graph, tok, s, { maxLength: 16 });
      const entities = (evalInputs ?? []) as readonly EntityFeatures[];
      const names = entities.map((f) => f.entity);
      assert.deepEqual(names, Object.keys(TEXT).sort(), 'every entity of the graph, names sorted');
      assert.ok(new Set(entities.map((f) => f.inputIds.length)).size > 2, 'descriptions of several lengths');
      const head = model.heads.get('kg') as LinkPredictionHead;
      const context = { task: taskOf(linkPrediction, s, head), forward, examples: graph, evalInputs: entities };
      const ranks = noGrad(() => encodedEntityRanks(context));
      // Plainly: each entity encoded alone (no padding), DistMult f = Σ h·r·t over every candidate.
      const [table, rel] = noGrad(() =>
        tidy(() => [entities.map((f) => (forward(padInputs([f])).toArray() as number[][])[0]!), head.relation.toArray() as number[][]]),
      );
      const f = (h: number[], r: number[], t: number[]) => h.reduce((n, x, d) => n + x * r[d]! * t[d]!, 0);
      assert.deepEqual(ranks, plainFilteredRanks(graph, names, s.labels, table, rel, f), 'tail and head ranks of every triple');
      const capped = spec({ scoring: 'distmult', rankAll: true, evalQueries: 3 });
      const some = noGrad(() => encodedEntityRanks({ ...context, task: taskOf(linkPrediction, capped, head) }));
      assert.deepEqual(
        some.tail,
        [0, 3, 6].map((i) => ranks.tail[i]),
        'eval_queries: 3 of 7 keeps every third triple',
      );
    } finally {
      model.dispose();
    }
  });

  it('evaluation calls the hook once per evaluation (not per batch); mrr joins the in-batch metrics', needs('snips'), async () => {
    const s = spec({ scoring: 'complex', rankAll: true });
    const { tok, model } = tinyModel(s);
    try {
      const { features, evalInputs } = await linkPrediction.featurize(graph, tok, s, { maxLength: 16 });
      let calls = 0;
      const counted = (c: EvaluationContext<LinkPredictionExample, LinkPredictionOptions, LinkPredictionState>) => (
        calls++,
        linkPrediction.evaluateAll!(c)
      );
      const type = { ...linkPrediction, evaluateAll: counted };
      const dev = {
        tasks: [{ spec: s, type, state: type.createState!(s), features, evalInputs, examples: graph }],
        examples: graph,
        lengths: features.map((x) => x.inputIds.length),
      };
      const stream = { name: 'kg', runs: [], splits: { dev } } as unknown as Stream;
      const first = await evaluateStreams(model, [stream], 'dev', { batchSize: 2 });
      assert.equal(calls, 1, 'one call for four batches');
      await evaluateStreams(model, [stream], 'dev', { batchSize: 2 });
      assert.equal(calls, 2, 'one call per evaluation');
      const m = first.metrics.kg!;
      assert.equal(m.rankedQueries, 14, 'seven triples, both sides');
      assert.ok(m.mrr! > 0 && m.mrr! <= 1 && m.inBatchMrr !== undefined, `mrr ${m.mrr} and inBatchMrr ${m.inBatchMrr} both reported`);
      assert.equal(linkPrediction.mainMetricFor!(s.options).name, 'mrr', 'mrr selects models when all entities are ranked');
      assert.equal(linkPrediction.mainMetricFor!(spec({}).options).name, 'inBatchMrr', 'in-batch MRR otherwise');
    } finally {
      model.dispose();
    }
  });

  it('rejects bad rank_all and eval_queries values, naming the field', () => {
    assert.throws(() => linkPrediction.resolveOptions({ rankAll: 'yes' }), /rank_all must be true or false/);
    assert.throws(
      () => linkPrediction.resolveOptions({ entities: 'embedding', rankAll: true }),
      /rank_all applies only to entities: encoder/,
    );
    assert.throws(() => linkPrediction.resolveOptions({ evalQueries: 5 }), /eval_queries applies to .*rank_all: true/);
    assert.throws(() => linkPrediction.resolveOptions({ rankAll: true, evalQueries: 0 }), /eval_queries must be a positive integer/);
    assert.equal(linkPrediction.resolveOptions({ rankAll: true, evalQueries: 5 }).evalQueries, 5);
  });
});
