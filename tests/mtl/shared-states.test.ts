/**
 * An intent head reading the slot head's BiLSTM states (`states_of`, src/mtl/shared-states.ts): its
 * shapes and saved names, the logits against the pooling done by hand on the slot head's states,
 * independence from padding, one BiLSTM for both heads (the intent loss trains it), and the errors.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { BertModel } from '../../src/models/bert/index.js';
import { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { sequenceClassification, taskSpec, type TaskSpec } from '../../src/tasks/index.js';
import { cat, crossEntropy, full, liveTensorCount, manualSeed, noGrad, tensor, tidy, zeros, type Tensor } from '../../src/tensor/index.js';
import { tinyConfig } from '../tasks/helpers.js';

const baseline = liveTensorCount();
after(() => assert.equal(liveTensorCount(), baseline, 'every tensor of these tests is freed'));

const INTENTS = ['a', 'b', 'c'];
const TAGS = ['B-x', 'I-x', 'O'];

/** intent (reading the states of `provider`, pooling `pooling`) and slots (BiLSTM of 6 per direction). */
function specs(provider = 'slots', slots: Record<string, unknown> = { bilstm: { hiddenSize: 6 } }, pooling = 'mean'): TaskSpec[] {
  return [
    taskSpec({ name: 'intent', kind: 'sequence-classification', labels: INTENTS, options: { pooling, statesOf: provider } }),
    taskSpec({ name: 'slots', kind: 'token-classification', labels: TAGS, options: slots }),
  ];
}

function model(s: readonly TaskSpec[] = specs(), seed = 1): MultiTaskModel {
  manualSeed(seed);
  return MultiTaskModel.fromSpecs(new BertModel(tinyConfig(99)), s).eval();
}

/** Two rows: 5 real tokens, and 3 real then 2 padding. */
const inputs = () => ({
  inputIds: tensor(
    [
      [2, 11, 12, 13, 3],
      [2, 14, 3, 0, 0],
    ],
    { dtype: 'int64' },
  ),
  attentionMask: tensor(
    [
      [1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0],
    ],
    { dtype: 'int64' },
  ),
});

const close = (a: readonly number[], b: readonly number[], tol = 1e-5) =>
  a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < tol);
const flat = (t: Tensor) => t.toFlatArray() as number[];

