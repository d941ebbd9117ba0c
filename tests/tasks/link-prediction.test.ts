import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { BertModel } from '../../src/models/bert/index.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { scoringFunction } from '../../src/tasks/kg/scoring.js';
import {
  FreeEntityHead,
  inBatchFilter,
  LinkPredictionHead,
  linkPrediction,
  type LinkPredictionExample,
  type LinkPredictionFeatures,
  type LinkPredictionOptions,
} from '../../src/tasks/link-prediction.js';
import { taskSpec, type Batch, type TaskSpec } from '../../src/tasks/index.js';
import { dispose, liveTensorCount, noGrad, tensor, tidy } from '../../src/tensor/index.js';
import { plainFilteredRanks, snipsTokenizer, taskOf, tinyConfig } from './helpers.js';
import { needs } from '../helpers/datasets.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

const spec = (options: Record<string, unknown> = {}, labels = ['r0', 'r1']): TaskSpec<LinkPredictionOptions> =>
  taskSpec({ name: 'kg', kind: 'link-prediction', labels, options }) as TaskSpec<LinkPredictionOptions>;

/** Three triples (a, r0, x), (b, r1, y), (a, r0, z): row 2 shares row 0's head, so (a, r0, z) filters tail z for row 0. */
const rows = [
  { headEntity: 'a', tailEntity: 'x', labels: [0] },
  { headEntity: 'b', tailEntity: 'y', labels: [1] },
  { headEntity: 'a', tailEntity: 'z', labels: [0] },
];

/** A batch over `rows` whose features carry what loss and decode read (inputs unused: the head output is given). */
function handBatch(): Batch {
  const features = rows.map((r, i): LinkPredictionFeatures => ({
    exampleIndex: i,
    inputIds: [2, 3],
    tokenTypeIds: [0, 0],
    truncated: false,
    tailInputIds: [2, 3],
    tailTokenTypeIds: [0, 0],
    ...r,
  }));
  const ids = tensor([[0]], { dtype: 'int64' });
  return { inputIds: ids, attentionMask: ids, tokenTypeIds: ids, labels: tensor([0, 1, 0], { dtype: 'int64' }), features };
}

/**
 * Head output (2B, H) = heads h, then tails t: h = [1,0],[0,1],[1,1]; t = [1,0],[0,2],[1,−1]; the head's
 * relations r0 = [1,1], r1 = [2,0]. DistMult f = Σ h r t. By hand, tail side f(h_i, r_i, t_j):
 * row 0 [1, 0, 1], row 1 [0, 0, 0], row 2 [1, 2, 0]; head side f(h_j, r_i, t_i): row 0 [1, 0, 1],
 * row 1 [0, 0, 0], row 2 [1, −1, 0].
 */
const handOutput = () =>
  tensor([
    [1, 0],
    [0, 1],
    [1, 1],
    [1, 0],
    [0, 2],
    [1, -1],
  ]);

/** A DistMult head over H = 2 with the relations r0 = [1, 1], r1 = [2, 0]. */
function handHead(): LinkPredictionHead {
  const head = new LinkPredictionHead(2, 2, scoringFunction('distmult'));
  noGrad(() =>
    tidy(() => {
      head.relation.copy_(
        tensor([
          [1, 1],
          [2, 0],
        ]),
      );
    }),
  );
  return head;
}
const TAIL = [
  [1, 0, 1],
  [0, 0, 0],
  [1, 2, 0],
];
const HEAD = [
  [1, 0, 1],
  [0, 0, 0],
  [1, -1, 0],
];

const logSigmoid = (x: number) => -Math.log1p(Math.exp(-x));

describe('link-prediction: options and labels', () => {
  it('fills defaults, rejects unknown keys and scorings, and lists relations sorted', () => {
    assert.deepEqual(linkPrediction.resolveOptions(), {
      scoring: 'complex',
      p: 1,
      margin: 0,
      adversarialTemperature: null,
      entities: 'encoder',
      embeddingDim: 128,
      evalQueries: null,
      entityNames: [],
      rankAll: false,
      loss: 'negative-sampling',
      reciprocal: false,
      n3: 0,
    });
    assert.equal(linkPrediction.mainMetricFor!(linkPrediction.resolveOptions()).name, 'inBatchMrr');
    assert.equal(linkPrediction.mainMetricFor!(linkPrediction.resolveOptions({ entities: 'embedding' })).name, 'mrr');
    assert.throws(() => linkPrediction.resolveOptions({ scoring: 'holE' }), /scoring must be one of/);
    assert.throws(() => linkPrediction.resolveOptions({ gamma: 3 }), ConfigError);
    assert.throws(() => linkPrediction.resolveOptions({ p: 3 }), /1 or 2/);
    assert.throws(() => linkPrediction.resolveOptions({ loss: 'margin' }), /loss must be one of 'negative-sampling', 'cross-entropy'/);
    assert.throws(() => linkPrediction.resolveOptions({ loss: 'cross-entropy' }), /needs entities: embedding, not encoder/);
    assert.throws(() => linkPrediction.resolveOptions({ entities: 'embedding', n3: 0.1 }), /n3 applies with loss: 'cross-entropy'/);
    assert.throws(
      () => linkPrediction.resolveOptions({ entities: 'embedding', loss: 'cross-entropy', scoring: 'rotate', n3: 0.1 }),
      /n3 applies to scoring 'complex' or 'distmult', got 'rotate'/,
    );
    const examples = [{ relation: 'hypernym' }, { relation: 'also_see' }, { relation: 'hypernym' }] as LinkPredictionExample[];
    assert.deepEqual(linkPrediction.collectLabels(examples, linkPrediction.resolveOptions()), ['also_see', 'hypernym']);
  });
});

