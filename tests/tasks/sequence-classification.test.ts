import assert from 'node:assert/strict';
import type { Linear } from '../../src/nn/linear.js';
import { after, describe, it } from 'node:test';
import { ConfigError, DataError, ShapeError } from '../../src/errors.js';
import type { TextExample, TextPairExample } from '../../src/data/index.js';
import { BertModel } from '../../src/models/bert/index.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import {
  CONFIG_POOLING,
  meanPool,
  sequenceClassification as sc,
  taskSpec,
  type SequenceClassificationHead,
  type SequenceClassificationOptions,
  type SequenceClassificationPrediction,
  type TaskSpec,
} from '../../src/tasks/index.js';
import { dispose, grad, liveTensorCount, manualSeed, tensor, tidy } from '../../src/tensor/index.js';
import { assertClose, fromFixture, loadFixture, type TensorFixture } from '../helpers/fixtures.js';
import { jointSplit, snipsTokenizer, taskOf, tinyConfig, type LossCase } from './helpers.js';
import { needs } from '../helpers/datasets.js';

const fixture = loadFixture<{ single_label: LossCase; multi_label: LossCase; head: Record<string, TensorFixture> }>('tasks');

const src = { file: 'mini.tsv', line: 1 };
const text = (id: string, t: string, label?: string): TextExample => ({
  id,
  text: t,
  ...(label === undefined ? {} : { label }),
  source: { ...src, line: Number(id) + 2 },
});
const spec = (labels: string[], options: Record<string, unknown> = {}): TaskSpec<SequenceClassificationOptions> =>
  taskSpec({ name: 'intent', kind: 'sequence-classification', labels, options }) as TaskSpec<SequenceClassificationOptions>;

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

describe('sequence classification: options and spec', () => {
  it('fills defaults and rejects unknown keys with the nearest one', () => {
    assert.deepEqual(sc.resolveOptions(), {
      multiLabel: false,
      labelSeparator: '#',
      threshold: 0.5,
      thresholds: {},
      atLeastOneLabel: true,
      classifierDropout: null,
      pooling: 'cls',
      statesOf: null,
    });
    assert.throws(() => sc.resolveOptions({ pooling: 'max' }), /pooling must be one of 'cls', 'mean', 'tokens', got "max"/);
    assert.throws(
      () => sc.resolveOptions({ multilabel: true }),
      (e: unknown) => e instanceof ConfigError && /'multilabel': unknown option; did you mean 'multi_label'\?/.test(e.message),
    );
    assert.throws(() => sc.resolveOptions({ threshold: 1.5 }), /threshold must be a number in \[0, 1\]/);
    assert.throws(() => taskSpec({ name: 'a.b', kind: 'sequence-classification', labels: ['x'] }), /without '\.'/);
    assert.throws(() => taskSpec({ name: 'a', kind: 'seq-cls', labels: ['x'] }), /unknown task kind 'seq-cls'/);
    assert.throws(() => spec(['x', 'y', 'x']), /'x' is listed twice \(ids 0 and 2\)/);
  });

  it("a config's task defaults to mean pooling; options resolved without one (an older checkpoint's tasks.json) keep the pooled [CLS]", () => {
    const task = (options?: Record<string, unknown>) =>
      ({
        name: 'intent',
        type: 'sequence-classification',
        label: { multiLabel: false, separator: '#', threshold: 0.5 },
        ...(options === undefined ? {} : { options }),
      }) as unknown as Parameters<NonNullable<typeof sc.configOptions>>[0];
    assert.equal(CONFIG_POOLING, 'mean');
    assert.equal(sc.resolveOptions(sc.configOptions!(task())).pooling, 'mean', 'no options: mean');
    assert.equal(sc.resolveOptions(sc.configOptions!(task({ threshold: 0.5 }))).pooling, 'mean', 'other options only: mean');
    assert.equal(sc.resolveOptions(sc.configOptions!(task({ pooling: 'cls' }))).pooling, 'cls', 'pooling: cls as written');
    assert.equal(sc.resolveOptions({ multiLabel: false }).pooling, 'cls', 'a record without pooling: the pooled [CLS], as it was trained');
  });

  it('collects labels, splitting label sets when multi-label (ATIS train)', needs('atis'), () => {
    const atis = jointSplit('atis/train');
    const single = sc.collectLabels(atis, sc.resolveOptions());
    const multi = sc.collectLabels(atis, sc.resolveOptions({ multiLabel: true }));
    assert.ok(single.includes('atis_flight#atis_airfare'));
    assert.ok(!multi.some((l) => l.includes('#')));
    assert.ok(multi.includes('atis_airfare') && multi.includes('atis_flight'));
    assert.deepEqual(multi, [...multi].sort());
  });
});