describe('states_of: an intent head on the slot head’s BiLSTM states', () => {
  it('builds the intent classifier on 2h = 12 inputs and saves it under heads.intent; the BiLSTM stays the slot head’s', () => {
    using m = model();
    const shapes = new Map([...m.savedStateDict()].map(([k, t]) => [k, t.shape]));
    assert.deepEqual(shapes.get('heads.intent.classifier.weight'), [3, 12]);
    assert.deepEqual(shapes.get('heads.slots.classifier.weight'), [3, 12]);
    assert.deepEqual(shapes.get('heads.slots.bilstm.weight_ih_l0'), [24, 32]);
    assert.ok(![...shapes.keys()].some((k) => k.startsWith('heads.intent.bilstm')), 'no second BiLSTM');
  });

  it('intent logits (B, C) = classifier(mean of the slot head’s BiLSTM states over real tokens), by hand; slots (B, T, C)', () => {
    using m = model();
    tidy(() =>
      noGrad(() => {
        const x = inputs();
        const logits = m.forward(x, ['intent', 'slots']);
        assert.deepEqual(logits.get('intent')!.shape, [2, 3]);
        assert.deepEqual(logits.get('slots')!.shape, [2, 5, 3]);
        const encoded = { ...m.backbone.forward(x), attentionMask: x.attentionMask };
        const states = m.heads.get('slots').sequenceStates(encoded); // (B, T, 12)
        assert.deepEqual(states.shape, [2, 5, 12]);
        const rows = states.toArray() as number[][][];
        const mean = rows.map((r, b) => {
          const n = b === 0 ? 5 : 3;
          return Array.from({ length: 12 }, (_, j) => r.slice(0, n).reduce((s, v) => s + v[j]!, 0) / n);
        });
        const head = m.heads.get('intent') as unknown as { classifier: { weight: Tensor; bias: Tensor } };
        const [w, bias] = [head.classifier.weight.toArray() as number[][], flat(head.classifier.bias)];
        const byHand = mean.flatMap((v) => w.map((row, c) => row.reduce((s, wj, j) => s + wj * v[j]!, bias[c]!)));
        assert.ok(close(flat(logits.get('intent')!), byHand), `${flat(logits.get('intent')!)} vs ${byHand}`);
        // the slot logits are those of the slot head alone
        assert.ok(close(flat(logits.get('slots')!), flat(m.heads.get('slots').forward(encoded))));
        // intent alone still runs the slot head's BiLSTM for its states
        assert.ok(close(flat(m.forward(x, ['intent']).get('intent')!), byHand));
      }),
    );
  });

  it('padding the batch further changes no row’s intent logits nor slot logits at real tokens', () => {
    using m = model();
    tidy(() =>
      noGrad(() => {
        const x = inputs();
        const padded = {
          inputIds: cat([x.inputIds, zeros([2, 4], { dtype: 'int64' })], 1),
          attentionMask: cat([x.attentionMask, zeros([2, 4], { dtype: 'int64' })], 1),
        };
        const [a, b] = [m.forward(x, ['intent', 'slots']), m.forward(padded, ['intent', 'slots'])];
        assert.ok(close(flat(a.get('intent')!), flat(b.get('intent')!)), 'intent');
        const real = (t: Tensor, row: number, n: number) => flat(t.narrow(0, row, 1).narrow(1, 0, n));
        assert.ok(close(real(a.get('slots')!, 0, 5), real(b.get('slots')!, 0, 5)), 'slots, row 0');
        assert.ok(close(real(a.get('slots')!, 1, 3), real(b.get('slots')!, 1, 3)), 'slots, row 1');
        // and a row alone, unpadded, as in the batch
        const alone = m.forward(
          { inputIds: x.inputIds.narrow(0, 1, 1).narrow(1, 0, 3), attentionMask: full([1, 3], 1, { dtype: 'int64' }) },
          ['intent'],
        );
        assert.ok(close(flat(alone.get('intent')!), flat(a.get('intent')!.narrow(0, 1, 1))), 'row 1 alone');
      }),
    );
  });

  it('the intent loss alone trains the slot head’s BiLSTM (one recurrent layer for both tasks)', () => {
    using m = model();
    m.train();
    tidy(() => {
      const loss = crossEntropy(m.forward(inputs(), ['intent']).get('intent')!, tensor([0, 2], { dtype: 'int64' }));
      loss.backward();
      const grads = new Map(m.namedParameters().map(([n, p]) => [n, p.grad]));
      const norm = (n: string) => (grads.get(n)?.abs().sum().item() as number | undefined) ?? 0;
      assert.ok(norm('heads.slots.bilstm.weight_ih_l0') > 0, 'BiLSTM forward direction');
      assert.ok(norm('heads.slots.bilstm.weight_hh_l0_reverse') > 0, 'BiLSTM backward direction');
      assert.equal(norm('heads.slots.classifier.weight'), 0, 'not the slot classifier');
    });
  });

  it('refuses a provider without a BiLSTM, a missing provider, itself, and pooling cls', () => {
    const build = (s: TaskSpec[]) => {
      using backbone = new BertModel(tinyConfig(99));
      return MultiTaskModel.fromSpecs(backbone, s);
    };
    assert.throws(
      () => build(specs('slots', {})),
      (e: Error) => e instanceof ConfigError && /no sequence layer \(bilstm\)/.test(e.message),
    );
    assert.throws(() => build(specs('tags')), /reads the states of task 'tags' \(states_of\), but the model has no such task/);
    assert.throws(() => build(specs('intent')), /reads another task's states itself/);
    assert.throws(() => specs('slots', { bilstm: {} }, 'cls'), /pooling 'cls' reads BERT's pooled \[CLS\].*use 'mean' or 'tokens'/);
    assert.equal(liveTensorCount(), baseline, 'the heads made before the error are freed');
  });

  it('options: statesOf defaults to null (checkpoints before it read as trained) and makes mean the default pooling', () => {
    assert.equal(sequenceClassification.resolveOptions({}).statesOf, null);
    assert.equal(sequenceClassification.resolveOptions({}).pooling, 'cls');
    assert.equal(sequenceClassification.resolveOptions({ statesOf: 'slots' }).pooling, 'mean');
    assert.equal(sequenceClassification.resolveOptions({ statesOf: 'slots', pooling: 'tokens' }).pooling, 'tokens');
    assert.throws(() => sequenceClassification.resolveOptions({ statesOf: 3 }), /statesOf must name a task with a bilstm/);
    const spec = specs()[0]!;
    const exported = sequenceClassification.exportHf!(spec as never);
    assert.match('refused' in exported ? exported.refused : 'exported', /BiLSTM states of task 'slots'/);
  });
});