describe('link-prediction: in-batch filter', () => {
  it('filters the true entity and the candidates that form another triple of the batch', () => {
    const f = inBatchFilter(rows);
    assert.deepEqual(f.tail, [
      [true, false, true], // (a, r0, z) is row 2's triple
      [false, true, false],
      [true, false, true], // (a, r0, x) is row 0's triple
    ]);
    assert.deepEqual(f.head, [
      [true, false, true], // head a is row 0's own entity (row 2 has head a too)
      [false, true, false],
      [true, false, true],
    ]);
  });
});

describe('link-prediction: ranks and loss against hand-computed scores', () => {
  it('decodes filtered in-batch ranks and scores MRR / Hits@k from them', () => {
    const s = spec({ scoring: 'distmult' });
    const batch = handBatch();
    const out = handOutput();
    using head = handHead();
    const examples = rows.map((_, i) => ({ id: String(i) }) as LinkPredictionExample);
    assert.throws(() => linkPrediction.decode(taskOf(linkPrediction, s), out, batch, examples), /needs its head/);
    const preds = linkPrediction.decode(taskOf(linkPrediction, s, head), out, batch, examples);
    // tail: row 0 target 1 vs (0; 1 filtered) → 1; row 1 all tied with 2 others → 2; row 2 target 0 vs (1 filtered; 2) → 2
    // head: row 0 → 1; row 1 → 2; row 2 target 0 vs (−1; row 0 filtered) → 1
    assert.deepEqual(
      preds.map((p) => [p.tailRank, p.headRank]),
      [
        [1, 1],
        [2, 2],
        [2, 1],
      ],
    );
    const m = linkPrediction.evaluate(preds, examples, s);
    assert.ok(Math.abs(m.inBatchMrr! - 4.5 / 6) < 1e-12, `MRR ${m.inBatchMrr} is (1 + ½ + ½ + 1 + ½ + 1)/6`);
    assert.equal(m['inBatchHits@1'], 0.5);
    assert.equal(m.candidates, 3);
    dispose([out, batch.inputIds, batch.labels!]);
  });

  it('the loss is the mean over sides of −log σ(f⁺) − (1/B) Σ_unfiltered log σ(−f⁻) (RotatE eq. 4, γ = 0)', () => {
    const s = spec({ scoring: 'distmult' });
    const batch = handBatch();
    const out = handOutput();
    const filter = inBatchFilter(rows);
    const side = (scores: number[][], mask: boolean[][]) =>
      scores.reduce((acc, row, i) => {
        const negatives = row.reduce((n, v, j) => n + (mask[i]![j] ? 0 : logSigmoid(-v)), 0) / row.length;
        return acc - logSigmoid(TAIL[i]![i]!) - negatives;
      }, 0) / scores.length;
    const want = (side(TAIL, filter.tail) + side(HEAD, filter.head)) / 2;
    using head = handHead();
    const got = tidy(() => linkPrediction.loss(taskOf(linkPrediction, s, head), out, batch).item() as number);
    assert.ok(Math.abs(got - want) < 1e-5, `loss ${got} equals the hand formula ${want}`);
    dispose([out, batch.inputIds, batch.labels!]);
  });
});