describe('sequence classification: head', () => {
  it('maps the pooled output to (B, C) logits, named classifier.*', () => {
    manualSeed(0);
    const config = tinyConfig(99);
    const encoder = new BertModel(config).eval();
    const head = sc.createHead(config, spec(['a', 'b', 'c'])).eval();
    assert.deepEqual(
      head.namedParameters().map(([n, p]) => [n, p.shape]),
      [
        ['classifier.weight', [3, 32]],
        ['classifier.bias', [3]],
      ],
    );
    tidy(() => {
      const out = encoder.forward({
        inputIds: tensor(
          [
            [2, 5, 6, 3],
            [2, 7, 3, 0],
          ],
          { dtype: 'int64' },
        ),
      });
      assert.deepEqual(head.forward(out).shape, [2, 3]);
    });
    const noPooler = new BertModel(config, { addPoolingLayer: false });
    tidy(() => {
      // without a pooler (DistilBERT, ELECTRA) the head reads the first token's state, as their Hugging Face heads do
      const encoded = noPooler.forward({ inputIds: tensor([[2, 3]], { dtype: 'int64' }) });
      const direct = (head as unknown as { classifier: Linear }).classifier.forward(encoded.lastHiddenState.select(1, 0)); // eval: no dropout
      assert.deepEqual(head.forward(encoded).toFlatArray(), direct.toFlatArray());
    });
    [encoder, head, noPooler].forEach((m) => m.dispose());
  });

  it('equals linear(pooled, W, b) in evaluation mode (PyTorch fixture)', () => {
    const head = sc.createHead(tinyConfig(99, { hiddenSize: 8, numAttentionHeads: 2 }), spec(['a', 'b', 'c', 'd'])).eval();
    tidy(() => {
      const c = fixture.head;
      head.loadStateDict(
        new Map([
          ['classifier.weight', fromFixture(c.weight!)],
          ['classifier.bias', fromFixture(c.bias!)],
        ]),
      );
      const pooled = fromFixture(c.pooled!);
      assertClose(head.forward({ lastHiddenState: pooled.unsqueeze(1), pooledOutput: pooled }), c.logits!, { what: 'logits' });
    });
    head.dispose();
  });
});

describe('sequence classification: mean pooling', () => {
  it('averages the hidden states of the real tokens (padding left out), by hand', () => {
    tidy(() => {
      const hidden = tensor([
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [
          [2, 0],
          [4, 8],
          [100, 100],
        ],
      ]); // (B=2, T=3, H=2)
      const mask = tensor(
        [
          [1, 1, 1],
          [1, 1, 0],
        ],
        { dtype: 'int64' },
      );
      assert.deepEqual(meanPool(hidden, mask).toArray(), [
        [3, 4],
        [3, 4],
      ]);
      assertClose(
        meanPool(hidden, undefined),
        { dtype: 'float32', shape: [2, 2], data: [3, 4, 106 / 3, 36] },
        { what: 'no mask: every token' },
      );
    });
  });

  it("pooling: 'mean' classifies the mean token state through the model, without BERT's pooler", () => {
    manualSeed(0);
    const config = tinyConfig(99);
    const model = MultiTaskModel.fromSpecs(new BertModel(config, { addPoolingLayer: false }).eval(), [
      spec(['a', 'b', 'c'], { pooling: 'mean' }),
    ]).eval();
    const head = model.heads.get('intent') as SequenceClassificationHead;
    tidy(() => {
      const inputIds = tensor(
        [
          [2, 5, 6, 3],
          [2, 7, 3, 0],
        ],
        { dtype: 'int64' },
      );
      const attentionMask = inputIds.ne(0).to('int64');
      const logits = model.forward({ inputIds, attentionMask }, ['intent']).get('intent')!; // (B, C)
      const { lastHiddenState } = model.backbone.forward({ inputIds, attentionMask });
      const want = head.classifier.forward(meanPool(lastHiddenState, attentionMask));
      assertClose(
        logits,
        { dtype: 'float32', shape: want.shape, data: want.toFlatArray() as number[] },
        { what: 'logits of the mean token state' },
      );
    });
    model.dispose();
  });
});

describe('sequence classification: loss against PyTorch', () => {
  const batchOf = (c: LossCase, s: TaskSpec<SequenceClassificationOptions>) => {
    const features = Array.from({ length: c.logits.shape[0]! }, (_, i) => ({
      exampleIndex: i,
      inputIds: [2, 3],
      tokenTypeIds: [0, 0],
      truncated: false,
    }));
    return { ...sc.collate(taskOf(sc, s), features), labels: fromFixture(c.labels) };
  };

  it('single-label: cross-entropy with -100 ignored, and its gradient', () => {
    const c = fixture.single_label;
    const s = spec(['a', 'b', 'c', 'd']);
    tidy(() => {
      const logits = fromFixture(c.logits);
      logits.requiresGrad = true;
      const loss = sc.loss(taskOf(sc, s), logits, batchOf(c, s));
      assertClose(loss, c.loss, { what: 'loss' });
      assertClose(grad(loss, [logits])[0]!, c.grad, { what: 'grad' });
    });
  });

  it('multi-label: binary cross-entropy on logits, and its gradient', () => {
    const c = fixture.multi_label;
    const s = spec(['a', 'b', 'c', 'd', 'e', 'f'], { multiLabel: true });
    tidy(() => {
      const logits = fromFixture(c.logits);
      logits.requiresGrad = true;
      const loss = sc.loss(taskOf(sc, s), logits, batchOf(c, s));
      assertClose(loss, c.loss, { what: 'loss' });
      assertClose(grad(loss, [logits])[0]!, c.grad, { what: 'grad' });
    });
  });

  it('refuses logits of the wrong shape and batches without labels', () => {
    const s = spec(['a', 'b']);
    tidy(() => {
      const f = { exampleIndex: 0, inputIds: [2, 3], tokenTypeIds: [0, 0], truncated: false };
      const unlabelled = sc.collate(taskOf(sc, s), [f]);
      assert.equal(unlabelled.labels, undefined);
      assert.throws(() => sc.loss(taskOf(sc, s), tensor([[0, 0]]), unlabelled), /has no labels/);
      const labelled = sc.collate(taskOf(sc, s), [{ ...f, labels: [1] }]);
      assert.throws(
        () => sc.loss(taskOf(sc, s), tensor([[0, 0, 0]]), labelled),
        (e: unknown) => e instanceof ShapeError && /\[1, 2\], got \[1, 3\]/.test(e.message),
      );
    });
  });
});