describe('link-prediction: with the shared encoder (KEPLER)', needs('snips'), () => {
  it('encodes head and tail descriptions in one (2B, T) pass and sends the graph loss into the encoder', async () => {
    const tok = snipsTokenizer();
    const s = spec({ scoring: 'rotate', margin: 6, adversarialTemperature: 1 }, ['hypernym']);
    const examples: LinkPredictionExample[] = [
      ['dog', 'a domesticated animal', 'canine', 'a mammal of the dog family'],
      ['play music', 'to perform a song', 'perform', 'to give a show'],
    ].map(([head, headText, tail, tailText], i) => ({
      id: String(i),
      head: head!,
      relation: 'hypernym',
      tail: tail!,
      headText: headText!,
      tailText: tailText!,
      source: { file: 'hand', line: i + 1 },
    }));
    const { features } = await linkPrediction.featurize(examples, tok, s, { maxLength: 16 });
    const model = MultiTaskModel.fromSpecs(new BertModel(tinyConfig(tok.vocabSize)), [s]);
    try {
      const [shape, rotated, gradNorm] = tidy(() => {
        const batch = linkPrediction.collate(taskOf(linkPrediction, s), features);
        const logits = model.forward(batch, ['kg']).get('kg')!;
        const loss = linkPrediction.loss(taskOf(linkPrediction, s, model.heads.get('kg')), logits, batch);
        loss.backward();
        const g = model.backbone.inputEmbeddings().weight.grad!;
        return [batch.inputIds.shape, logits.shape, g.abs().sum().item() as number];
      });
      assert.deepEqual(shape.slice(0, 1), [4], 'two triples give four encoded rows');
      assert.deepEqual(rotated, [4, 32], 'head output: the 2B entity encodings');
      assert.ok(gradNorm > 0, 'the graph loss reaches the word embeddings of the shared encoder');
      assert.throws(
        () => linkPrediction.collate(taskOf(linkPrediction, s), features, {} as never),
        /cannot share another task's encoder pass/,
      );
    } finally {
      model.dispose();
    }
  });
});

describe('link-prediction: free entity embeddings', needs('snips'), () => {
  /** (a, r0, b), (a, r0, c), (b, r1, c), (c, r0, d), (d, r1, a): one graph shared by the examples. */
  const graph: LinkPredictionExample[] = [];
  const named = [
    ['a', 'r0', 'b'],
    ['a', 'r0', 'c'],
    ['b', 'r1', 'c'],
    ['c', 'r0', 'd'],
    ['d', 'r1', 'a'],
  ];
  named.forEach(([head, relation, tail], i) =>
    graph.push({
      id: String(i),
      head: head!,
      relation: relation!,
      tail: tail!,
      headText: '',
      tailText: '',
      source: { file: 'g', line: i + 1 },
      graph,
    }),
  );

  it('features are entity ids; decoded ranks among all entities are filteredRank over full score rows, filtered by the graph', async () => {
    const base = spec({ entities: 'embedding', embeddingDim: 6, scoring: 'transe' });
    const s = { ...base, options: linkPrediction.completeOptions!(base.options, graph, graph) };
    assert.deepEqual(s.options.entityNames, ['a', 'b', 'c', 'd']);
    const { features } = await linkPrediction.featurize(graph, snipsTokenizer(), s, { maxLength: 8 });
    assert.deepEqual(
      features.map((f) => [f.inputIds[0], f.labels![0], (f as LinkPredictionFeatures).tailInputIds[0]]),
      [
        [0, 0, 1],
        [0, 0, 2],
        [1, 1, 2],
        [2, 0, 3],
        [3, 1, 0],
      ],
    );
    using head = linkPrediction.createHead(tinyConfig(99), s) as FreeEntityHead;
    assert.equal(head.readsEncoder, false, 'no encoder pass');
    const batch = linkPrediction.collate(taskOf(linkPrediction, s), features);
    const preds = tidy(() => linkPrediction.decode(taskOf(linkPrediction, s, head), head.forwardInputs(batch), batch, graph));
    const table = tidy(() => head.kg.entity.toArray() as number[][]);
    const rel = tidy(() => head.kg.relation.toArray() as number[][]);
    const score = (h: number[], r: number[], t: number[]) => -h.reduce((n, x, d) => n + Math.abs(x + r[d]! - t[d]!), 0); // TransE L1
    const want = plainFilteredRanks(graph, s.options.entityNames, s.labels, table, rel, score);
    graph.forEach((_, i) => assert.deepEqual(preds[i]!.all, { tail: want.tail[i], head: want.head[i] }, `triple ${i}`));
    const m = linkPrediction.evaluate(preds, graph, s);
    assert.equal(m.rankedQueries, 10);
    const all = preds.flatMap((p) => [p.all!.tail, p.all!.head]);
    assert.ok(Math.abs(m.mrr! - all.reduce((n, r) => n + 1 / r, 0) / 10) < 1e-12, 'mrr over both sides');
    dispose([batch.inputIds, batch.attentionMask, batch.tokenTypeIds, batch.labels!]);
  });

  it('rejects options that only free embeddings take beside entities: encoder, and bad values', () => {
    assert.throws(() => linkPrediction.resolveOptions({ evalQueries: 10 }), /eval_queries applies to entities: embedding/);
    assert.throws(() => linkPrediction.resolveOptions({ entities: 'free' }), /entities must be 'encoder'/);
    assert.throws(
      () => linkPrediction.resolveOptions({ entities: 'embedding', embeddingDim: 0 }),
      /embedding_dim must be a positive integer/,
    );
    const s = spec({ entities: 'embedding' });
    assert.throws(() => linkPrediction.createHead(tinyConfig(99), s), /need the entity list/);
  });
});