describe('sequence classification: features', needs('snips'), () => {
  const tok = snipsTokenizer();

  it('a text, a pair ([CLS] a [SEP] b [SEP], token types 0/1) and an utterance of words', async () => {
    const pair: TextPairExample = { id: 'p', textA: 'play music', textB: 'add to playlist', label: 'b', source: src };
    const utterance = jointSplit('snips/train')[0]!; // PlayMusic
    const s = spec(['PlayMusic', 'a', 'b']);
    const { features, truncated } = await sc.featurize([text('0', 'play music', 'a'), pair, utterance], tok, s, { maxLength: 64 });
    assert.equal(truncated, 0);
    const [one, two, three] = features;
    assert.deepEqual(one!.labels, [1]);
    assert.deepEqual(one!.inputIds, (await tok.encode('play music')).inputIds);
    const ids = (await tok.encodePair('play music', 'add to playlist')).inputIds;
    assert.deepEqual(two!.inputIds, ids);
    assert.equal(two!.inputIds[0], tok.clsId);
    const seps = two!.inputIds.flatMap((id, t) => (id === tok.sepId ? [t] : []));
    assert.equal(seps.length, 2);
    assert.deepEqual(
      two!.tokenTypeIds,
      two!.inputIds.map((_, t) => (t <= seps[0]! ? 0 : 1)),
    );
    assert.deepEqual(two!.labels, [2]);
    assert.deepEqual(three!.inputIds, (await tok.encodeWords(utterance.tokens)).inputIds);
    assert.deepEqual(three!.labels, [0]);
    assert.deepEqual(
      features.map((f) => f.exampleIndex),
      [0, 1, 2],
    );
  });

  it('truncates to maxLength, keeping [SEP], and counts it', async () => {
    const s = spec(['a', 'b']); // two labels: a single-label task of one is refused (tests/tasks/one-label.test.ts)
    const { features, truncated } = await sc.featurize([text('0', 'add step to me to the fifty classics playlist now', 'a')], tok, s, {
      maxLength: 5,
    });
    assert.equal(truncated, 1);
    assert.equal(features[0]!.inputIds.length, 5);
    assert.equal(features[0]!.inputIds.at(-1), tok.sepId);
    assert.equal(features[0]!.truncated, true);
    const pair: TextPairExample = { id: 'p', textA: 'one two three four five six', textB: 'seven', label: 'a', source: src };
    const cut = (await sc.featurize([pair], tok, s, { maxLength: 6 })).features[0]!;
    assert.deepEqual(cut.tokenTypeIds, [0, 0, 0, 0, 1, 1]); // the longer text loses tokens first
  });

  it('an unknown label is a data error in training, an ignored id at evaluation; no label is fine only at evaluation', async () => {
    const s = spec(['a', 'b']);
    await assert.rejects(
      sc.featurize([text('0', 'x', 'a'), text('1', 'y', 'zzz')], tok, s, { maxLength: 16 }),
      (e: unknown) =>
        e instanceof DataError && /^mini\.tsv:3: label 'zzz' of task 'intent' is not in its label list \(2 labels: a, b\)/.test(e.message),
    );
    await assert.rejects(sc.featurize([text('0', 'x')], tok, s, { maxLength: 16 }), /has no label; training needs one/);
    await assert.rejects(
      sc.featurize([text('0', 'x')], tok, s, { maxLength: 16, split: 'dev' }),
      /has no label; every dev example needs one to be scored$/,
    );
    const { features } = await sc.featurize([text('0', 'x', 'zzz'), text('1', 'y')], tok, s, { maxLength: 16, training: false });
    assert.deepEqual(features[0]!.labels, [-100]);
    assert.equal(features[1]!.labels, undefined);
  });

  it('multi-label: the ids of a label set; unknown members dropped at evaluation', async () => {
    const s = spec(['atis_airfare', 'atis_flight'], { multiLabel: true });
    const { features } = await sc.featurize(
      [text('0', 'x', 'atis_flight#atis_airfare'), text('1', 'y', 'atis_flight#atis_day_name')],
      tok,
      s,
      {
        maxLength: 16,
        training: false,
      },
    );
    assert.deepEqual(features[0]!.labels, [1, 0]);
    assert.deepEqual(features[1]!.labels, [1]);
    tidy(() =>
      assert.deepEqual(sc.collate(taskOf(sc, s), features).labels!.toArray(), [
        [1, 1],
        [0, 1],
      ]),
    );
  });

  it('collates to padded (B, T) int64 inputs with a mask, and (B) int64 labels', () => {
    const s = spec(['a', 'b']);
    const features = [
      { exampleIndex: 0, inputIds: [2, 9, 3], tokenTypeIds: [0, 0, 0], truncated: false, labels: [1] },
      { exampleIndex: 1, inputIds: [2, 3], tokenTypeIds: [0, 1], truncated: false, labels: [0] },
    ];
    tidy(() => {
      const b = sc.collate(taskOf(sc, s), features);
      assert.deepEqual(b.inputIds.toArray(), [
        [2, 9, 3],
        [2, 3, 0],
      ]);
      assert.deepEqual(b.attentionMask.toArray(), [
        [1, 1, 1],
        [1, 1, 0],
      ]);
      assert.deepEqual(b.tokenTypeIds?.toArray(), [
        [0, 0, 0],
        [0, 1, 0],
      ]);
      const single = sc.collate(taskOf(sc, s), [features[0]!, { ...features[1]!, tokenTypeIds: [0, 0] }]);
      assert.equal(single.tokenTypeIds, undefined, 'no segment ids when every one is 0: the backbone reads them as 0');
      assert.equal(b.inputIds.dtype, 'int64');
      assert.deepEqual(b.labels!.toArray(), [1, 0]);
      assert.equal(b.labels!.dtype, 'int64');
    });
    assert.throws(() => sc.collate(taskOf(sc, s), []), /no features to collate/);
  });
});

describe('sequence classification: decode and evaluate', () => {
  const features = [0, 1, 2].map((i) => ({ exampleIndex: 2 - i, inputIds: [2, 3], tokenTypeIds: [0, 0], truncated: false }));
  const examples = [text('0', 'a', 'x'), text('1', 'b', 'y'), text('2', 'c', 'x#y')];

  it('single-label: the argmax label and its softmax probability, in batch order', () => {
    const s = spec(['x', 'y', 'z']);
    const preds = tidy(() =>
      sc.decode(
        taskOf(sc, s),
        tensor([
          [0, Math.log(3), 0],
          [Math.log(2), 0, Math.log(2)],
          [5, 0, 0],
        ]),
        sc.collate(taskOf(sc, s), features),
        examples,
      ),
    );
    assert.deepEqual(
      preds.map((p) => [p.exampleIndex, p.label, p.labels]),
      [
        [2, 'y', ['y']],
        [1, 'x', ['x']],
        [0, 'x', ['x']],
      ],
    );
    assert.ok(Math.abs(preds[0]!.probabilities[0]! - 0.6) < 1e-6);
    assert.ok(Math.abs(preds[1]!.probabilities[0]! - 0.4) < 1e-6);
    // presented as Hugging Face's pipeline does: { label, score }, and with top_k the k most probable,
    // ties in label-list order (row 1: softmax(log 2, 0, log 2) = 0.4, 0.2, 0.4)
    const context = { text: 'b', words: [] };
    const one = sc.present!(preds[1]!, s, context) as { label: string; score: number };
    assert.deepEqual(Object.keys(one), ['label', 'score']);
    assert.equal(one.label, 'x');
    assert.ok(Math.abs(one.score - 0.4) < 1e-6);
    const top = sc.present!(preds[1]!, s, { ...context, topK: 2 }) as { top_k: { label: string; score: number }[] };
    assert.deepEqual(
      top.top_k.map((t) => [t.label, Math.round(t.score * 1e6) / 1e6]),
      [
        ['x', 0.4],
        ['z', 0.4],
      ],
    );
    const all = sc.present!(preds[0]!, s, { ...context, topK: 5 }) as { top_k: { label: string; score: number }[] };
    assert.deepEqual(
      all.top_k.map((t) => [t.label, Math.round(t.score * 1e6) / 1e6]),
      [
        ['y', 0.6],
        ['x', 0.2],
        ['z', 0.2],
      ],
    );
  });

  it('multi-label: labels at or above their threshold, most probable first; the best one when none passes', () => {
    const s = spec(['x', 'y', 'z'], { multiLabel: true, thresholds: { z: 0.9 } });
    const logit = (p: number) => Math.log(p / (1 - p));
    const logits = [
      [logit(0.6), logit(0.7), logit(0.8)], // z is under its own threshold 0.9
      [logit(0.1), logit(0.2), logit(0.3)], // none passes: the best, z
      [logit(0.5), logit(0.1), logit(0.95)],
    ];
    const preds = tidy(() => sc.decode(taskOf(sc, s), tensor(logits), sc.collate(taskOf(sc, s), features), examples));
    assert.deepEqual(
      preds.map((p) => p.label),
      ['y#x', 'z', 'z#x'],
    );
    assert.ok(Math.abs(preds[2]!.probabilities[0]! - 0.95) < 1e-6);
    const none = spec(['x', 'y', 'z'], { multiLabel: true, atLeastOneLabel: false });
    assert.deepEqual(
      tidy(() => sc.decode(taskOf(sc, none), tensor(logits), sc.collate(taskOf(sc, none), features), examples))[1]!.labels,
      [],
    );
    const typo = spec(['x'], { multiLabel: true, thresholds: { q: 0.2 } });
    assert.throws(
      () => tidy(() => sc.decode(taskOf(sc, typo), tensor([[0], [0], [0]]), sc.collate(taskOf(sc, typo), features), examples)),
      /names 'q'/,
    );
  });

  const pred = (exampleIndex: number, labels: string[]): SequenceClassificationPrediction => ({
    exampleIndex,
    label: labels.join('#'),
    labels,
    probabilities: labels.map(() => 1),
    scores: [],
  });

  it('single-label evaluate: an unseen gold label counts as an error, not a crash', () => {
    const gold = [text('0', 'a', 'x'), text('1', 'b', 'y'), text('2', 'c', 'never_seen'), text('3', 'd', 'y')];
    const s = spec(['x', 'y']);
    const m = sc.evaluate([pred(3, ['x']), pred(0, ['x']), pred(1, ['y']), pred(2, ['y'])], gold, s);
    assert.equal(m.accuracy, 0.5);
    // per class (x, y, never_seen): F1 2/3, 1/2, 0 → macro 7/18
    assert.ok(Math.abs(m.f1Macro! - 7 / 18) < 1e-12);
    assert.equal(sc.mainMetric.name, 'accuracy');
    assert.throws(() => sc.evaluate([pred(0, ['x'])], gold, s), /1 predictions for 4 gold examples/);
    assert.throws(
      () => sc.evaluate([pred(0, ['x']), pred(0, ['x']), pred(1, ['x']), pred(2, ['x'])], gold, s),
      /example 0 has two predictions/,
    );
  });

  it('multi-label evaluate: exact set match, micro and macro F1', () => {
    const gold = [text('0', 'a', 'x#y'), text('1', 'b', 'y'), text('2', 'c', 'x#z_unseen')];
    const s = spec(['x', 'y'], { multiLabel: true });
    const m = sc.evaluate([pred(0, ['y', 'x']), pred(1, ['y', 'x']), pred(2, ['x'])], gold, s);
    assert.ok(Math.abs(m.accuracy! - 1 / 3) < 1e-12);
    // tp 4 (x,y of 0; y of 1; x of 2), predicted 5, gold 5 → micro F1 0.8
    assert.ok(Math.abs(m.f1Micro! - 0.8) < 1e-12);
  });
});

describe('sequence classification: ATIS multi-intents', needs('snips', 'atis'), () => {
  it('test intents unseen in train are dropped from the targets and scored as errors', async () => {
    const train = jointSplit('atis/train');
    const test = jointSplit('atis/test');
    const s = spec(sc.collectLabels(train, sc.resolveOptions({ multiLabel: true })), { multiLabel: true });
    const known = new Set(s.labels);
    const { features } = await sc.featurize(test, snipsTokenizer(), s, { maxLength: 64, training: false });
    const parts = test.map((e) => e.intent.split('#'));
    const unseen = parts.filter((p) => p.some((x) => !known.has(x))).length;
    assert.ok(unseen >= 1 && unseen < 20, `${unseen} test utterances have an intent unseen in train`);
    features.forEach((f, i) =>
      assert.deepEqual(
        f.labels,
        parts[i]!.filter((x) => known.has(x)).map((x) => s.labels.indexOf(x)),
      ),
    );
    // A model that predicts every known gold intent right still misses the unseen ones.
    const preds = parts.map((p, i) => ({
      exampleIndex: i,
      labels: p.filter((x) => known.has(x)),
      label: '',
      probabilities: [],
      scores: [],
    }));
    assert.ok(Math.abs(sc.evaluate(preds, test, s).accuracy! - (1 - unseen / test.length)) < 1e-12);
  });
});

describe('sequence classification: memory', needs('snips'), () => {
  it('featurize → collate → forward → loss → decode leaves no tensor behind', async () => {
    const before = liveTensorCount();
    const tok = snipsTokenizer();
    const examples = jointSplit('snips/dev').slice(0, 6);
    const s = spec(sc.collectLabels(jointSplit('snips/train'), sc.resolveOptions()));
    const { features } = await sc.featurize(examples, tok, s, { maxLength: 32 });
    const config = tinyConfig(tok.vocabSize);
    const encoder = new BertModel(config);
    const head = sc.createHead(config, s);
    const preds = tidy(() => {
      const batch = sc.collate(taskOf(sc, s), features);
      const logits = head.forward(encoder.forward(batch));
      assert.ok(Number.isFinite(sc.loss(taskOf(sc, s), logits, batch).item() as number));
      return sc.decode(taskOf(sc, s), logits, batch, examples);
    });
    assert.equal(preds.length, 6);
    const m = sc.evaluate(preds, examples, s);
    assert.ok(m.accuracy! >= 0 && m.accuracy! <= 1);
    dispose([encoder.parameters(), head.parameters()]);
    assert.equal(liveTensorCount(), before);
  });
});
